import {
  ExecutionResult,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
} from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { SYNC_CONSUMER } from '../event-store/sync-consumer';
import { SHARED_EXECUTION, SharedSubscriptionResults, SOCKET_TARGET, SocketTarget } from './shared-subscription-results';

type Item = { id: string; n: number } | { lagged: true };

/** Each subscription gets its own source; `push` hands the same item object to every open one, as EventFeed does. */
function fixture() {
  const sources = new Set<{ push(item: Item): void; end(): void }>();
  let executions = 0;
  const source = (): AsyncIterableIterator<Item> => {
    const queue: Item[] = [];
    const waiting: ((r: IteratorResult<Item>) => void)[] = [];
    let done = false;
    const handle = {
      push(item: Item) {
        const w = waiting.shift();
        if (w) w({ done: false, value: item });
        else queue.push(item);
      },
      end() {
        done = true;
        sources.delete(handle);
        for (const w of waiting.splice(0)) w({ done: true, value: undefined });
      },
    };
    sources.add(handle);
    return {
      next: () => {
        const item = queue.shift();
        if (item) return Promise.resolve({ done: false, value: item });
        if (done) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: () => {
        handle.end();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  const Node = new GraphQLInterfaceType({ name: 'Node', fields: { id: { type: GraphQLString } }, resolveType: () => 'Event' });
  const Event = new GraphQLObjectType({
    name: 'Event',
    interfaces: [Node],
    fields: {
      id: { type: GraphQLString },
      n: {
        type: GraphQLInt,
        args: { times: { type: GraphQLInt } },
        resolve: (e: { n: number }, args: { times?: number }) => {
          executions += 1;
          return e.n * (args.times ?? 1);
        },
      },
      broken: {
        type: GraphQLString,
        resolve: () => {
          throw new Error('this field always fails');
        },
      },
      viewer: { type: GraphQLString, resolve: (_e, _a, ctx: { who: string }) => ctx.who },
    },
  });
  const resolve = (item: Item) => {
    if ('lagged' in item) throw new Error('lagged');
    return item;
  };
  const Subscription = new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      events: { type: Event, args: { filter: { type: GraphQLString } }, subscribe: source, resolve, extensions: SHARED_EXECUTION },
      mine: { type: new GraphQLNonNull(Event), subscribe: source, resolve },
    },
  });
  const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLInt } } }), subscription: Subscription });
  return {
    schema,
    executions: () => executions,
    push: (item: Item) => [...sources].forEach((s) => s.push(item)),
    endAll: () => [...sources].forEach((s) => s.end()),
  };
}

type Stream = AsyncIterableIterator<ExecutionResult>;
const open = async (
  run: typeof subscribe | SharedSubscriptionResults['subscribe'],
  schema: GraphQLSchema,
  query: string,
  variables: Record<string, unknown> = {},
  who = 'anonymous',
): Promise<Stream> => (await run({ schema, document: parse(query), variableValues: variables, contextValue: { who } })) as Stream;
/** What a socket would send: the result as JSON (GraphQLError serializes like graphql-ws's toJSON()). */
const sent = async (stream: Stream) => JSON.parse(JSON.stringify((await stream.next()).value));

const HEAVY = `subscription ($f: String, $t: Int) {
  events(filter: $f) { __typename id a: n b: n(times: $t) ... on Node { nodeId: id } ...More broken }
}
fragment More on Event { again: n(times: 3) }`;

describe('SharedSubscriptionResults', () => {
  it('given aliases, __typename, fragments and a failing field, then every subscriber gets what graphql-js alone would send', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const vars = { f: 'x', t: 2 };
    const reference = await open(subscribe, f.schema, HEAVY, vars);
    const streams = await Promise.all(Array.from({ length: 5 }, () => open(shared.subscribe, f.schema, HEAVY, vars)));
    f.push({ id: 'e1', n: 7 });

    const expected = await sent(reference);
    expect(expected).toEqual({
      data: { events: { __typename: 'Event', id: 'e1', a: 7, b: 14, nodeId: 'e1', again: 21, broken: null } },
      errors: [expect.objectContaining({ message: 'this field always fails', path: ['events', 'broken'] })],
    });
    for (const stream of streams) expect(await sent(stream)).toEqual(expected);
  });

  it('given many subscribers of one document and variables, then each event is executed once for all of them', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const streams = await Promise.all(Array.from({ length: 20 }, () => open(shared.subscribe, f.schema, 'subscription { events { n } }')));
    for (let i = 1; i <= 3; i++) f.push({ id: `e${i}`, n: i });

    for (const stream of streams) for (let i = 1; i <= 3; i++) expect((await stream.next()).value).toEqual({ data: { events: { n: i } } });
    expect(f.executions()).toBe(3);
    expect(shared.size).toBe(0); // everyone took every result: nothing is kept
  });

  it('given other variables or another document, then those are executed on their own', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const q = 'subscription ($t: Int) { events { n(times: $t) } }';
    const [a1, a2, b1, b2, c] = await Promise.all([
      open(shared.subscribe, f.schema, q, { t: 1 }),
      open(shared.subscribe, f.schema, q, { t: 1 }),
      open(shared.subscribe, f.schema, q, { t: 10 }),
      open(shared.subscribe, f.schema, q, { t: 10 }),
      open(shared.subscribe, f.schema, 'subscription { events { id } }'),
    ]);
    f.push({ id: 'e1', n: 5 });

    expect([await sent(a1), await sent(a2)]).toEqual([{ data: { events: { n: 5 } } }, { data: { events: { n: 5 } } }]);
    expect([await sent(b1), await sent(b2)]).toEqual([{ data: { events: { n: 50 } } }, { data: { events: { n: 50 } } }]);
    expect(await sent(c)).toEqual({ data: { events: { id: 'e1' } } });
    expect(f.executions()).toBe(2);
  });

  it('given subscribers of two shapes taking the same events in turn, then each gets its own shape\'s result, one execution per event and shape, nothing kept after', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const q = 'subscription ($t: Int) { events { n(times: $t) } }';
    // Opened one by one, alternating: the feed hands each event to them in this order (a, b, a, b).
    const streams: Stream[] = [];
    for (const t of [1, 10, 1, 10]) streams.push(await open(shared.subscribe, f.schema, q, { t }));
    f.push({ id: 'e1', n: 2 });
    f.push({ id: 'e2', n: 3 });

    for (const n of [2, 3]) {
      expect(await Promise.all(streams.map(sent))).toEqual([1, 10, 1, 10].map((t) => ({ data: { events: { n: n * t } } })));
    }
    expect(f.executions()).toBe(4);
    expect(shared.size).toBe(0);
  });

  it('given a subscription without SHARED_EXECUTION, then each subscriber is executed with its own context', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const q = 'subscription { mine { viewer n } }';
    const [alice, bob] = await Promise.all([open(shared.subscribe, f.schema, q, {}, 'alice'), open(shared.subscribe, f.schema, q, {}, 'bob')]);
    f.push({ id: 'e1', n: 1 });

    expect(await sent(alice)).toEqual({ data: { mine: { viewer: 'alice', n: 1 } } });
    expect(await sent(bob)).toEqual({ data: { mine: { viewer: 'bob', n: 1 } } });
    expect(f.executions()).toBe(2);
  });

  it('given a per-subscriber item (a lagged marker), then its error reaches that subscriber as graphql-js would send it', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const q = 'subscription { events { id } }';
    const reference = await open(subscribe, f.schema, q);
    const streams = await Promise.all([open(shared.subscribe, f.schema, q), open(shared.subscribe, f.schema, q)]);
    f.push({ lagged: true });

    const expected = await sent(reference);
    expect(expected).toEqual({ data: { events: null }, errors: [expect.objectContaining({ message: 'lagged' })] });
    for (const stream of streams) expect(await sent(stream)).toEqual(expected);
  });

  it('given a lone subscriber, or one whose companion returned, then nothing is kept for sharing', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const q = 'subscription { events { id } }';
    const [first, second] = await Promise.all([open(shared.subscribe, f.schema, q), open(shared.subscribe, f.schema, q)]);
    await second.return?.();
    f.push({ id: 'e1', n: 1 });

    expect(await sent(first)).toEqual({ data: { events: { id: 'e1' } } });
    expect(shared.size).toBe(0);
    await first.return?.();
    await expect(first.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('given a source that ends, then the stream ends too', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const stream = await open(shared.subscribe, f.schema, 'subscription { events { id } }');
    f.endAll();
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('given an invalid subscription, then the errors come back as graphql-js returns them', async () => {
    const f = fixture();
    const shared = new SharedSubscriptionResults();
    const document = parse('subscription { nothing }');
    const expected = await subscribe({ schema: f.schema, document });
    await expect(shared.subscribe({ schema: f.schema, document })).resolves.toEqual(expected);
  });
});

/** A live source that can be consumed synchronously, like the EventFeed's (sync-consumer.ts). */
function syncSource() {
  const queue: Item[] = [];
  const waiting: ((r: IteratorResult<Item>) => void)[] = [];
  let sink: { offer(item: Item): boolean } | null = null;
  let ended = false;
  const settle = () => {
    while (sink && queue.length > 0 && sink.offer(queue[0])) queue.shift();
    while (!sink && queue.length > 0 && waiting.length > 0) waiting.shift()!({ done: false, value: queue.shift()! });
    if (ended) for (const w of waiting.splice(0)) w({ done: true, value: undefined });
  };
  const iterator = {
    next: () => new Promise<IteratorResult<Item>>((resolve) => (waiting.push(resolve), settle())),
    return: () => ((ended = true), settle(), Promise.resolve({ done: true as const, value: undefined })),
    [Symbol.asyncIterator]() {
      return this;
    },
    [SYNC_CONSUMER](s: { offer(item: Item): boolean } | null) {
      sink = s;
      settle();
      return { flush: settle };
    },
  };
  return {
    iterator,
    push: (item: Item) => (queue.push(item), settle()),
    /** What a wrapper yields at the end through next() only, like endWithLagged's Lagged item. */
    finalItem: (item: Item) => waiting.shift()?.({ done: false, value: item }),
    end: () => iterator.return(),
  };
}

/** A graphql-ws socket as the direct path sees it: frames sent, and a TCP socket that can be made to push back. */
function socketTarget(id: string) {
  const frames: string[] = [];
  const drains: (() => void)[] = [];
  const tcp = { writableLength: 0, writableNeedDrain: false, once: (_event: 'drain', listener: () => void) => drains.push(listener) };
  const socket = { OPEN: 1, readyState: 1, send: (frame: string | Buffer) => frames.push(String(frame)) };
  const pushBack = (on: boolean) => {
    tcp.writableLength = on ? 10 * 1024 * 1024 : 0;
    tcp.writableNeedDrain = on;
    if (!on) drains.splice(0).forEach((drain) => drain());
  };
  return { frames, pushBack, target: { socket, tcp, id } as unknown as SocketTarget };
}

describe('SharedSubscriptionResults, writing to graphql-ws sockets directly', () => {
  /** As a server's onNext: the payload of every `next` message (graphql-ws sends what onNext returns). */
  const nextPayload = (result: ExecutionResult) =>
    result.errors ? { ...result, errors: result.errors.map((e) => ({ message: e.message, extensions: { code: 'FORMATTED' } })) } : { ...result, errors: undefined };
  /** The `next` message graphql-ws itself would send for `result` with that onNext, serialized by its own stringifyMessage. */
  const graphqlWsFrame = (id: string, result: ExecutionResult) => stringifyMessage({ id, type: MessageType.Next, payload: nextPayload(result) });

  function directFixture(query: string, subscribers: number, asyncField = false, keepJsonLength?: number) {
    const sources = Array.from({ length: subscribers + 1 }, () => syncSource()); // the last for a reference subscriber
    let next = 0;
    const Event = new GraphQLObjectType({
      name: 'Event',
      fields: {
        id: { type: GraphQLString },
        n: { type: GraphQLInt, resolve: (e: { n: number }) => (asyncField ? Promise.resolve(e.n) : e.n) },
        broken: {
          type: GraphQLString,
          resolve: () => {
            throw new Error('this field always fails');
          },
        },
      },
    });
    const Subscription = new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        events: {
          type: Event,
          subscribe: () => sources[next++].iterator,
          resolve: (item: Item) => {
            if ('lagged' in item) throw new Error('lagged');
            return item;
          },
          extensions: SHARED_EXECUTION,
        },
      },
    });
    const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLInt } } }), subscription: Subscription });
    const shared = new SharedSubscriptionResults({ nextPayload, keepJsonLength });
    const sockets = Array.from({ length: subscribers }, (_, i) => socketTarget(`op-${i}`));
    const open = () =>
      Promise.all(
        sockets.map(
          async (s) =>
            (await shared.subscribe({ schema, document: parse(query), contextValue: { [SOCKET_TARGET]: s.target } })) as AsyncIterableIterator<ExecutionResult>,
        ),
      );
    return { schema, shared, sources, sockets, open, push: (item: Item) => sources.forEach((s) => s.push(item)) };
  }

  it('given events, then each socket gets exactly the frame graphql-ws would send, and the stream yields only the end', async () => {
    const query = 'subscription { events { __typename id twice: n ...on Event { n } broken } }';
    const f = directFixture(query, 3);
    const streams = await f.open();
    const ends = streams.map((s) => s.next());
    const reference = (await subscribe({ schema: f.schema, document: parse(query) })) as AsyncIterableIterator<ExecutionResult>;
    f.push({ id: 'e1', n: 7 });
    f.push({ id: 'e2', n: 8 });

    // graphql-js alone, on the items the reference subscriber's own source received (the last source made)
    const expected = [(await reference.next()).value, (await reference.next()).value];
    expect(expected[0].errors).toHaveLength(1);
    f.sockets.forEach((s, i) => expect(s.frames).toEqual(expected.map((result) => graphqlWsFrame(`op-${i}`, result))));
    f.sources.forEach((s) => void s.end());
    for (const end of ends) await expect(end).resolves.toEqual({ done: true, value: undefined });
  });

  it('given a socket that pushes back, then its events wait in order and go out when it drains', async () => {
    const f = directFixture('subscription { events { id } }', 2);
    await f.open();
    f.sockets[0].pushBack(true);
    f.push({ id: 'e1', n: 1 });
    f.push({ id: 'e2', n: 2 });
    expect(f.sockets[0].frames).toEqual([]);
    expect(f.sockets[1].frames).toHaveLength(2);
    f.sockets[0].pushBack(false);
    expect(f.sockets[0].frames).toEqual(f.sockets[1].frames.map((frame) => frame.replace('"op-1"', '"op-0"')));
  });

  it('given a subscriber that never reads large payloads, then what is kept for it stays within the byte budget, and it still gets every event once it drains', async () => {
    const f = directFixture('subscription { events { id } }', 2, false, 5_000);
    await f.open();
    f.sockets[0].pushBack(true);
    for (let i = 0; i < 20; i++) {
      f.push({ id: `${i}`.padEnd(1_000, 'x'), n: i });
      expect(f.shared.size).toBeLessThanOrEqual(5); // ~1,030 characters each: at most 5 within 5,000 (today: all 20)
    }
    expect(f.sockets[1].frames).toHaveLength(20);
    f.sockets[0].pushBack(false);
    expect(f.sockets[0].frames).toEqual(f.sockets[1].frames.map((frame) => frame.replace('"op-1"', '"op-0"')));
  });

  it('given a per-subscriber item, then it comes through the stream for graphql-ws to send (the lagged error path)', async () => {
    const f = directFixture('subscription { events { id } }', 2);
    const streams = await f.open();
    const pending = streams[0].next();
    f.sources[0].finalItem({ lagged: true });
    const item = await pending;
    expect(item.value).toEqual({ data: { events: null }, errors: [expect.objectContaining({ message: 'lagged' })] });
    expect(f.sockets[0].frames).toEqual([]);
  });

  it('given a selection that resolves asynchronously, then events go through the stream instead, in order', async () => {
    const f = directFixture('subscription { events { id n } }', 2, true);
    const streams = await f.open();
    f.push({ id: 'e1', n: 1 });
    f.push({ id: 'e2', n: 2 });
    for (const stream of streams) {
      expect((await stream.next()).value).toEqual({ data: { events: { id: 'e1', n: 1 } } });
      expect((await stream.next()).value).toEqual({ data: { events: { id: 'e2', n: 2 } } });
    }
    f.sockets.forEach((s) => expect(s.frames).toEqual([]));
  });
});
