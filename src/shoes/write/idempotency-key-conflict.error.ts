import { quoteBounded } from '../../validation/untrusted-text';

/** An idempotency key reused with different input: the API answers CONFLICT. Quotes only the key's start. */
export class IdempotencyKeyConflict extends Error {
  constructor(readonly key: string) {
    super(`idempotencyKey ${quoteBounded(key)} was already used with different input`);
    this.name = 'IdempotencyKeyConflict';
  }
}
