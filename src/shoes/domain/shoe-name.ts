import { InvalidShoeInput } from './shoe.errors';

export const MAX_NAME_LENGTH = 200;
export const MAX_BRAND_LENGTH = 100;

/**
 * Characters refused inside names and brands: control characters (C0, DEL, C1; NUL cannot even be
 * stored in PostgreSQL text), line/paragraph separators, and lone surrogates (not encodable as UTF-8).
 * Under the `u` flag a well-formed surrogate pair is one code point, so only lone halves match \p{Cs}.
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * Invisible format characters: zero-width space, non-joiner and joiner, the bidi marks, embeddings, overrides and
 * isolates, word joiner and invisible operators, BOM, soft hyphen, Arabic letter mark, Mongolian vowel separator.
 * They make look-alikes ("Air\u200BMax" displays as "AirMax") and bidi overrides make text display reversed.
 *
 * Stripped, not refused: what is left is exactly what a reader sees, so a look-alike of an existing shoe
 * becomes that shoe's (brand, name) and is a CONFLICT, and text pasted from a web page (which often carries
 * soft hyphens, BOMs or bidi marks) works. The caveat: a joiner that means something goes too; an emoji
 * family (man, ZWJ, woman, ZWJ, girl) shows as three people, and a Persian name loses its ZWNJ; acceptable for shoe names.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * The form names and brands are stored in: invisible characters stripped, then NFC, so that a decomposed "é"
 * ("e" + U+0301) and a precomposed one are the same text (stripping first lets "e", U+200B, U+0301 compose).
 * Also applied to search text, so a search finds what it looks like. Idempotent.
 */
export function normalizeText(text: string): string {
  return text.replace(INVISIBLE, '').normalize('NFC');
}

/** Length in code points, so an emoji counts as one character, as a user would count it. */
const characterCount = (s: string): number => [...s].length;

function checkCharacters(field: string, value: string): void {
  if (FORBIDDEN_CHARACTER.test(value)) {
    throw new InvalidShoeInput(field, `${field} must not contain control characters or line breaks`);
  }
}

/**
 * Normalizes (see normalizeText), trims and validates a shoe name: 1..200 characters after trimming.
 * Old events may hold names stored before normalization; they are folded as they are (see shoeNameKey).
 */
export function normalizeShoeName(name: string): string {
  const trimmed = normalizeText(name).trim();
  const length = characterCount(trimmed);
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw new InvalidShoeInput('name', `name must be 1 to ${MAX_NAME_LENGTH} characters after trimming`);
  }
  checkCharacters('name', trimmed);
  return trimmed;
}

/** Normalizes, trims and validates a brand: 0..100 characters after trimming; absent or empty means no brand (null). */
export function normalizeBrand(brand: string | null | undefined): string | null {
  const trimmed = normalizeText(brand ?? '').trim();
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
 *
 * It deliberately does not normalize: commands pass names normalizeShoeName/normalizeBrand made, and the
 * projection (and its rebuild) folds the names events carry. Normalizing here would give rows written before
 * normalization existed a key other than the one stored, and two such look-alike rows the same key, failing
 * a rebuild on the unique index. The caveat: a look-alike of such a legacy row is not seen as its duplicate
 * (renaming the row to its own name normalizes it; `name <> normalize(name, NFC)` finds them).
 */
export function shoeNameKey(brand: string | null, name: string): string {
  return JSON.stringify([(brand ?? '').trim().toLowerCase(), name.trim().toLowerCase()]);
}
