/** Who is calling, from a verified token. Reading and subscribing need none; mutations do. */
export type Identity = { userId: string; roles: string[]; isAdmin: boolean; expiresAt: number };

/** Why a presented token was refused; mapped to UNAUTHENTICATED on mutations and close code 4403 on sockets. */
export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(`invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

export class NotSignedInError extends Error {
  constructor(reason = 'sign in: send Authorization: Bearer <JWT>') {
    super(reason);
    this.name = 'NotSignedInError';
  }
}

export class ForbiddenError extends Error {
  constructor(what: string) {
    super(`${what} needs the admin role`);
    this.name = 'ForbiddenError';
  }
}
