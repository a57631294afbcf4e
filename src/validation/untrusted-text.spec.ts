import { characterCount, hasUnstorableCharacter, quoteBounded, untrustedTextProblem } from './untrusted-text';

describe('characterCount', () => {
  it('given an emoji (two UTF-16 units), then it counts one character', () => {
    expect(characterCount('a👟b')).toBe(3);
  });
});

describe('hasUnstorableCharacter', () => {
  it.each([
    ['a NUL', 'a\u0000b', true],
    ['a lone high surrogate', 'a\ud83d', true],
    ['a lone low surrogate', '\udc5fb', true],
    ['a surrogate pair', 'a👟b', false],
    ['other control characters (not this rule)', 'a\tb\u0085', false],
  ])('given %s, then %s', (_case, value, expected) => {
    expect(hasUnstorableCharacter(value)).toBe(expected);
  });
});

describe('untrustedTextProblem', () => {
  it('given text within the limit, then there is no problem', () => {
    expect(untrustedTextProblem('a'.repeat(200), 200)).toBeNull();
    expect(untrustedTextProblem('👟'.repeat(200), 200)).toBeNull();
  });

  it('given one character too many, also counted in code points, then it is too long', () => {
    expect(untrustedTextProblem('a'.repeat(201), 200)).toBe('must be at most 200 characters');
    expect(untrustedTextProblem('👟'.repeat(201), 200)).toBe('must be at most 200 characters');
  });

  it('given 90,000 characters, then it is too long, whatever they are', () => {
    expect(untrustedTextProblem('\u0000'.repeat(90_000), 200)).toBe('must be at most 200 characters');
  });

  it('given a NUL or a lone surrogate, then it says so', () => {
    expect(untrustedTextProblem('key\u0000', 200)).toBe('must not contain NUL or unpaired surrogate characters');
    expect(untrustedTextProblem('key\ud800', 200)).toBe('must not contain NUL or unpaired surrogate characters');
  });
});

describe('quoteBounded', () => {
  it('given short text, then it is quoted whole', () => {
    expect(quoteBounded('abc')).toBe('"abc"');
  });

  it('given 90,000 characters, then it quotes the first 40 and says how long the rest was', () => {
    const quoted = quoteBounded('x'.repeat(90_000));
    expect(quoted).toBe(`"${'x'.repeat(40)}"… (90000 characters)`);
  });

  it('given emoji at the cut, then no surrogate pair is broken', () => {
    const quoted = quoteBounded(`a${'👟'.repeat(50)}`, 4);
    expect(quoted).toBe('"a👟👟👟"… (51 characters)');
  });

  it('given a non-string, then it quotes its string form', () => {
    expect(quoteBounded(42)).toBe('"42"');
  });
});
