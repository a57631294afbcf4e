import type { Socket } from 'node:net';
import { MessageTypes } from 'subscriptions-transport-ws';
import { isCongested } from './shared-subscription-results';

/** One `start` of an operation id, and whether a `stop` for that id came after it. */
export type LegacyStart = { stopped: boolean };

/**
 * subscriptions-transport-ws 0.11 loses a `stop` that arrives while its `start` is still being set up (the
 * start waits for connection_init's promise, then for onOperation and subscribe, all asynchronous): `stop` finds
 * no operation to end, and the subscription set up afterwards delivers until the socket closes. This sees every
 * message of one socket before the library does (its listener is added first), in order, so it can tell, once the
 * subscription exists, whether a `stop` came after its `start`.
 *
 * Starts of one id reach onOperation in the order they arrived (the library chains each on the same
 * connection_init promise), so `take` hands them out first in, first out. A start whose onOperation or validation
 * failed is never settled: it stays until a stop of its id or the socket's close (as the library's own record of
 * that operation does).
 */
export class LegacyStarts {
  /** Starts seen whose onOperation has not run yet, per id, oldest first. */
  private readonly waiting = new Map<string, LegacyStart[]>();
  /** Starts taken by onOperation whose subscription is not set up yet. */
  private readonly starting = new Map<string, Set<LegacyStart>>();
  /** The client spoke the protocol's oldest dialect (`init`): results go out as `subscription_data`. */
  oldest = false;

  /**
   * A raw message, before the library reads it; returns its type. Anything unparseable is left to the library to
   * answer. Caveat: each message is parsed twice (here and by the library), bounded by the frame limit.
   */
  seen(raw: unknown): unknown {
    let message: { id?: unknown; type?: unknown };
    try {
      message = JSON.parse(String(raw)) as { id?: unknown; type?: unknown };
    } catch {
      return undefined;
    }
    if (typeof message !== 'object' || message === null) return undefined;
    const id = String(message.id);
    if (message.type === MessageTypes.INIT) this.oldest = true;
    if (message.type === MessageTypes.GQL_START || message.type === MessageTypes.SUBSCRIPTION_START) this.started(id);
    if (message.type === MessageTypes.GQL_STOP || message.type === MessageTypes.SUBSCRIPTION_END) this.stopped(id);
    return message.type;
  }

  started(id: string): void {
    const queue = this.waiting.get(id) ?? [];
    queue.push({ stopped: false });
    this.waiting.set(id, queue);
  }

  stopped(id: string): void {
    for (const start of this.waiting.get(id) ?? []) start.stopped = true;
    for (const start of this.starting.get(id) ?? []) start.stopped = true;
    this.starting.delete(id);
  }

  /** onOperation of `id`: its start (the oldest waiting one). */
  take(id: string): LegacyStart {
    const queue = this.waiting.get(id);
    const start = queue?.shift() ?? { stopped: false };
    if (queue?.length === 0) this.waiting.delete(id);
    const set = this.starting.get(id) ?? new Set();
    set.add(start);
    this.starting.set(id, set);
    return start;
  }

  /** The subscription of `start` is set up (or refused): a later stop is the library's to handle. */
  settle(id: string, start: LegacyStart): void {
    const set = this.starting.get(id);
    set?.delete(start);
    if (set?.size === 0) this.starting.delete(id);
  }
}

/**
 * Back-pressure for what the legacy library sends from an iterator: it sends each result as soon as the iterator
 * yields it and asks for the next at once, whatever the socket holds (a paused reader grew the server by 1 GB in
 * 15 s). Here, after a result was yielded, the next one is asked for only once the TCP socket holds less than
 * MAX_BUFFERED_BYTES unsent (or has closed); meanwhile the source's own bounded queue fills and ends it with
 * SUBSCRIPTION_LAGGED. The first item is never held back: on direct writes (SharedSubscriptionResults) the
 * iterator yields only the end, the lagged error, and that must leave at once, as on graphql-ws.
 */
export function paced<T>(source: AsyncIterableIterator<T>, tcp: Socket): AsyncIterableIterator<T> {
  let yielded = false;
  return {
    async next() {
      if (yielded) await drained(tcp);
      const item = await source.next();
      if (!item.done) yielded = true;
      return item;
    },
    async return() {
      return (await source.return?.()) ?? { done: true, value: undefined };
    },
    async throw(error: unknown) {
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** One wait per socket, shared by its subscriptions (a listener each would trip Node's MaxListeners warning). */
const draining = new WeakMap<Socket, Promise<void>>();

function drained(tcp: Socket): Promise<void> {
  if (tcp.destroyed || !isCongested(tcp)) return Promise.resolve();
  let wait = draining.get(tcp);
  if (!wait) {
    wait = new Promise((resolve) => {
      const done = () => {
        tcp.off('drain', done);
        tcp.off('close', done);
        draining.delete(tcp);
        resolve();
      };
      tcp.on('drain', done);
      tcp.on('close', done);
    });
    draining.set(tcp, wait);
  }
  return wait;
}
