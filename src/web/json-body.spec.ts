import { parseJsonBody } from './json-body';

describe('parseJsonBody', () => {
  it('parses objects and arrays', () => {
    expect(parseJsonBody(' {"query":"{ a }"}')).toEqual({ query: '{ a }' });
    expect(parseJsonBody('\n[{"query":"{ a }"}]')).toEqual([{ query: '{ a }' }]);
  });

  it('reads an empty body as an empty object, as body-parser did', () => {
    expect(parseJsonBody('')).toEqual({});
  });

  it.each([
    ['null', `Unexpected token 'n', "null" is not valid JSON`],
    ['"x"', `Unexpected token '"', ""x"" is not valid JSON`],
    ['3', `Unexpected token '3', "3" is not valid JSON`],
  ])('refuses the top-level value %s with body-parser’s message', (text, message) => {
    expect(() => parseJsonBody(text)).toThrow(new SyntaxError(message));
  });

  it.each([
    ['{"query":', 'Unexpected end of JSON input'],
    ['{', `Expected property name or '}' in JSON at position 1`],
  ])('refuses malformed JSON %s with JSON.parse’s message', (text, message) => {
    expect(() => parseJsonBody(text)).toThrow(new SyntaxError(message));
  });

  it('keeps a __proto__ key as an own property without touching the prototype', () => {
    const body = parseJsonBody('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
