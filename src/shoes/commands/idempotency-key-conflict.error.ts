/** An idempotency key reused with different input: the API answers CONFLICT. */
export class IdempotencyKeyConflict extends Error {
  constructor(readonly key: string) {
    super(`idempotencyKey "${key}" was already used with different input`);
    this.name = 'IdempotencyKeyConflict';
  }
}
