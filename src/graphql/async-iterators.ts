/**
 * The async-iterator helpers both socket protocols' `subscribe` wrappers share (shared-subscription-results.ts,
 * socket-limits.ts, legacy-subscriptions.server.ts).
 */
type MaybePromise<T> = T | Promise<T>;

export function isAsyncIterable<T = unknown>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * graphql's mapAsyncIterator, plus `onEnd` once when the stream ends in any way: the source finishes or fails,
 * mapping fails, or the consumer returns (graphql-ws on `complete` or a closed socket).
 */
export function mapped<T>(
  iterable: AsyncIterable<unknown>,
  map: (payload: unknown) => MaybePromise<T>,
  onEnd: () => void,
): AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>>; throw(error: unknown): Promise<IteratorResult<T>> } {
  const source = iterable[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const close = async () => {
    end();
    try {
      await source.return?.();
    } catch {
      // Keep the original outcome when closing the source also fails (as mapAsyncIterator does).
    }
  };
  return {
    async next(): Promise<IteratorResult<T>> {
      let item: IteratorResult<unknown>;
      try {
        item = await source.next();
      } catch (error) {
        end();
        throw error;
      }
      if (item.done) {
        end();
        return { done: true, value: undefined };
      }
      try {
        return { done: false, value: await map(item.value) };
      } catch (error) {
        await close();
        throw error;
      }
    },
    async return(): Promise<IteratorResult<T>> {
      await close();
      return { done: true, value: undefined };
    },
    async throw(error: unknown): Promise<IteratorResult<T>> {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
