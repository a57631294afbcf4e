import { IdempotencyKeyConflict } from '../write/idempotency-key-conflict.error';
import { checkIdempotencyKey, InvalidIdempotencyKey } from './idempotency-key';

describe('checkIdempotencyKey', () => {
  it('given no key or an empty one, then there is none', () => {
    expect(checkIdempotencyKey(null)).toBeNull();
    expect(checkIdempotencyKey(undefined)).toBeNull();
    expect(checkIdempotencyKey('')).toBeNull();
  });

  it('given a key of up to 200 characters, then it is kept as given', () => {
    expect(checkIdempotencyKey('order-42')).toBe('order-42');
    expect(checkIdempotencyKey('k'.repeat(200))).toBe('k'.repeat(200));
    expect(checkIdempotencyKey('👟'.repeat(200))).toBe('👟'.repeat(200));
  });

  it.each([
    ['201 characters', 'k'.repeat(201), 'idempotencyKey must be at most 200 characters'],
    ['90,000 characters', 'k'.repeat(90_000), 'idempotencyKey must be at most 200 characters'],
    ['a NUL', 'key\u0000', 'idempotencyKey must not contain NUL or unpaired surrogate characters'],
    ['a lone surrogate', 'key\udfff', 'idempotencyKey must not contain NUL or unpaired surrogate characters'],
  ])('given %s, then it is refused, naming the rule but not the key', (_case, key, message) => {
    expect(() => checkIdempotencyKey(key)).toThrow(InvalidIdempotencyKey);
    expect(() => checkIdempotencyKey(key)).toThrow(message);
  });
});

describe('IdempotencyKeyConflict', () => {
  it('given a long key, then the message quotes only its start', () => {
    const key = 'k'.repeat(200);
    expect(new IdempotencyKeyConflict(key).message).toBe(`idempotencyKey "${'k'.repeat(40)}"… (200 characters) was already used with different input`);
    expect(new IdempotencyKeyConflict('order-42').message).toBe('idempotencyKey "order-42" was already used with different input');
  });
});
