import { untrustedTextProblem } from '../../validation/untrusted-text';

/**
 * Idempotency keys are the client's text, stored (idempotency_keys.key), hashed into an advisory lock key and
 * quoted in CONFLICT: before this bound a key could be 90,000 characters (stored, and echoed whole) and a NUL
 * answered INTERNAL_SERVER_ERROR from PostgreSQL with a stack trace in the log. 200 characters hold any UUID,
 * ULID or request hash with room to spare.
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** A malformed idempotency key: the API answers BAD_USER_INPUT. */
export class InvalidIdempotencyKey extends Error {
  constructor(rule: string) {
    super(`idempotencyKey ${rule}`);
    this.name = 'InvalidIdempotencyKey';
  }
}

/** The key to remember, or null for none (absent or empty, as before); throws InvalidIdempotencyKey. Pure. */
export function checkIdempotencyKey(key: string | null | undefined): string | null {
  if (!key) return null;
  const problem = untrustedTextProblem(key, MAX_IDEMPOTENCY_KEY_LENGTH);
  if (problem) throw new InvalidIdempotencyKey(problem);
  return key;
}
