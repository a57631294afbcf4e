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
import { SHARED_EXECUTION, SharedSubscriptionResults } from './shared-subscription-results';

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
