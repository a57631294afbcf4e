/**
 * Optional hook for instrumenting the shoes' read cache (ShoeReadCache), in the style of event-store.observer.ts:
 * the cache stays free of prom-client and works without one. Called once per `shoe(id)` read: cheap, never throws.
 */
export const READ_CACHE_OBSERVER = Symbol('READ_CACHE_OBSERVER');

/** hit: answered from memory; miss: not cached, read from the database; behind: cached, but not provably current, so read from the database. */
export type ReadCacheResult = 'hit' | 'miss' | 'behind';

export interface ReadCacheObserver {
  readCacheRead(result: ReadCacheResult): void;
}
