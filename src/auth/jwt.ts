import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { webcrypto } from 'node:crypto';
import { untrustedTextProblem } from '../validation/untrusted-text';
import { Identity, InvalidTokenError } from './identity';

/**
 * HS256 JWTs as API.md fixes them: only HS256 (so `alg: none` and key-confusion tricks are refused),
 * `sub` and `exp` required, roles from `roles` ("admin" grants admin). No clock leeway: API.md allows
 * at most 5 seconds and we need none, because issuer and verifier share this clock.
 */
export async function verifyToken(token: string, secret: string, now = new Date()): Promise<Identity> {
  const verifier = verifierOf(secret);
  const cached = verifier.verified.get(token);
  // A cached identity is only as good as its `exp`: past it, jose below refuses the token as expired.
  if (cached && cached.expiresAt > Math.floor(now.getTime() / 1000)) return cached;
  try {
    const { payload } = await jwtVerify(token, await verifier.key, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      currentDate: now,
    });
    const identity: Identity = { ...claimsOf(payload), expiresAt: payload.exp as number };
    if (verifier.verified.size >= VERIFIED_TOKENS_MAX) verifier.verified.delete(verifier.verified.keys().next().value!);
    verifier.verified.set(token, identity);
    return identity;
  } catch (err) {
    verifier.verified.delete(token);
    if (err instanceof InvalidTokenError) throw err;
    throw new InvalidTokenError(reasonOf(err));
  }
}

/**
 * `sub` becomes the user id in SQL (ratings, idempotency keys), rate-limit buckets and log lines, so it must be
 * text PostgreSQL can hold (no NUL or lone surrogate: before, a NUL answered INTERNAL_SERVER_ERROR with a stack
 * trace in the log), without control characters (no forged log lines), and bounded: 255 characters, OpenID
 * Connect's own limit for `sub`. Roles are compared, not stored, but are held to the same rules, so that no
 * token carries hostile text anywhere. Absent or non-array roles, and entries that are not strings, mean no role,
 * as before.
 */
export const MAX_SUBJECT_CHARACTERS = 255;
const MAX_ROLES = 32;
const MAX_ROLE_CHARACTERS = 64;
const CONTROL_CHARACTER = /\p{Cc}/u;

function claimsOf(payload: JWTPayload): Pick<Identity, 'userId' | 'roles' | 'isAdmin'> {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0) throw new InvalidTokenError('sub must be a non-empty string');
  if (!isAcceptableSubject(sub))
    throw new InvalidTokenError(`sub must be at most ${MAX_SUBJECT_CHARACTERS} characters, without control characters`);
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  if (roles.length > MAX_ROLES || !roles.every((role) => isCleanText(role, MAX_ROLE_CHARACTERS)))
    throw new InvalidTokenError(`roles must be at most ${MAX_ROLES} roles of at most ${MAX_ROLE_CHARACTERS} characters, without control characters`);
  return { userId: sub, roles, isAdmin: roles.includes('admin') };
}

/** Whether a token with this `sub` would be accepted (also used by the development token minter). */
export function isAcceptableSubject(sub: string): boolean {
  return sub.length > 0 && isCleanText(sub, MAX_SUBJECT_CHARACTERS);
}

function isCleanText(value: string, maxCharacters: number): boolean {
  return untrustedTextProblem(value, maxCharacters) === null && !CONTROL_CHARACTER.test(value);
}

/**
 * Verifying a token costs a key import and an HMAC through WebCrypto: in the write benchmark that was a sixth
 * of the server's CPU, for the same few tokens again and again. So each secret keeps its imported key, and the
 * tokens it has verified (the exact string, signature included, so nothing unverified can hit), bounded, oldest
 * dropped first. Claims are immutable; only `exp` depends on the clock, and it is checked on every use.
 */
const VERIFIED_TOKENS_MAX = 10_000;
type Verifier = { key: Promise<webcrypto.CryptoKey>; verified: Map<string, Identity> };
const verifiers = new Map<string, Verifier>();

function verifierOf(secret: string): Verifier {
  let verifier = verifiers.get(secret);
  if (!verifier) {
    const key = webcrypto.subtle.importKey('raw', keyOf(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifiers.set(secret, (verifier = { key, verified: new Map() }));
  }
  return verifier;
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
