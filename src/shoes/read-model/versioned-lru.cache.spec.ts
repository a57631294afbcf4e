import { VersionedLru } from './versioned-lru.cache';

const row = (id: string, version: number, name = `v${version}`) => ({ id, version, name });

describe('VersionedLru', () => {
  it('given an entry, when an older version is set, then the newer one stays', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(10);
    cache.set(row('a', 3));
    cache.set(row('a', 2));
    expect(cache.get('a')).toEqual(row('a', 3));
    cache.set(row('a', 4));
    expect(cache.get('a')).toEqual(row('a', 4));
  });

  it('given an entry, when the log announces a newer version, then it is dropped; an equal or older one keeps it', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(10);
    cache.set(row('a', 3));
    cache.invalidate('a', 2);
    cache.invalidate('a', 3);
    expect(cache.get('a')).toEqual(row('a', 3));
    cache.invalidate('a', 4);
    expect(cache.get('a')).toBeUndefined();
  });

  it('given a read in flight, when an event newer than what it read is announced, then its row is not stored', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(10);
    const ticket = cache.begin('a');
    cache.invalidate('a', 5); // the read's snapshot predates version 5's commit
    cache.fill(ticket, row('a', 4));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.openTickets).toBe(0);
  });

  it('given a read in flight, when the event it read is announced, then its row is stored', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(10);
    const ticket = cache.begin('a');
    cache.invalidate('a', 5);
    cache.fill(ticket, row('a', 5));
    expect(cache.get('a')).toEqual(row('a', 5));
  });

  it('given reads in flight, when the cache is cleared (a rebuild), then none of them is stored', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(10);
    cache.set(row('b', 1));
    const [a, b] = [cache.begin('a'), cache.begin('b')];
    cache.clear();
    cache.fill(a, row('a', 9));
    cache.fill(b, row('b', 9));
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([undefined, undefined, 0]);
    const after = cache.begin('a');
    cache.fill(after, row('a', 9));
    expect(cache.get('a')).toEqual(row('a', 9));
  });

  it('given a full cache, when one more is stored, then the least recently used is evicted', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(2);
    cache.set(row('a', 1));
    cache.set(row('b', 1));
    cache.get('a'); // a is now the most recent
    cache.set(row('c', 1));
    expect([cache.get('a')?.id, cache.get('b'), cache.get('c')?.id, cache.size]).toEqual(['a', undefined, 'c', 2]);
  });

  it('given capacity 0, then nothing is stored', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(0);
    cache.set(row('a', 1));
    cache.fill(cache.begin('a'), row('a', 1));
    expect(cache.size).toBe(0);
  });

  it('given a failed read (no row) or a row of another id, then nothing is stored and the ticket ends', () => {
    const cache = new VersionedLru<ReturnType<typeof row>>(10);
    const [one, two] = [cache.begin('a'), cache.begin('a')];
    cache.fill(one, null);
    cache.fill(two, row('b', 1));
    cache.fill(two, row('a', 1)); // ending twice is a no-op
    expect([cache.size, cache.openTickets]).toEqual([0, 0]);
  });
});
