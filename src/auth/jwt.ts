import { errors, jwtVerify, SignJWT } from 'jose';
import { Identity, InvalidTokenError } from './identity';

/**
 * HS256 JWTs as API.md fixes them: only HS256 (so `alg: none` and key-confusion tricks are refused),
 * `sub` and `exp` required, roles from `roles` ("admin" grants admin). No clock leeway: API.md allows
 * at most 5 seconds and we need none, because issuer and verifier share this clock.
 */
export async function verifyToken(token: string, secret: string): Promise<Identity> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('sub must be a non-empty string');
    return { userId: payload.sub, roles, isAdmin: roles.includes('admin'), expiresAt: payload.exp as number };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    throw new InvalidTokenError(reasonOf(err));
  }
}

export async function mintToken(
  claims: { sub: string; roles: string[]; expiresInSeconds: number },
  secret: string,
  now = Date.now(),
): Promise<string> {
  return new SignJWT({ roles: claims.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + claims.expiresInSeconds)
    .sign(keyOf(secret));
}

/** `Bearer <token>` → token; absent → null; anything else is malformed. */
export function bearerToken(header: unknown): string | null {
  if (header === undefined || header === null || header === '') return null;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new InvalidTokenError('expected "Authorization: Bearer <JWT>"');
  return match[1];
}

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed (HS256 only)';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} ${err.reason}`;
  return 'malformed';
}
