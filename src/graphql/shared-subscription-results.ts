import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import {
  createSourceEventStream,
  DocumentNode,
  execute,
  ExecutionArgs,
  ExecutionResult,
  getOperationAST,
  GraphQLSchema,
  Kind,
  print,
  SelectionSetNode,
} from 'graphql';
import { MessageType } from 'graphql-ws';
import { isSyncConsumable, SYNC_CONSUMER, SyncConsumable, SyncControl } from '../event-store/sync-consumer';
import { isAsyncIterable, mapped } from './async-iterators';
import { sendText, socketFrames } from './socket-write-batching';

/**
 * Put on a subscription with `@Extensions(SHARED_EXECUTION)`: its payload selection resolves the same for every
 * subscriber that sent the same document and variables, because no field under it reads the context (identity,
 * address) or anything else about the subscriber. Then one execution per event serves all of them.
 */
export const SHARED_EXECUTION = { sharedExecution: true } as const;

type MaybePromise<T> = T | Promise<T>;
/**
 * The shared result of one payload for one shape. `bytes`: the UTF-8 of the serialized `next` payload and the
 * message's closing brace, made once for all sharers.
 */
type Entry = { payload: object; shape: Shape; result: MaybePromise<ExecutionResult>; bytes?: Buffer; remaining: number };
/**
 * A shape's live subscriptions, and the entry its subscribers were last handed while it is kept: the feed hands one
 * payload to every subscriber in a row, so all but the first find it here instead of in two maps.
 */
type Shape = { key: string; subscribers: number; lastEntry: Entry | null };

/**
 * Serialized payloads kept for subscribers that are behind, in bytes. A count alone
 * (`keep`) let one never-reading socket subscribed to large payloads (25 aliases of a 1,000-size import) pin
 * ~70 MB of shared results; past this budget the oldest payloads go too, and whoever is that far behind executes
 * for itself when it catches up (same result, not shared). Caveat: only serialized results are counted (the
 * result objects beside them are of the same order), so the real figure is a small multiple of this.
 */
const MAX_KEPT_JSON_LENGTH = 8 * 1024 * 1024;

/**
 * On a graphql-ws subscription's context (set by the server's `context` function; a symbol key survives the copy
 * Nest makes of every context): the socket and operation id its `next` messages may be written to directly.
 */
export const SOCKET_TARGET = Symbol('socketTarget');
/** `type`: the message type of a result, graphql-ws's `next` unless given (subscriptions-transport-ws: `data`). */
export type SocketTarget = { socket: WebSocket; tcp: Socket; id: string; type?: string };

export type SharedSubscriptionOptions = {
  /** Results kept for subscribers that are behind, counted in payloads (default 1,000). */
  keep?: number;
  /** Serialized results kept, in bytes (default MAX_KEPT_JSON_LENGTH). */
  keepJsonLength?: number;
  /**
   * The `payload` of a result's `next` message: the server's onNext, which must always return one, so graphql-ws
   * sends the same (graphql-ws.server.ts); needed to write messages directly. It must not depend on the subscriber:
   * it runs once per result.
   */
  nextPayload?: (result: ExecutionResult) => unknown;
};

/** A socket holding this much unsent data takes no more direct messages until it drained (the queues fill instead). */
export const MAX_BUFFERED_BYTES = 256 * 1024;

/** Whether a socket holds MAX_BUFFERED_BYTES unsent (then node has also promised a 'drain'): both protocols' back-pressure. */
export function isCongested(tcp: Pick<Socket, 'writableLength' | 'writableNeedDrain'>): boolean {
  return tcp.writableLength >= MAX_BUFFERED_BYTES && tcp.writableNeedDrain;
}

/**
 * graphql's `subscribe` runs the subscription's selection once per subscriber per event (mapAsyncIterator +
 * execute): 1,000 subscribers of one instance cost 1,000 executions of the same selection on the same event.
 * This `subscribe`, for graphql-ws and subscriptions-transport-ws alike, executes the selection once per event
 * and per *shape*, the exact text of the document, the operation name and the variables, and hands the same
 * ExecutionResult to every subscriber of that shape.
 *
 * It shares only what is safe to share:
 *   - subscriptions whose root field carries SHARED_EXECUTION (anything else runs exactly like graphql's);
 *   - payloads that are objects, by identity: the EventFeed hands the same RecordedEvent to every subscriber, and
 *     a per-subscriber item (a Lagged marker) simply finds nothing to share;
 *   - only while two or more live subscriptions have the shape (a lone subscriber keeps nothing).
 * An entry is dropped once every subscriber of its shape has taken it; entries someone will never take (that
 * subscriber ended meanwhile) go in arrival order after `keep` newer payloads. A subscriber further behind than
 * that executes for itself: the same result, only not shared.
 *
 * Direct writes. Even with one execution, graphql-ws spends a chain of promises and a JSON.stringify per message
 * (~8 µs of CPU per delivery under L). When the subscription is on a graphql-ws socket (SOCKET_TARGET) and its
 * source can be consumed synchronously (sync-consumer.ts: the EventFeed's events), each event is written to the
 * socket as it arrives, as the exact `next` message graphql-ws would send (`{"id","type":"next","payload"}`, the
 * payload serialized to UTF-8 once per event and shape), while graphql-ws's own loop only waits for the end: the
 * lagged error, a failure, `complete`. The frames go beneath `ws` where that writes the same bytes, one buffer
 * per socket and turn (SocketFrames, socket-write-batching.ts: the fan-out's CPU per delivery under L went from
 * ~3.1 to ~1.05 µs), else through ws.send. Per delivery there is no Map lookup and no allocation left here: a
 * subscriber finds the event's entry on its shape (Shape.lastEntry), and the batch reuses its array and buffer (in
 * a micro-benchmark of this path alone, 500 subscribers on 10 real sockets: 0.27 → 0.13 µs per delivery, kernel
 * write included). Back-pressure is the socket's: above MAX_BUFFERED_BYTES unsent, events
 * wait in the subscription's own bounded queue (and overflow it into SUBSCRIPTION_LAGGED, as before) until the
 * socket drains.
 *
 * Results are the ones `execute` produced for the first subscriber (errors, `__typename`, aliases and all) and
 * must not be mutated by whoever sends them: both socket libraries build new objects around them.
 */
export class SharedSubscriptionResults {
  private readonly byPayload = new Map<object, Map<string, Entry>>();
  /** Shapes with live subscriptions, by key. */
  private readonly shapes = new Map<string, Shape>();
  private readonly outboxes = new WeakMap<Socket, SocketOutbox>();
  private schema: GraphQLSchema | null = null;
  private readonly keep: number;
  private readonly keepJsonLength: number;
  /** Length of the `bytes` of every kept entry. */
  private keptJsonLength = 0;

  constructor(private readonly options: SharedSubscriptionOptions = {}) {
    this.keep = options.keep ?? 1_000;
    this.keepJsonLength = options.keepJsonLength ?? MAX_KEPT_JSON_LENGTH;
  }

  /** Drop-in for graphql's `subscribe` (the graphql-ws and subscriptions-transport-ws `subscribe` option). */
  readonly subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = this.shapeOf(args);
    const run = (payload: unknown) => execute({ ...args, rootValue: payload });
    if (key === null) return mapped(source, run, () => undefined);
    const shape = this.shapeFor(key);
    shape.subscribers += 1;
    const release = () => {
      if (shape.subscribers > 0) shape.subscribers -= 1;
      if (shape.subscribers === 0 && this.shapes.get(key) === shape) this.shapes.delete(key);
    };
    const target = (args.contextValue as { [SOCKET_TARGET]?: SocketTarget } | undefined)?.[SOCKET_TARGET];
    if (target && this.options.nextPayload && isSyncConsumable(source)) return this.direct(source, shape, run, target, release);
    return mapped(source, (payload) => this.resultFor(payload, shape, run), release);
  };

  /** How many results are kept right now (for tests). */
  get size(): number {
    let count = 0;
    for (const byShape of this.byPayload.values()) count += byShape.size;
    return count;
  }

  /** See "Direct writes" above. What comes through the returned iterator goes the usual way, through graphql-ws. */
  private direct(
    source: AsyncIterable<unknown> & SyncConsumable<unknown>,
    shape: Shape,
    run: (payload: unknown) => MaybePromise<ExecutionResult>,
    target: SocketTarget,
    release: () => void,
  ): AsyncIterableIterator<ExecutionResult> {
    // The bytes of graphql-ws's stringifyMessage({ id, type, payload }): this prefix, made once per subscription,
    // then the payload and closing brace, serialized once per event and shape (the spec compares them).
    const prefix = Buffer.from(`{"id":${JSON.stringify(target.id)},"type":${JSON.stringify(target.type ?? MessageType.Next)},"payload":`);
    const outbox = this.outboxOf(target.tcp);
    // Looked up once: batchSocketWrites ran at the connection, before any subscription.
    const frames = socketFrames(target.socket);
    let direct = true;
    // The source may offer events while the sink is being registered, before its control exists.
    const registered: { control?: SyncControl } = {};
    const resume: SyncControl = { flush: () => registered.control?.flush() };
    const sink = {
      offer: (payload: unknown): boolean => {
        if (!direct) return false;
        // graphql-ws drops a message for a socket that is no longer open, and goes on.
        if (target.socket.readyState !== target.socket.OPEN) return true;
        if (outbox.congested()) {
          outbox.wait(resume);
          return false;
        }
        let bytes: Buffer | null;
        try {
          bytes = this.bytesFor(payload, shape, run);
        } catch {
          bytes = null;
        }
        if (bytes === null) {
          // An asynchronous (or failing) execution cannot be written from here: from now on this subscription's
          // events go through graphql-ws's loop, in order (the source keeps the refused one first).
          direct = false;
          queueMicrotask(() => source[SYNC_CONSUMER](null));
          return false;
        }
        // Beneath `ws`, one buffer per socket and turn, where that is what ws would write; else through ws.send.
        sendText(target.socket, prefix, bytes, frames);
        return true;
      },
    };
    registered.control = source[SYNC_CONSUMER](sink);
    return mapped(
      source,
      (payload) => this.resultFor(payload, shape, run),
      () => {
        release();
        outbox.forget(resume);
      },
    );
  }

  private outboxOf(tcp: Socket): SocketOutbox {
    let outbox = this.outboxes.get(tcp);
    if (!outbox) {
      outbox = new SocketOutbox(tcp);
      this.outboxes.set(tcp, outbox);
    }
    return outbox;
  }

  private shapeFor(key: string): Shape {
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = { key, subscribers: 0, lastEntry: null };
      this.shapes.set(key, shape);
    }
    return shape;
  }

  private resultFor(payload: unknown, shape: Shape, run: (payload: unknown) => MaybePromise<ExecutionResult>): MaybePromise<ExecutionResult> {
    const entry = this.entryFor(payload, shape, run);
    if (!entry) return run(payload);
    this.taken(entry);
    return entry.result;
  }

  /**
   * The UTF-8 of the serialized `next` payload and the message's closing brace, shared like the result; null when
   * the result is not there yet (a promise).
   */
  private bytesFor(payload: unknown, shape: Shape, run: (payload: unknown) => MaybePromise<ExecutionResult>): Buffer | null {
    const entry = this.entryFor(payload, shape, run);
    if (!entry) {
      const result = run(payload);
      return isPromise(result) ? null : this.serialized(result);
    }
    if (isPromise(entry.result)) return null; // left for resultFor (the entry stays untaken)
    if (entry.bytes !== undefined) {
      this.taken(entry);
      return entry.bytes;
    }
    const bytes = this.serialized(entry.result);
    entry.bytes = bytes;
    this.keptJsonLength += bytes.length;
    this.taken(entry);
    this.dropOldestOverBudget(); // only made bytes add to what is kept
    return bytes;
  }

  private serialized(result: ExecutionResult): Buffer {
    const nextPayload = this.options.nextPayload as (result: ExecutionResult) => unknown;
    return Buffer.from(JSON.stringify(nextPayload(result)) + '}');
  }

  /**
   * The shared entry (created by the first taker, executing the selection), or null where nothing is shared (the
   * caller executes for itself).
   */
  private entryFor(payload: unknown, shape: Shape, run: (payload: unknown) => MaybePromise<ExecutionResult>): Entry | null {
    if (typeof payload !== 'object' || payload === null || shape.subscribers < 2) return null;
    const last = shape.lastEntry;
    if (last !== null && last.payload === payload) return last;
    let byShape = this.byPayload.get(payload);
    let entry = byShape?.get(shape.key);
    if (!entry) {
      if (!byShape) {
        byShape = new Map();
        this.byPayload.set(payload, byShape);
        if (this.byPayload.size > this.keep) this.dropOldest();
      }
      entry = { payload, shape, result: run(payload), remaining: shape.subscribers };
      byShape.set(shape.key, entry);
    }
    shape.lastEntry = entry;
    return entry;
  }

  /** One sharer took the entry; the last one drops it. */
  private taken(entry: Entry): void {
    entry.remaining -= 1;
    if (entry.remaining > 0) return;
    const byShape = this.byPayload.get(entry.payload);
    if (byShape?.get(entry.shape.key) !== entry) return;
    byShape.delete(entry.shape.key);
    this.dropped(entry);
    if (byShape.size === 0) this.byPayload.delete(entry.payload);
  }

  /** An entry left the maps: its bytes no longer count, and its shape no longer offers it. */
  private dropped(entry: Entry): void {
    this.keptJsonLength -= entry.bytes?.length ?? 0;
    if (entry.shape.lastEntry === entry) entry.shape.lastEntry = null;
  }

  /** The oldest payload's entries, whoever has not taken them yet (they execute for themselves if they ever do). */
  private dropOldest(): void {
    const oldest = this.byPayload.keys().next();
    if (oldest.done) return;
    for (const entry of this.byPayload.get(oldest.value)!.values()) this.dropped(entry);
    this.byPayload.delete(oldest.value);
  }

  private dropOldestOverBudget(): void {
    while (this.keptJsonLength > this.keepJsonLength && this.byPayload.size > 0) this.dropOldest();
  }

  /** The shape key, or null when this subscription must run unshared. */
  private shapeOf(args: ExecutionArgs): string | null {
    if (args.fieldResolver || args.typeResolver || args.subscribeFieldResolver) return null;
    // One instance serves one schema; the key below would not tell two schemas apart.
    this.schema ??= args.schema;
    if (args.schema !== this.schema) return null;
    const operation = getOperationAST(args.document, args.operationName);
    const subscriptionType = args.schema.getSubscriptionType();
    if (!operation || operation.operation !== 'subscription' || !subscriptionType) return null;
    const fields = subscriptionType.getFields();
    const rootFields = rootFieldNames(operation.selectionSet, args.document);
    if (rootFields.length === 0 || rootFields.some((name) => fields[name]?.extensions?.sharedExecution !== true)) return null;
    return JSON.stringify([args.operationName ?? null, print(args.document), args.variableValues ?? null]);
  }
}

/** Names of the root fields an operation selects, through fragments. */
function rootFieldNames(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFieldNames(fragment.selectionSet, document, seen) : [];
  });
}

/**
 * Direct writes' back-pressure, per socket: congested while it holds MAX_BUFFERED_BYTES unsent (then node has also
 * promised a 'drain'); the subscriptions that were refused meanwhile are offered their queues again on 'drain'.
 */
class SocketOutbox {
  private readonly waiting = new Set<SyncControl>();

  constructor(private readonly tcp: Socket) {}

  congested(): boolean {
    return isCongested(this.tcp);
  }

  wait(control: SyncControl): void {
    if (this.waiting.size === 0) this.tcp.once('drain', this.resume);
    this.waiting.add(control);
  }

  forget(control: SyncControl): void {
    this.waiting.delete(control);
  }

  private readonly resume = (): void => {
    const controls = [...this.waiting];
    this.waiting.clear();
    for (const control of controls) control.flush();
  };
}

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === 'function';
}
