import { InvalidShoeInput } from './shoe.errors';
import { normalizeBrand, normalizeShoeName, normalizeText, shoeNameKey } from './shoe-name';

/** Asserts the exact domain error (class, field and message), not just "something threw". */
function expectInvalid(run: () => unknown, field: string, message: string): void {
  expect(run).toThrow(InvalidShoeInput);
  expect(run).toThrow(expect.objectContaining({ field, message }));
}

const NAME_RULE = 'name must be 1 to 200 characters after trimming';
const BRAND_RULE = 'brand must be at most 100 characters after trimming';

describe('normalizeShoeName', () => {
  it('trims surrounding white space (including tabs, newlines and non-breaking spaces)', () => {
    expect(normalizeShoeName('  Air Max 90 ')).toBe('Air Max 90');
    expect(normalizeShoeName('\t\n\u00a0Air Max 90\r\n')).toBe('Air Max 90');
  });

  it('keeps inner spacing and letter case as given', () => {
    expect(normalizeShoeName('Air  MAX 90')).toBe('Air  MAX 90');
  });

  it('accepts 1 character and 200 characters', () => {
    expect(normalizeShoeName('x')).toBe('x');
    expect(normalizeShoeName('a'.repeat(200))).toBe('a'.repeat(200));
    expect(normalizeShoeName(` ${'a'.repeat(200)} `)).toBe('a'.repeat(200));
  });

  it('rejects an empty or white-space-only name', () => {
    expectInvalid(() => normalizeShoeName(''), 'name', NAME_RULE);
    expectInvalid(() => normalizeShoeName(' \t\n '), 'name', NAME_RULE);
  });

  it('rejects 201 characters', () => {
    expectInvalid(() => normalizeShoeName('a'.repeat(201)), 'name', NAME_RULE);
  });

  it('counts characters (code points), not UTF-16 units', () => {
    const emoji = '👟'; // 2 UTF-16 units, 1 character
    expect(normalizeShoeName(emoji.repeat(200))).toBe(emoji.repeat(200));
    expectInvalid(() => normalizeShoeName(emoji.repeat(201)), 'name', NAME_RULE);
  });

  it.each([
    ['a newline', 'Air\nMax'],
    ['a carriage return', 'Air\rMax'],
    ['a tab', 'Air\tMax'],
    ['NUL', 'Air\u0000Max'],
    ['DEL', 'Air\u007fMax'],
    ['a C1 control', 'Air\u0085Max'],
    ['a line separator', 'Air\u2028Max'],
    ['a paragraph separator', 'Air\u2029Max'],
    ['a lone surrogate', 'Air\ud83dMax'],
  ])('rejects %s inside the name', (_what, name) => {
    expectInvalid(() => normalizeShoeName(name), 'name', 'name must not contain control characters or line breaks');
  });
});

describe('normalizeText', () => {
  it('given a decomposed é, then it is the precomposed one (NFC)', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Caf\u00e9');
  });

  it.each([
    ['a zero-width space', 'Air\u200bMax'],
    ['a zero-width non-joiner and joiner', 'Air\u200c\u200dMax'],
    ['left-to-right and right-to-left marks', '\u200eAir\u200fMax'],
    ['a right-to-left override and its pop', 'Air\u202eMax\u202c'],
    ['isolates', '\u2066Air\u2069Max\u2067\u2068'],
    ['a word joiner and invisible operators', 'Air\u2060\u2061\u2062\u2063\u2064Max'],
    ['a BOM', '\ufeffAirMax'],
    ['a soft hyphen', 'Air\u00adMax'],
    ['an Arabic letter mark and a Mongolian vowel separator', 'Air\u061c\u180eMax'],
  ])('given %s, then they are stripped', (_case, text) => {
    expect(normalizeText(text)).toBe('AirMax');
  });

  it('given an invisible character between a letter and its combining mark, then they still compose', () => {
    expect(normalizeText('Cafe\u200b\u0301')).toBe('Caf\u00e9');
  });

  it('given visible text, emoji and other scripts, then it is unchanged (and normalizing twice changes nothing)', () => {
    for (const text of ['Air Max 90', '👟 Zoom', 'Кроссовки', '運動鞋', 'Caf\u00e9']) {
      expect(normalizeText(text)).toBe(text);
      expect(normalizeText(normalizeText(text))).toBe(text);
    }
  });
});

describe('normalizeShoeName, look-alikes', () => {
  it('given look-alikes of one name, then they normalize to the same name and so to the same key', () => {
    const names = ['Pel\u00e9 AirMax', 'Pele\u0301 AirMax', '\u200bPele\u0301 Air\u200bMax\u00ad', '\u202ePel\u00e9 AirMax\u202c'];
    const normalized = names.map(normalizeShoeName);
    expect(new Set(normalized)).toEqual(new Set(['Pel\u00e9 AirMax']));
    expect(new Set(normalized.map((name) => shoeNameKey(normalizeBrand('Nike\ufeff'), name)))).toEqual(new Set([shoeNameKey('Nike', 'pel\u00e9 airmax')]));
  });

  it('given a name of invisible characters and spaces only, then it is empty after trimming', () => {
    expectInvalid(() => normalizeShoeName(' \u200b\ufeff\u200d '), 'name', NAME_RULE);
  });

  it('given 200 visible characters and invisible ones besides, then the length counts what is left', () => {
    expect(normalizeShoeName(`${'a'.repeat(200)}\u200b\u00ad`)).toBe('a'.repeat(200));
  });

  it('given a decomposed name of 200 characters when composed, then it is accepted', () => {
    expect(normalizeShoeName('e\u0301'.repeat(200))).toBe('\u00e9'.repeat(200));
  });
});

describe('normalizeBrand', () => {
  it('normalizes like names: NFC, invisible characters stripped, and only invisible characters is no brand', () => {
    expect(normalizeBrand('Mu\u0308ller\u200b')).toBe('M\u00fcller');
    expect(normalizeBrand('\u200b\ufeff')).toBeNull();
  });


  it('trims', () => {
    expect(normalizeBrand('  Nike ')).toBe('Nike');
  });

  it('stores no brand, an empty brand and a white-space brand as null', () => {
    expect(normalizeBrand(null)).toBeNull();
    expect(normalizeBrand(undefined)).toBeNull();
    expect(normalizeBrand('')).toBeNull();
    expect(normalizeBrand('   ')).toBeNull();
  });

  it('accepts 100 characters and rejects 101', () => {
    expect(normalizeBrand('b'.repeat(100))).toBe('b'.repeat(100));
    expect(normalizeBrand(`  ${'b'.repeat(100)}  `)).toBe('b'.repeat(100));
    expectInvalid(() => normalizeBrand('b'.repeat(101)), 'brand', BRAND_RULE);
  });

  it('counts characters (code points), not UTF-16 units', () => {
    expect(normalizeBrand('👟'.repeat(100))).toBe('👟'.repeat(100));
    expectInvalid(() => normalizeBrand('👟'.repeat(101)), 'brand', BRAND_RULE);
  });

  it('rejects control characters and line breaks inside the brand', () => {
    const rule = 'brand must not contain control characters or line breaks';
    expectInvalid(() => normalizeBrand('Ni\nke'), 'brand', rule);
    expectInvalid(() => normalizeBrand('Ni\u0000ke'), 'brand', rule);
  });
});

describe('shoeNameKey', () => {
  it('is case-insensitive and ignores surrounding white space', () => {
    const key = shoeNameKey('Nike', 'Air Max 90');
    expect(shoeNameKey('NIKE', 'air max 90')).toBe(key);
    expect(shoeNameKey('  nike ', ' AIR MAX 90  ')).toBe(key);
  });

  it('treats no brand and an empty brand alike', () => {
    expect(shoeNameKey(null, 'Air Max')).toBe(shoeNameKey('', 'Air Max'));
    expect(shoeNameKey(null, 'Air Max')).toBe(shoeNameKey('  ', 'air max'));
  });

  it('tells different pairs apart, also when brand and name could be confused when joined', () => {
    expect(shoeNameKey('Nike', 'Air Max')).not.toBe(shoeNameKey('Adidas', 'Air Max'));
    expect(shoeNameKey('Nike', 'Air Max')).not.toBe(shoeNameKey('Nike', 'Air  Max'));
    expect(shoeNameKey('a b', 'c')).not.toBe(shoeNameKey('a', 'b c'));
    expect(shoeNameKey('a|', 'b')).not.toBe(shoeNameKey('a', '|b'));
    expect(shoeNameKey(null, 'Nike Air')).not.toBe(shoeNameKey('Nike', 'Air'));
  });
});
