import fc from 'fast-check';
import {
  CreateShoeDocument,
  ImportTrueToSizesDocument,
  RenameShoeDocument,
  RetractTrueToSizeDocument,
  ShoeDocument,
  ShoeFieldsFragment,
  SubmitTrueToSizeDocument,
} from '../generated/graphql';
import { checkProjections } from '../support/projection-check';
import { gql, gqlOk, GraphQLResponse, logOf, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Any sequence of commands, sent by several users and an admin through the real server over HTTP, keeps:
 * each answer equal to a model kept here, projections equal to the fold of the log, count/sum agreeing with
 * the distribution and average, and versions per stream contiguous from 1.
 * Runs share one database (a fresh one per run would cost seconds each): every run prefixes its names.
 */
const USERS = 3;
const NAMES = ['Air', 'air ', 'Zoom', 'Boost']; // 'Air' and 'air ' share a uniqueness key: CONFLICT paths get hit
const BRANDS = [null, '', 'Nike', ' nike'];
const UNKNOWN_SHOE = '00000000-0000-4000-8000-000000000000';

type Command =
  | { kind: 'create'; name: number; brand: number }
  | { kind: 'rename'; shoe: number; name: number; expected: 'none' | 'current' | 'stale' }
  | { kind: 'submit'; user: number; shoe: number; size: number }
  | { kind: 'retract'; user: number; shoe: number }
  | { kind: 'import'; shoe: number; sizes: number[] };

/** `shoe` indexes the run's shoes modulo their count; index -1 (or no shoe yet) means an id that does not exist. */
const shoeIndex = fc.integer({ min: -1, max: 5 });
const size = fc.integer({ min: 1, max: 5 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), name: fc.nat(NAMES.length - 1), brand: fc.nat(BRANDS.length - 1) }),
  fc.record({
    kind: fc.constant('rename' as const),
    shoe: shoeIndex,
    name: fc.nat(NAMES.length - 1),
    expected: fc.constantFrom('none' as const, 'current' as const, 'stale' as const),
  }),
  fc.record({ kind: fc.constant('submit' as const), user: fc.nat(USERS - 1), shoe: shoeIndex, size }),
  fc.record({ kind: fc.constant('retract' as const), user: fc.nat(USERS - 1), shoe: shoeIndex }),
  fc.record({ kind: fc.constant('import' as const), shoe: shoeIndex, sizes: fc.array(size, { minLength: 1, maxLength: 6 }) }),
);

type ModelShoe = { id: string; name: string; brand: string | null; version: number; ratings: Map<number, number>; imported: number[] };
type Expected = { shoe: ModelShoe } | { code: string };

/** The model: what the contract (API.md) says each command answers, and how it changes the shoes. */
class Model {
  readonly shoes: ModelShoe[] = [];
  constructor(private readonly prefix: string) {}

  name(index: number): string {
    return `${this.prefix} ${NAMES[index]}`;
  }

  pick(index: number): ModelShoe | undefined {
    return index < 0 || this.shoes.length === 0 ? undefined : this.shoes[index % this.shoes.length];
  }

  private taken(brand: string | null, name: string, except?: ModelShoe): boolean {
    const key = (b: string | null, n: string) => JSON.stringify([(b ?? '').trim().toLowerCase(), n.trim().toLowerCase()]);
    return this.shoes.some((s) => s !== except && key(s.brand, s.name) === key(brand, name));
  }

  create(name: string, brand: string | null): Expected | 'new' {
    const trimmedBrand = brand?.trim() || null;
    return this.taken(trimmedBrand, name.trim()) ? { code: 'CONFLICT' } : 'new';
  }

  rename(shoe: ModelShoe | undefined, name: string, expectedVersion: number | null): Expected {
    if (!shoe) return { code: 'NOT_FOUND' };
    if (expectedVersion !== null && expectedVersion !== shoe.version) return { code: 'CONFLICT' };
    const trimmed = name.trim();
    if (trimmed === shoe.name) return { shoe };
    if (this.taken(shoe.brand, trimmed, shoe)) return { code: 'CONFLICT' };
    shoe.name = trimmed;
    shoe.version += 1;
    return { shoe };
  }

  submit(shoe: ModelShoe | undefined, user: number, size: number): Expected {
    if (!shoe) return { code: 'NOT_FOUND' };
    if (shoe.ratings.get(user) !== size) {
      shoe.ratings.set(user, size);
      shoe.version += 1;
    }
    return { shoe };
  }

  retract(shoe: ModelShoe | undefined, user: number): Expected {
    if (!shoe) return { code: 'NOT_FOUND' };
    if (shoe.ratings.delete(user)) shoe.version += 1;
    return { shoe };
  }

  import(shoe: ModelShoe | undefined, sizes: number[]): Expected {
    if (!shoe) return { code: 'NOT_FOUND' };
    shoe.imported.push(...sizes);
    shoe.version += 1;
    return { shoe };
  }
}

function allSizes(shoe: ModelShoe): number[] {
  return [...shoe.ratings.values(), ...shoe.imported];
}

/** The read model the contract promises for a model shoe. */
function expectedFields(shoe: ModelShoe) {
  const sizes = allSizes(shoe);
  const sum = sizes.reduce((a, b) => a + b, 0);
  return {
    id: shoe.id,
    name: shoe.name,
    brand: shoe.brand,
    version: shoe.version,
    trueToSize: {
      count: sizes.length,
      average: sizes.length ? sum / sizes.length : null,
      distribution: [1, 2, 3, 4, 5].map((s) => ({ size: s, count: sizes.filter((x) => x === s).length })),
    },
  };
}

let server: TestServer;
let admin: string;
let users: string[];
let run = 0;

beforeAll(async () => {
  // Rate limits off: a run sends dozens of mutations per user in a second, which is not what is tested here.
  server = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' });
  admin = await token(server.settings.jwtSecret, 'prop-admin', ['admin']);
  users = await Promise.all(Array.from({ length: USERS }, (_, i) => token(server.settings.jwtSecret, `prop-user-${i}`)));
});
afterAll(() => server?.close());

/** Sends one command and returns the shoe it answered, or its error code. */
async function send(cmd: Command, model: Model): Promise<{ answer: GraphQLResponse<Record<string, ShoeFieldsFragment>>; expected: Expected | 'new' }> {
  const url = server.httpUrl;
  const target = 'shoe' in cmd ? model.pick(cmd.shoe) : undefined;
  const shoeId = target?.id ?? UNKNOWN_SHOE;
  switch (cmd.kind) {
    case 'create': {
      const name = model.name(cmd.name);
      const brand = BRANDS[cmd.brand];
      const expected = model.create(name, brand);
      return { expected, answer: await gql(url, CreateShoeDocument, { input: { name, brand } }, { token: admin }) };
    }
    case 'rename': {
      const name = model.name(cmd.name);
      const expectedVersion = cmd.expected === 'none' ? null : (target?.version ?? 1) + (cmd.expected === 'stale' ? 1 : 0);
      const expected = model.rename(target, name, expectedVersion);
      return { expected, answer: await gql(url, RenameShoeDocument, { input: { id: shoeId, name, expectedVersion } }, { token: admin }) };
    }
    case 'submit': {
      const expected = model.submit(target, cmd.user, cmd.size);
      return { expected, answer: await gql(url, SubmitTrueToSizeDocument, { input: { shoeId, size: cmd.size } }, { token: users[cmd.user] }) };
    }
    case 'retract': {
      const expected = model.retract(target, cmd.user);
      return { expected, answer: await gql(url, RetractTrueToSizeDocument, { input: { shoeId } }, { token: users[cmd.user] }) };
    }
    case 'import': {
      const expected = model.import(target, cmd.sizes);
      return { expected, answer: await gql(url, ImportTrueToSizesDocument, { input: { shoeId, sizes: cmd.sizes } }, { token: admin }) };
    }
  }
}

/** Every answer equals the model's; a created shoe joins the model with the id the server gave it. */
async function runCommands(commands: Command[]): Promise<Model> {
  const model = new Model(`run${++run}`);
  for (const cmd of commands) {
    const { answer, expected } = await send(cmd, model);
    const shoe = answer.data ? Object.values(answer.data)[0] : undefined;
    const context = `${JSON.stringify(cmd)} answered ${JSON.stringify(answer)}`;
    if (expected === 'new') {
      if (!shoe) throw new Error(`expected a new shoe: ${context}`);
      const brand = cmd.kind === 'create' ? BRANDS[cmd.brand]?.trim() || null : null;
      const name = cmd.kind === 'create' ? model.name(cmd.name).trim() : '';
      model.shoes.push({ id: shoe.id, name, brand, version: 1, ratings: new Map(), imported: [] });
      expect({ context, shoe }).toMatchObject({ context, shoe: expectedFields(model.shoes[model.shoes.length - 1]) });
    } else if ('code' in expected) {
      expect({ context, codes: answer.errors?.map((e) => e.extensions?.code) }).toEqual({ context, codes: [expected.code] });
    } else {
      expect({ context, shoe }).toMatchObject({ context, shoe: expectedFields(expected.shoe) });
    }
  }
  return model;
}

/** After the sequence: each shoe as read back, its own consistency, and its stream's versions. */
async function checkShoes(model: Model): Promise<void> {
  for (const expected of model.shoes) {
    const { shoe } = await gqlOk(server.httpUrl, ShoeDocument, { id: expected.id });
    expect(shoe).toMatchObject(expectedFields(expected));
    const { count, average, distribution } = shoe!.trueToSize;
    const sum = distribution.reduce((acc, b) => acc + b.size * b.count, 0);
    expect(distribution.reduce((acc, b) => acc + b.count, 0)).toBe(count);
    expect(average).toBe(count === 0 ? null : sum / count);
    const log = await logOf(server.httpUrl, expected.id, expected.version);
    expect(log.map((e) => e.node.version)).toEqual(Array.from({ length: expected.version }, (_, i) => i + 1));
  }
}

it('keeps answers = model, projection = fold of the log, count/sum = distribution, contiguous versions', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
      const model = await runCommands(commands);
      await checkShoes(model);
      const { differences } = await checkProjections(server.db.url);
      expect(differences).toEqual([]);
    }),
    // Bounded: ~10 runs of up to 14 commands take a few seconds; fast-check prints the seed and the shrunk sequence on failure.
    { numRuns: 10 },
  );
});
