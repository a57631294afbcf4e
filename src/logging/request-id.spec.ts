import { resolveRequestId } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveRequestId', () => {
  it('keeps a safe incoming id', () => {
    expect(resolveRequestId('edge-42.a_B')).toBe('edge-42.a_B');
  });

  it('takes the first of repeated headers', () => {
    expect(resolveRequestId(['first-1', 'second-2'])).toBe('first-1');
  });

  it('generates a UUID when there is none', () => {
    expect(resolveRequestId(undefined)).toMatch(UUID);
  });

  it.each([
    ['a space', 'abc def'],
    ['a newline (log injection)', 'abc\ninjected'],
    ['an empty value', ''],
    ['129 characters', 'a'.repeat(129)],
    ['markup', '<script>'],
  ])('replaces an unsafe id containing %s', (_label, header) => {
    expect(resolveRequestId(header)).toMatch(UUID);
  });

  it('accepts exactly 128 characters', () => {
    expect(resolveRequestId('a'.repeat(128))).toBe('a'.repeat(128));
  });

  it('gives different requests different ids', () => {
    expect(resolveRequestId(undefined)).not.toBe(resolveRequestId(undefined));
  });
});
