import { InvalidShoeInput } from './shoe.errors';

export const MAX_NAME_LENGTH = 200;
export const MAX_BRAND_LENGTH = 100;

/**
 * Characters refused inside names and brands: control characters (C0, DEL, C1; NUL cannot even be
 * stored in PostgreSQL text), line/paragraph separators, and lone surrogates (not encodable as UTF-8).
 * Under the `u` flag a well-formed surrogate pair is one code point, so only lone halves match \p{Cs}.
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Length in code points, so an emoji counts as one character, as a user would count it. */
const characterCount = (s: string): number => [...s].length;

function checkCharacters(field: string, value: string): void {
  if (FORBIDDEN_CHARACTER.test(value)) {
    throw new InvalidShoeInput(field, `${field} must not contain control characters or line breaks`);
  }
}

/** Trims and validates a shoe name: 1..200 characters after trimming. */
export function normalizeShoeName(name: string): string {
  const trimmed = name.trim();
  const length = characterCount(trimmed);
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw new InvalidShoeInput('name', `name must be 1 to ${MAX_NAME_LENGTH} characters after trimming`);
  }
  checkCharacters('name', trimmed);
  return trimmed;
}

/** Trims and validates a brand: 0..100 characters after trimming; absent or empty means no brand (null). */
export function normalizeBrand(brand: string | null | undefined): string | null {
  const trimmed = (brand ?? '').trim();
  if (trimmed === '') return null;
  if (characterCount(trimmed) > MAX_BRAND_LENGTH) {
    throw new InvalidShoeInput('brand', `brand must be at most ${MAX_BRAND_LENGTH} characters after trimming`);
  }
  checkCharacters('brand', trimmed);
  return trimmed;
}

/**
 * The (brand, name) uniqueness key: trimmed and lower-cased, with no brand equal to an empty brand.
 * JSON encoding keeps the two parts apart, so ("a b", "c") and ("a", "b c") never collide.
 */
export function shoeNameKey(brand: string | null, name: string): string {
  return JSON.stringify([(brand ?? '').trim().toLowerCase(), name.trim().toLowerCase()]);
}
