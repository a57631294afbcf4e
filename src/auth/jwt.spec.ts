import { createHmac } from 'node:crypto';
import { bearerToken, mintToken, verifyToken } from './jwt';
import { InvalidTokenError } from './identity';

const secret = 'a-test-secret-that-is-long-enough-1234';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = (header: object, payload: object, key = secret) => {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
};
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('verifyToken', () => {
  it('given a minted admin token, then it yields the user and the admin role', async () => {
    const token = await mintToken({ sub: 'alice', roles: ['admin'], expiresInSeconds: 60 }, secret);
    await expect(verifyToken(token, secret)).resolves.toMatchObject({ userId: 'alice', isAdmin: true, roles: ['admin'] });
  });

  it('given a token without roles, then the user is not an admin', async () => {
    const token = sign({ alg: 'HS256' }, { sub: 'bob', exp: inOneHour() });
    await expect(verifyToken(token, secret)).resolves.toMatchObject({ userId: 'bob', isAdmin: false, roles: [] });
  });

  it('given a verified token, then it is refused once it expires, also when verified before', async () => {
    const now = Date.now();
    const token = await mintToken({ sub: 'carol', roles: [], expiresInSeconds: 30 }, secret, now);
    await expect(verifyToken(token, secret, new Date(now))).resolves.toMatchObject({ userId: 'carol' });
    await expect(verifyToken(token, secret, new Date(now + 29_000))).resolves.toMatchObject({ userId: 'carol' });
    await expect(verifyToken(token, secret, new Date(now + 31_000))).rejects.toThrow(/expired/);
  });

  it('given a token verified with one secret, then another secret still refuses it', async () => {
    const token = await mintToken({ sub: 'dave', roles: [], expiresInSeconds: 60 }, secret);
    await expect(verifyToken(token, secret)).resolves.toMatchObject({ userId: 'dave' });
    await expect(verifyToken(token, 'another-secret-that-is-long-enough-5678')).rejects.toThrow(/bad signature/);
  });

  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64({ sub: 'eve', exp: inOneHour(), roles: ['admin'] })}.`],
    ['a wrong signature', sign({ alg: 'HS256' }, { sub: 'eve', exp: inOneHour() }, 'another-secret')],
    ['an expired token', sign({ alg: 'HS256' }, { sub: 'eve', exp: Math.floor(Date.now() / 1000) - 6 })],
    ['no exp', sign({ alg: 'HS256' }, { sub: 'eve' })],
    ['no sub', sign({ alg: 'HS256' }, { exp: inOneHour() })],
    ['HS512', (() => { const body = `${b64({ alg: 'HS512' })}.${b64({ sub: 'eve', exp: inOneHour() })}`; return `${body}.${createHmac('sha512', secret).update(body).digest('base64url')}`; })()],
    ['garbage', 'not.a.jwt'],
  ])('given %s, then it is refused', async (_case, token) => {
    await expect(verifyToken(token, secret)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('verifyToken, hostile claims', () => {
  const signed = (payload: object) => sign({ alg: 'HS256' }, { exp: inOneHour(), ...payload });

  it.each([
    ['a NUL in sub', { sub: 'alice\u0000' }, /sub must be at most 255 characters, without control characters/],
    ['a lone surrogate in sub', { sub: 'alice\ud800' }, /sub must be/],
    ['a line break in sub (a forged log line)', { sub: 'alice\nadmin' }, /sub must be/],
    ['a 256-character sub', { sub: 's'.repeat(256) }, /sub must be/],
    ['a sub that is not a string', { sub: 42 }, /sub must be a non-empty string|claim sub/],
    ['a NUL in a role', { sub: 'mallory', roles: ['admin\u0000'] }, /roles must be at most 32 roles of at most 64 characters/],
    ['a lone surrogate in a role', { sub: 'mallory', roles: ['\udc00admin'] }, /roles must be/],
    ['a 65-character role', { sub: 'mallory', roles: ['r'.repeat(65)] }, /roles must be/],
    ['33 roles', { sub: 'mallory', roles: Array.from({ length: 33 }, (_, i) => `role-${i}`) }, /roles must be/],
  ])('given %s, then the token is refused, and refused again from the cache', async (_case, payload, reason) => {
    const token = signed(payload);
    await expect(verifyToken(token, secret)).rejects.toThrow(reason);
    await expect(verifyToken(token, secret)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('given the longest sub and roles allowed, with emoji and other scripts, then the token is accepted', async () => {
    const sub = `auth0|${'👟'.repeat(249)}`;
    const roles = ['admin', ...Array.from({ length: 31 }, (_, i) => `rôle-${i}`.padEnd(64, 'x'))];
    await expect(verifyToken(signed({ sub, roles }), secret)).resolves.toMatchObject({ userId: sub, isAdmin: true, roles });
  });

  it('given roles that are not a list, or entries that are not strings, then they mean no role (as before)', async () => {
    await expect(verifyToken(signed({ sub: 'frank', roles: 'admin' }), secret)).resolves.toMatchObject({ roles: [], isAdmin: false });
    await expect(verifyToken(signed({ sub: 'frank', roles: [1, null, 'admin'] }), secret)).resolves.toMatchObject({ roles: ['admin'] });
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, in any letter case of the scheme', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
  });
  it('treats a missing header as no token', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
  });
  it('refuses other schemes', () => {
    expect(() => bearerToken('Basic Zm9vOmJhcg==')).toThrow(InvalidTokenError);
  });
});
