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

/**
 * Put on a subscription with `@Extensions(SHARED_EXECUTION)`: its payload selection resolves the same for every
 * subscriber that sent the same document and variables, because no field under it reads the context (identity,
 * address) or anything else about the subscriber. Then one execution per event serves all of them.
 */
export const SHARED_EXECUTION = { sharedExecution: true } as const;

type MaybePromise<T> = T | Promise<T>;
type Entry = { result: MaybePromise<ExecutionResult>; remaining: number };

/**
 * graphql's `subscribe` runs the subscription's selection once per subscriber per event (mapAsyncIterator +
 * execute): 1,000 subscribers of one instance cost 1,000 executions of the same selection on the same event.
 * This `subscribe`, for graphql-ws and subscriptions-transport-ws alike, executes the selection once per event
 * and per *shape*, the exact text of the document, the operation name and the variables, and hands the same
 * ExecutionResult to every subscriber of that shape; each socket still serializes its own message.
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
 * Results are the ones `execute` produced for the first subscriber (errors, `__typename`, aliases and all) and
 * must not be mutated by whoever sends them: both socket libraries build new objects around them.
 */
export class SharedSubscriptionResults {
  private readonly byPayload = new Map<object, Map<string, Entry>>();
  /** Live subscriptions per shape. */
  private readonly subscribers = new Map<string, number>();
  private schema: GraphQLSchema | null = null;

  constructor(private readonly keep = 1_000) {}

  /** Drop-in for graphql's `subscribe` (the graphql-ws and subscriptions-transport-ws `subscribe` option). */
  readonly subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const shape = this.shapeOf(args);
    const run = (payload: unknown) => execute({ ...args, rootValue: payload });
    if (shape === null) return mapped(source, run, () => undefined);
    this.subscribers.set(shape, (this.subscribers.get(shape) ?? 0) + 1);
    return mapped(
      source,
      (payload) => this.resultFor(payload, shape, run),
      () => {
        const left = (this.subscribers.get(shape) ?? 1) - 1;
        if (left > 0) this.subscribers.set(shape, left);
        else this.subscribers.delete(shape);
      },
    );
  };

  /** How many results are kept right now (for tests). */
  get size(): number {
    let count = 0;
    for (const byShape of this.byPayload.values()) count += byShape.size;
    return count;
  }

  private resultFor(payload: unknown, shape: string, run: (payload: unknown) => MaybePromise<ExecutionResult>): MaybePromise<ExecutionResult> {
    const sharers = this.subscribers.get(shape) ?? 0;
    if (typeof payload !== 'object' || payload === null || sharers < 2) return run(payload);
    let byShape = this.byPayload.get(payload);
    const entry = byShape?.get(shape);
    if (byShape && entry) {
      entry.remaining -= 1;
      if (entry.remaining <= 0) byShape.delete(shape);
      if (byShape.size === 0) this.byPayload.delete(payload);
      return entry.result;
    }
    if (!byShape) {
      byShape = new Map();
      this.byPayload.set(payload, byShape);
      if (this.byPayload.size > this.keep) this.byPayload.delete(this.byPayload.keys().next().value as object);
    }
    const result = run(payload);
    byShape.set(shape, { result, remaining: sharers - 1 });
    return result;
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * graphql's mapAsyncIterator, plus `onEnd` once when the stream ends in any way: the source finishes or fails,
 * mapping fails, or the consumer returns (graphql-ws on `complete` or a closed socket).
 */
function mapped<T>(
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
