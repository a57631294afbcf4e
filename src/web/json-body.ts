/**
 * JSON request bodies as the Express server read them (body-parser's `json()` in strict mode), so that moving to
 * Fastify (issue 11) changed no answer to a bad body:
 * - an empty body is `{}` (Apollo then answers its own BAD_REQUEST, as before);
 * - the top level must be an object or an array: `null`, `"x"` or `3` are refused, with the message JSON.parse
 *   gives at the offending character (body-parser's wording, e.g. `Unexpected token 'n', "null" is not valid JSON`);
 * - anything JSON.parse refuses is refused with its message.
 * A `__proto__` key stays an ordinary own property, as JSON.parse makes it (nothing here merges bodies into objects).
 * Throws a SyntaxError; app.ts turns it into Nest's 400 answer `{ message, error: "Bad Request", statusCode: 400 }`.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return {};
  const first = FIRST_NON_WHITESPACE.exec(text)?.[1];
  if (first !== undefined && first !== '{' && first !== '[') throw strictViolation(text, first);
  return JSON.parse(text);
}

// JSON's own whitespace (space, tab, newline, carriage return), as body-parser's check.
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r])/;

/**
 * body-parser's way to word a strict-mode refusal: JSON.parse of the text with every character from the offending one
 * on replaced by `#`, then the `#`s in the message put back to the text's own characters.
 */
function strictViolation(text: string, char: string): SyntaxError {
  const index = text.indexOf(char);
  const partial = text.slice(0, index) + '#'.repeat(text.length - index);
  try {
    JSON.parse(partial);
  } catch (error) {
    const message = (error as Error).message.replace(/#+/g, (placeholder) => text.slice(index, index + placeholder.length));
    return new SyntaxError(message);
  }
  return new SyntaxError('strict violation');
}
