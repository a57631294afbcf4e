/**
 * Rules for text that comes from outside (arguments, cursors, token claims), checked before it reaches SQL, a
 * lock key, a log line or an error message. Pure, so every layer (domain included) may use it.
 *
 * - NUL: PostgreSQL `text` cannot hold it; the driver's error surfaced as INTERNAL_SERVER_ERROR with a stack
 *   trace in the log, one per request (a log-flooding vector).
 * - A lone UTF-16 surrogate: not encodable as UTF-8; Node silently sends U+FFFD instead, so what is stored or
 *   compared is not what the client sent. Under the `u` flag a well-formed pair is one code point, so only
 *   lone halves match \p{Cs}.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this finds
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Length in code points, so an emoji counts as one character, as a user would count it. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Whether `value` holds a NUL or a lone surrogate. */
export function hasUnstorableCharacter(value: string): boolean {
  return UNSTORABLE.test(value);
}

/**
 * The rule `value` breaks, as the end of a sentence naming the argument ("must be at most 200 characters"), or
 * null. Length first, and without counting a string that is long in any case: a 100 KB argument costs nothing.
 */
export function untrustedTextProblem(value: string, maxCharacters: number): string | null {
  if (value.length > maxCharacters * 2 || (value.length > maxCharacters && characterCount(value) > maxCharacters)) {
    return `must be at most ${maxCharacters} characters`;
  }
  if (hasUnstorableCharacter(value)) return 'must not contain NUL or unpaired surrogate characters';
  return null;
}

/** Quotes client text for an error message or a log line: at most `maxCharacters`, never a broken pair. */
export function quoteBounded(value: unknown, maxCharacters = 40): string {
  const text = typeof value === 'string' ? value : String(value);
  if (text.length <= maxCharacters) return JSON.stringify(text);
  const head = [...text.slice(0, maxCharacters * 2)].slice(0, maxCharacters).join('');
  return `${JSON.stringify(head)}… (${characterCount(text)} characters)`;
}
