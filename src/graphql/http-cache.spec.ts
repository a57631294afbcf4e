import { CACHE_CONTROL, entityTag, ifNoneMatchMatches, varyHeader } from './http-cache';

describe('entity tags', () => {
  it('are strong, quoted and the same for the same answer', () => {
    // given one serialized answer
    const answer = '{"data":{"shoe":{"version":3}}}';
    // when it is tagged twice
    const tag = entityTag(answer);
    // then the tags agree, are strong (no W/) and quoted
    expect(entityTag(answer)).toBe(tag);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
  });

  it('differ when any byte of the answer differs', () => {
    expect(entityTag('{"data":{"shoe":{"version":3}}}')).not.toBe(entityTag('{"data":{"shoe":{"version":4}}}'));
  });
});

describe('If-None-Match', () => {
  const tag = entityTag('{"data":{}}');

  it('matches the current tag, also weakened by a CDN or among others', () => {
    expect(ifNoneMatchMatches(tag, tag)).toBe(true);
    expect(ifNoneMatchMatches(`W/${tag}`, tag)).toBe(true);
    expect(ifNoneMatchMatches(`"old", ${tag}`, tag)).toBe(true);
    expect(ifNoneMatchMatches('*', tag)).toBe(true);
  });

  it('does not match when absent, empty, or holding other tags', () => {
    expect(ifNoneMatchMatches(undefined, tag)).toBe(false);
    expect(ifNoneMatchMatches('', tag)).toBe(false);
    expect(ifNoneMatchMatches('"old", W/"older"', tag)).toBe(false);
    expect(ifNoneMatchMatches(tag.slice(1, -1), tag)).toBe(false); // unquoted is another tag
  });
});

describe('cache policies', () => {
  it('let only anonymous answers into shared caches, and keep errors out of every cache', () => {
    expect(CACHE_CONTROL.anonymous).toMatch(/^public,.*s-maxage=\d+/);
    expect(CACHE_CONTROL.authorized).toMatch(/^private\b/);
    expect(CACHE_CONTROL.authorized).not.toMatch(/public|s-maxage/);
    expect(CACHE_CONTROL.none).toBe('no-store');
  });

  it('vary by Origin only when CORS echoes it', () => {
    expect(varyHeader(false)).toBe('Accept, Authorization');
    expect(varyHeader(true)).toBe('Accept, Authorization, Origin');
  });
});
