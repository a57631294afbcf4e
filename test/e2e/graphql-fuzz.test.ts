import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  GraphQLArgument,
  GraphQLEnumType,
  GraphQLField,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  parse,
  validate,
} from 'graphql';
import { Client } from 'pg';
import WebSocket from 'ws';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk, logOf, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Issue 9 item 7: random and hostile values for every argument of every Query/Mutation/Subscription field, taken
 * from schema.gql (so a new argument or input field is fuzzed without touching this file), sent as inline
 * literals and as variables over HTTP, graphql-ws (graphql-transport-ws) and the legacy subscriptions-transport-ws.
 * Whatever comes in: no INTERNAL_SERVER_ERROR, no 5xx, no socket closed by the server, every error carries a code
 * of API.md's list, and a mutation that answers an error appends nothing.
 * A failure prints fast-check's seed and the shrunk request; FUZZ_SEED=<seed> replays it.
 */
const API_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
  'SUBSCRIPTION_LAGGED',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
]);

const schema: GraphQLSchema = buildSchema(readFileSync(join(__dirname, '../../schema.gql'), 'utf8'));

// ---------------------------------------------------------------------------------------------------------------
// Values: a small tree that prints both as a GraphQL literal and as JSON (enums differ: bare name vs string).

type Value = null | boolean | number | string | { enum: string } | Value[] | { fields: [string, Value][] };

function toLiteral(v: Value): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v); // only finite numbers are generated; 1e+100 is a valid Float literal
  if (typeof v === 'string') return JSON.stringify(v); // JSON's escapes are GraphQL's (a lone surrogate escape is a parse error)
  if (Array.isArray(v)) return `[${v.map(toLiteral).join(', ')}]`;
  if ('enum' in v) return v.enum;
  return `{${v.fields.map(([k, f]) => `${k}: ${toLiteral(f)}`).join(', ')}}`;
}

function toJson(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if ('enum' in v) return v.enum;
  return Object.fromEntries(v.fields.map(([k, f]) => [k, toJson(f)]));
}

/** Filled in beforeAll: ids and cursors that exist, so the fuzzer also reaches the code behind the checks. */
const real = { shoeId: '00000000-0000-4000-8000-000000000000', cursor: 'x', shoeCursor: 'x' };

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'a', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\u202eevil', 'e\u0301', '\u200b', "' OR 1=1 --", '%00', '-1', '0', '1e999', 'null'),
  fc.constant('x'.repeat(10_000)),
  fc.constant('\u0000'.repeat(300)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}x`),
  fc.uuid().map((u) => u.slice(0, 35) + 'g'),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.constant(null).map(() => real.shoeId),
  fc.constant(null).map(() => real.cursor),
  fc.constant(null).map(() => real.shoeCursor),
  fc.constant(null).map(() => real.cursor.slice(0, -2)),
  fc.constant(null).map(() => `${real.cursor}A`),
  fc.uint8Array({ maxLength: 48 }).map(b64),
  fc.constantFrom('{"p":"-1"}', '{"p":"99999999999999999999999"}', '{"p":1e308}', '[1,2]', '"', '{"p":"\\u0000"}', '{"name":"\\ud800","id":"x"}').map(b64),
  fc.constantFrom('-1', '9'.repeat(40), '0', 'NaN', '1.5', '00000000-0000-0000-0000-000000000000').map(b64),
);
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1, 3, 5, 6, -1, 100, 101, 1000, 1001, 10_000, 10_001, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1e100, -1e100),
  fc.constantFrom(3.5, -0.5, 1e-7, 0.1, 4.999999999),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any value at all, of any type: what a hostile client sends where the schema wants something else. */
const anyValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.constantFrom('NAME_ASC', 'name_asc', 'FOO', '__typename').map((e) => ({ enum: e })),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom('shoeId', 'id', 'name', 'size', 'x', 'sizes'), tie('v')), { maxLength: 3 }).map((fields) => ({ fields: dedupe(fields) })),
  ),
})).v;

function dedupe(fields: [string, Value][]): [string, Value][] {
  return [...new Map(fields).entries()];
}

/**
 * A value shaped by the schema type (so checks past coercion are reached), hostile inside; sometimes anything.
 * `name` (the argument's or input field's) picks plausible values now and then, so that a request often holds
 * only one hostile part and the checks behind the others (resolvers, the domain, SQL) are reached too.
 */
function valueFor(type: GraphQLInputType, name: string, depth = 0): fc.Arbitrary<Value> {
  return fc.oneof({ weight: 8, arbitrary: shapedValue(type, name, depth) }, { weight: 1, arbitrary: anyValue });
}

function plausible(type: GraphQLInputType, name: string): fc.Arbitrary<Value> | null {
  const named = getNamedType(type);
  if (named.name === 'ID' || /id$/i.test(name)) return fc.constant(null).map(() => real.shoeId);
  if (name === 'after') return fc.constantFrom('cursor', 'shoeCursor').map((k) => real[k as 'cursor' | 'shoeCursor']);
  if (/^sizes?$/.test(name) && named.name === 'Int') return fc.integer({ min: 1, max: 5 });
  if (name === 'first') return fc.integer({ min: 1, max: 100 });
  if (name === 'expectedVersion') return fc.integer({ min: 1, max: 4 });
  if (named.name === 'String') return fc.string({ minLength: 1, maxLength: 12 });
  return null;
}

function shapedValue(type: GraphQLInputType, name: string, depth: number): fc.Arbitrary<Value> {
  if (isNonNullType(type)) return shapedValue(type.ofType, name, depth);
  if (isListType(type)) {
    const item = valueFor(type.ofType, name, depth + 1);
    return fc.oneof(
      { weight: 4, arbitrary: fc.array(item, { minLength: 1, maxLength: 4 }) },
      fc.constant([] as Value[]),
      item, // a single value where a list is wanted: GraphQL coerces it to a list of one
      fc.array(fc.array(item, { maxLength: 2 }), { maxLength: 2 }), // nested lists
      fc.constantFrom(10_000, 10_001).chain((n) => fc.constantFrom(1, 3, 6).map((s) => Array<Value>(n).fill(s))),
    );
  }
  if (isInputObjectType(type)) return inputObject(type, depth);
  if (isEnumType(type)) return enumValue(type);
  const good = plausible(type, name);
  const bad = hostileLeaf(type.name);
  return good ? fc.oneof({ weight: 4, arbitrary: good }, { weight: 2, arbitrary: bad }) : bad;
}

function hostileLeaf(scalar: string): fc.Arbitrary<Value> {
  switch (scalar) {
    case 'Int':
    case 'Float':
      return fc.oneof({ weight: 4, arbitrary: hostileNumber }, { weight: 1, arbitrary: hostileString });
    case 'Boolean':
      return fc.oneof(fc.boolean(), hostileNumber, hostileString);
    default: // String, ID and custom scalars
      return fc.oneof({ weight: 5, arbitrary: hostileString }, { weight: 1, arbitrary: hostileNumber });
  }
}

function enumValue(type: GraphQLEnumType): fc.Arbitrary<Value> {
  const names = type.getValues().map((v) => v.name);
  return fc.oneof(
    fc.constantFrom(...names).map((e) => ({ enum: e })),
    fc.constantFrom(...names, 'FOO', names[0].toLowerCase()).map((e): Value => e), // a string where an enum is wanted
  );
}

/** Every field of the input object: present, missing (required ones too) or null; plus sometimes an unknown field. */
function inputObject(type: GraphQLInputObjectType, depth: number): fc.Arbitrary<Value> {
  const fields = Object.values(type.getFields()).map((f) =>
    fc.oneof(
      { weight: 6, arbitrary: valueFor(f.type, f.name, depth + 1).map((v): [string, Value] | undefined => [f.name, v]) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  );
  const extra = fc.option(anyValue.map((v): [string, Value] => ['unknownField', v]), { freq: 8 });
  return fc.tuple(fc.tuple(...fields), extra).map(([present, more]) => ({
    fields: [...present, more ?? undefined].filter((f): f is [string, Value] => f !== undefined),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Operations: every root field, every argument, inline or as variables.

type Target = { operation: 'query' | 'mutation' | 'subscription'; field: GraphQLField<unknown, unknown> };
const targets: Target[] = (['query', 'mutation', 'subscription'] as const).flatMap((operation) => {
  const root = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() }[operation];
  return root ? Object.values(root.getFields()).map((field) => ({ operation, field })) : [];
});

/** The smallest valid selection of a type: its first scalar field, or the first field's own selection. */
function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isUnionType(named)) return '{ __typename }';
  if (!isObjectType(named) && !isInterfaceType(named)) return '';
  const fields = Object.values((named as GraphQLObjectType).getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type)));
  const leaf = fields.find((f) => selection(f.type) === '');
  return leaf ? `{ ${leaf.name} }` : `{ ${fields[0].name} ${selection(fields[0].type)} }`;
}

type Request = { operation: Target['operation']; query: string; variables: Record<string, unknown> };

/** Each argument omitted (required ones too, now and then) or given a value; all inline, or all as variables. */
function request(target: Target): fc.Arbitrary<Request> {
  const args = target.field.args.map((arg: GraphQLArgument) =>
    fc.oneof(
      { weight: 8, arbitrary: valueFor(arg.type, arg.name).map((v) => ({ arg, value: v as Value | undefined })) },
      { weight: 1, arbitrary: fc.constant({ arg, value: undefined as Value | undefined }) },
    ),
  );
  return fc.tuple(fc.tuple(...args), fc.boolean()).map(([given, asVariables]) => {
    const present = given.filter((g) => g.value !== undefined || (isNonNullType(g.arg.type) && !asVariables));
    const sel = selection(target.field.type);
    if (!asVariables) {
      const list = present.filter((g) => g.value !== undefined).map((g) => `${g.arg.name}: ${toLiteral(g.value as Value)}`);
      return { operation: target.operation, query: `${target.operation} { ${target.field.name}${list.length ? `(${list.join(', ')})` : ''} ${sel} }`, variables: {} };
    }
    // Variables declared with the argument's own type; a required one declared but left out of `variables` is "missing".
    const all = target.field.args;
    const decls = all.map((a) => `$${a.name}: ${String(a.type)}`);
    const uses = all.map((a) => `${a.name}: $${a.name}`);
    const variables = Object.fromEntries(present.filter((g) => g.value !== undefined).map((g) => [g.arg.name, toJson(g.value as Value)]));
    const head = decls.length ? `(${decls.join(', ')})` : '';
    const call = uses.length ? `(${uses.join(', ')})` : '';
    return { operation: target.operation, query: `${target.operation} Fuzz${head} { ${target.field.name}${call} ${sel} }`, variables };
  });
}

const requestOf = (...operations: Target['operation'][]): fc.Arbitrary<Request> =>
  fc.oneof(...targets.filter((t) => operations.includes(t.operation)).map(request));
const anyRequest = requestOf('query', 'mutation', 'subscription');
// HTTP refuses every subscription with BAD_REQUEST (tested once below): fuzzing them there would only repeat that.
const httpRequest = requestOf('query', 'mutation');

// ---------------------------------------------------------------------------------------------------------------
// Verdicts.

type ErrorLike = { message?: unknown; extensions?: { code?: unknown } };

/** The code graphql-js itself gives a document: a syntax error, or one that fails validation against schema.gql. */
function documentCode(query: string): 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | null {
  let document;
  try {
    document = parse(query);
  } catch {
    return 'GRAPHQL_PARSE_FAILED';
  }
  return validate(schema, document).length ? 'GRAPHQL_VALIDATION_FAILED' : null;
}

/**
 * What is wrong with one answer's errors: a code outside API.md's list (INTERNAL_SERVER_ERROR included) or none;
 * for a document that does not parse or validate, any code but that one (the same contract on every transport).
 */
function badErrors(req: Request, errors: unknown): string[] {
  const problems: string[] = [];
  const expected = documentCode(req.query);
  if (expected && !(Array.isArray(errors) && errors.length)) problems.push(`no error for a document graphql-js refuses (${expected})`);
  if (errors === undefined) return problems;
  if (!Array.isArray(errors)) return [...problems, `errors is not a list: ${clip(errors)}`];
  for (const e of errors as ErrorLike[]) {
    const code = String(e?.extensions?.code);
    if (!API_CODES.has(code)) problems.push(`error with code ${code}: ${clip(e?.message)}`);
    else if (expected && code !== expected) problems.push(`error with code ${code} where ${expected} is due: ${clip(e?.message)}`);
  }
  return problems;
}

const clip = (v: unknown) => JSON.stringify(v)?.slice(0, 300);

let server: TestServer;
let admin: string;
let pg: Client;
const eventCount = async () => Number((await pg.query('SELECT count(*)::int AS n FROM events')).rows[0].n);

/**
 * Sends one request and checks it; for a mutation, also that an answer with errors appended nothing.
 * Returns the problems found (empty when all is well), so the property states them all at once.
 */
async function verdict(req: Request, send: () => Promise<{ problems: string[]; errors: unknown }>): Promise<string[]> {
  const before = req.operation === 'mutation' ? await eventCount() : 0;
  const { problems, errors } = await send();
  if (req.operation === 'mutation' && Array.isArray(errors) && errors.length) {
    const after = await eventCount();
    if (after !== before) problems.push(`a mutation answering errors appended ${after - before} event(s)`);
  }
  return problems;
}

function expectNoProblems(req: Request, problems: string[]): void {
  if (problems.length) throw new Error(`${problems.join('\n')}\nrequest: ${clip(req)}`);
}

const fuzzSettings = (numRuns: number): fc.Parameters<[Request]> => ({
  numRuns: Math.round(numRuns * Number(process.env.FUZZ_SCALE ?? 1)), // FUZZ_SCALE=10 for a longer hunt
  seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
  // Shrinking replays requests; bounded, so a failure still reports within seconds.
  interruptAfterTimeLimit: 20_000,
  markInterruptAsFailure: false,
});

beforeAll(async () => {
  // Rate limits off: thousands of mutations per minute are the point here, RATE_LIMITED would hide the argument checks.
  server = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' });
  admin = await token(server.settings.jwtSecret, 'fuzz-admin', ['admin']);
  pg = new Client({ connectionString: server.db.url });
  await pg.connect();
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Fuzz target', brand: 'Fuzz' } }, admin)).createShoe;
  await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 3 } }, admin);
  const log = await logOf(server.httpUrl, shoe.id, 2);
  Object.assign(real, { shoeId: shoe.id, cursor: log[1].cursor, shoeCursor: log[0].cursor });
});
afterAll(async () => {
  await pg?.end();
  await server?.close();
});

it('derives a request for every argument of every root field, input object fields included', () => {
  const covered = targets.flatMap((t) => t.field.args.map((a) => `${t.operation}.${t.field.name}(${a.name})`));
  expect(covered).toEqual(expect.arrayContaining(['query.shoes(after)', 'mutation.importTrueToSizes(input)', 'subscription.shoeEvents(after)']));
  expect(targets.map((t) => t.field.name)).toEqual(expect.arrayContaining(['shoe', 'createShoe', 'shoeChanged']));
});

// ---------------------------------------------------------------------------------------------------------------
// HTTP

const GARBAGE_AUTH = ['', 'Bearer', 'Bearer garbage', 'Bearer a.b.c', 'Basic YWRtaW46YWRtaW4=', `Bearer ${b64('{"alg":"none"}')}.${b64('{"sub":"x"}')}.`];

async function overHttp(req: Request, authorization: string | undefined): Promise<{ problems: string[]; errors: unknown }> {
  const res = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...(authorization !== undefined ? { authorization } : {}) },
    body: JSON.stringify({ query: req.query, variables: req.variables }),
  });
  const text = await res.text();
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`HTTP ${res.status}`);
  let body: { errors?: unknown } = {};
  try {
    body = JSON.parse(text) as { errors?: unknown };
  } catch {
    problems.push(`HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (res.status >= 400 && !body.errors) problems.push(`HTTP ${res.status} without errors`);
  problems.push(...badErrors(req, body.errors));
  return { problems, errors: body.errors };
}

describe('over HTTP', () => {
  it('refuses a subscription with BAD_REQUEST (it used to run like a query and fail with INTERNAL_SERVER_ERROR)', async () => {
    const req: Request = { operation: 'subscription', query: `subscription { shoeEvents(shoeId: "${real.shoeId}") { position } }`, variables: {} };
    const { errors } = await overHttp(req, undefined);
    expect((errors as ErrorLike[]).map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
  });

  it('answers hostile arguments with codes of the contract, never 5xx, and appends nothing for a refused mutation', async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, async (req) => {
        expectNoProblems(req, await verdict(req, () => overHttp(req, `Bearer ${admin}`)));
      }),
      fuzzSettings(250),
    );
  });

  it('does the same without a token and with garbage ones', async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, fc.option(fc.constantFrom(...GARBAGE_AUTH), { nil: undefined }), async (req, auth) => {
        expectNoProblems(req, await verdict(req, () => overHttp(req, auth)));
      }),
      { ...fuzzSettings(60) } as fc.Parameters<[Request, string | undefined]>,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Sockets: one socket per protocol is reused for all requests (WS_MAX_SOCKETS_PER_ADDRESS); a closed one is a finding.

type Protocol = 'graphql-transport-ws' | 'graphql-ws';
type Frame = { type: string; id?: string; payload?: unknown };

class RawSocket {
  private socket!: WebSocket;
  private frames: Frame[] = [];
  closedWith: { code: number; reason: string } | null = null;
  private nextId = 0;

  constructor(
    private readonly protocol: Protocol,
    private readonly authorization?: string,
  ) {}

  async open(): Promise<void> {
    this.frames = [];
    this.closedWith = null;
    this.socket = new WebSocket(server.wsUrl, this.protocol);
    this.socket.on('message', (raw) => this.frames.push(JSON.parse(String(raw)) as Frame));
    this.socket.on('close', (code, reason) => (this.closedWith = { code, reason: String(reason) }));
    this.socket.on('error', () => undefined); // `closedWith` tells the outcome
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('close', () => reject(new Error(`${this.protocol} socket closed before it opened`)));
    });
    const payload = this.authorization ? { authorization: this.authorization } : {};
    this.socket.send(JSON.stringify({ type: 'connection_init', payload }));
    await this.until(() => this.frames.some((f) => f.type === 'connection_ack'), 5000);
  }

  private async until(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (this.closedWith || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  /**
   * Runs one operation: until its error or complete, or (a live subscription) its first result or 100 ms, then
   * stops it. A socket the server closed is reopened for the next request, after reporting it.
   */
  async send(req: Request): Promise<{ problems: string[]; errors: unknown }> {
    if (!this.socket || this.closedWith) await this.open();
    const id = String(++this.nextId);
    const legacy = this.protocol === 'graphql-ws';
    this.socket.send(JSON.stringify({ id, type: legacy ? 'start' : 'subscribe', payload: { query: req.query, variables: req.variables } }));
    const mine = () => this.frames.filter((f) => f.id === id);
    // Legacy: an operation the server refuses before running it gets one `data` with errors and no `complete`
    // (subscriptions-transport-ws's own behaviour, which its clients take as the end of the operation).
    const refusedLegacy = (f: Frame) => legacy && f.type === 'data' && !(f.payload as { data?: unknown })?.data;
    const terminal = () => mine().some((f) => f.type === 'error' || f.type === 'complete' || refusedLegacy(f));
    const settled = req.operation === 'subscription' ? () => terminal() || mine().length > 0 : terminal;
    await this.until(settled, req.operation === 'subscription' ? 100 : 5000);
    if (!terminal() && !this.closedWith) this.socket.send(JSON.stringify({ id, type: legacy ? 'stop' : 'complete' }));
    const problems: string[] = [];
    const errors: unknown[] = [];
    for (const frame of mine()) {
      if (frame.type === 'error') {
        // graphql-transport-ws: a list of GraphQL errors; legacy: one error object (or a list)
        errors.push(...(Array.isArray(frame.payload) ? frame.payload : [frame.payload]));
      } else if (frame.type === 'next' || frame.type === 'data') {
        const payloadErrors = (frame.payload as { errors?: unknown[] } | undefined)?.errors;
        if (payloadErrors) errors.push(...payloadErrors);
      }
    }
    problems.push(...badErrors(req, errors));
    if (req.operation !== 'subscription' && !terminal() && !this.closedWith) problems.push('no answer within 5 s');
    if (this.closedWith) problems.push(`the server closed the ${this.protocol} socket: ${this.closedWith.code} ${this.closedWith.reason}`);
    return { problems, errors };
  }

  async close(): Promise<void> {
    if (!this.socket || this.closedWith) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}

describe.each(['graphql-transport-ws', 'graphql-ws'] as const)('over %s', (protocol) => {
  let withToken: RawSocket;
  let anonymous: RawSocket;
  beforeAll(() => {
    withToken = new RawSocket(protocol, `Bearer ${admin}`);
    anonymous = new RawSocket(protocol);
  });
  afterAll(async () => {
    await withToken?.close();
    await anonymous?.close();
  });

  it('answers hostile arguments with codes of the contract, never closes the socket, appends nothing for a refused mutation', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, fc.boolean(), async (req, signedIn) => {
        const socket = signedIn ? withToken : anonymous;
        expectNoProblems(req, await verdict(req, () => socket.send(req)));
      }),
      { ...fuzzSettings(150) } as fc.Parameters<[Request, boolean]>,
    );
  });
});
