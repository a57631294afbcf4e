import {
  InvalidShoeInput,
  ShoeAlreadyExists,
  ShoeDomainError,
  ShoeNameTaken,
  ShoeNotFound,
  StaleShoeVersion,
} from './shoe.errors';

const SHOE_ID = '0b6f3c52-3f4e-4a55-9a8e-0d4f8c1b2a01';
const OTHER_ID = '7d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6';

describe('shoe domain errors', () => {
  it.each([
    [new InvalidShoeInput('size', 'size must be an integer from 1 to 5'), 'InvalidShoeInput', 'INVALID_INPUT'],
    [new ShoeNotFound(SHOE_ID), 'ShoeNotFound', 'NOT_FOUND'],
    [new ShoeAlreadyExists(SHOE_ID), 'ShoeAlreadyExists', 'CONFLICT'],
    [new ShoeNameTaken('Nike', 'Air Max', OTHER_ID), 'ShoeNameTaken', 'CONFLICT'],
    [new StaleShoeVersion(SHOE_ID, 2, 3), 'StaleShoeVersion', 'CONFLICT'],
  ])('%s is a ShoeDomainError named %s of kind %s', (error, name, kind) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ShoeDomainError);
    expect(error.name).toBe(name);
    expect(error.kind).toBe(kind);
  });

  it('InvalidShoeInput names the field and keeps the rule as its message', () => {
    const error = new InvalidShoeInput('size', 'size must be an integer from 1 to 5');
    expect(error.field).toBe('size');
    expect(error.message).toBe('size must be an integer from 1 to 5');
  });

  it('ShoeNotFound and ShoeAlreadyExists carry the shoe id', () => {
    expect(new ShoeNotFound(SHOE_ID)).toMatchObject({ shoeId: SHOE_ID, message: `shoe ${SHOE_ID} does not exist` });
    expect(new ShoeAlreadyExists(SHOE_ID)).toMatchObject({ shoeId: SHOE_ID });
  });

  it('ShoeNameTaken carries the pair and the holder, and keeps Error#name as the class name', () => {
    const error = new ShoeNameTaken(null, 'Air Max', OTHER_ID);
    expect(error).toMatchObject({ brand: null, shoeName: 'Air Max', existingShoeId: OTHER_ID, name: 'ShoeNameTaken' });
    expect(error.message).toBe('a shoe named "Air Max" with brand null already exists');
  });

  it('StaleShoeVersion carries the expected and the current version', () => {
    const error = new StaleShoeVersion(SHOE_ID, 2, 3);
    expect(error).toMatchObject({ shoeId: SHOE_ID, expectedVersion: 2, currentVersion: 3 });
    expect(error.message).toBe(`shoe ${SHOE_ID} is at version 3, not the expected 2`);
  });
});
