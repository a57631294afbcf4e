/**
 * Domain rejections. Pure classes: the edge maps `kind` to an API error code
 * (INVALID_INPUT -> BAD_USER_INPUT, NOT_FOUND -> NOT_FOUND, CONFLICT -> CONFLICT)
 * and reads the extra fields (e.g. `currentVersion`) it needs for `extensions`.
 * Messages are written for API clients: they name the offending field and the rule.
 */
export type ShoeDomainErrorKind = 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT';

export abstract class ShoeDomainError extends Error {
  abstract readonly kind: ShoeDomainErrorKind;
}

export class InvalidShoeInput extends ShoeDomainError {
  readonly kind = 'INVALID_INPUT';

  /** `field` is the input field (e.g. 'size', 'sizes'); `message` states the broken rule. */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidShoeInput';
  }
}

export class ShoeNotFound extends ShoeDomainError {
  readonly kind = 'NOT_FOUND';

  constructor(readonly shoeId: string) {
    super(`shoe ${shoeId} does not exist`);
    this.name = 'ShoeNotFound';
  }
}

export class ShoeAlreadyExists extends ShoeDomainError {
  readonly kind = 'CONFLICT';

  constructor(readonly shoeId: string) {
    super(`shoe ${shoeId} already exists`);
    this.name = 'ShoeAlreadyExists';
  }
}

export class ShoeNameTaken extends ShoeDomainError {
  readonly kind = 'CONFLICT';

  constructor(
    readonly brand: string | null,
    /** not `name`: Error#name holds the class name */
    readonly shoeName: string,
    readonly existingShoeId: string,
  ) {
    super(`a shoe named ${JSON.stringify(shoeName)} with brand ${JSON.stringify(brand)} already exists`);
    this.name = 'ShoeNameTaken';
  }
}

export class StaleShoeVersion extends ShoeDomainError {
  readonly kind = 'CONFLICT';

  constructor(
    readonly shoeId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(`shoe ${shoeId} is at version ${currentVersion}, not the expected ${expectedVersion}`);
    this.name = 'StaleShoeVersion';
  }
}
