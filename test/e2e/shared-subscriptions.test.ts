import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { stringifyMessage, MessageType } from 'graphql-ws';
import WebSocket, { ClientOptions } from 'ws';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { collect, gqlOk, logOf, token, wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Subscribers that send the same document and variables share one execution per event
 * (src/graphql/shared-subscription-results.ts): what each of them receives must be exactly what a subscriber
 * executed on its own receives, on both socket protocols, for both subscriptions.
 */
let server: TestServer;
let admin: string;
const clients: { dispose(): void | Promise<void> }[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = await token(server.settings.jwtSecret, 'shared-admin', ['admin']);
});
afterAll(async () => {
  sockets.forEach((s) => s.terminate());
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.close();
});

/** Aliases, __typename, an interface fragment, a named fragment: everything a shared result must carry. */
const eventsDocument = (name: string) => `subscription ${name}($shoeId: ID, $after: String) {
  shoeEvents(shoeId: $shoeId, after: $after) {
    __typename kind: __typename at: position shoeId v: version occurredAt
    ... on TrueToSizeSubmitted { size was: previousSize }
    ...Created
  }
}
fragment Created on ShoeCreated { name brand }`;

const changedDocument = (name: string) => `subscription ${name}($id: ID) {
  shoeChanged(id: $id) { __typename id v: version trueToSize { average count distribution { size n: count } } }
}`;

type Payload = { data?: Record<string, unknown> | null; errors?: unknown[] };
const typed = (text: string) => parse(text) as unknown as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
const client = () => {
  const c = wsClient(server.wsUrl);
  clients.push(c);
  return c;
};

/** A subscriptions-transport-ws client: its `data` payloads for operation '1'. */
async function legacySubscriber(query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(server.wsUrl, 'graphql-ws');
  sockets.push(socket);
  const payloads: Payload[] = [];
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: Payload };
    if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'start', payload: { query, variables } }));
    if (message.type === 'data' && message.id === '1') payloads.push(message.payload as Payload);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  return {
    payloads,
    waitFor: async (n: number) => {
      for (const deadline = Date.now() + 15_000; payloads.length < n; await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() > deadline) throw new Error(`legacy subscriber got ${payloads.length}/${n} payloads`);
      }
      return payloads;
    },
  };
}

/**
 * A raw socket of either protocol (graphql-transport-ws, or the legacy one under its subprotocol 'graphql-ws') with
 * `count` subscriptions of one document, ids '0'..: the text of every result message, per id, as it came.
 */
async function rawSubscriber(protocol: 'graphql-transport-ws' | 'graphql-ws', query: string, variables: Record<string, unknown>, count: number, options: ClientOptions = {}) {
  const socket = new WebSocket(server.wsUrl, protocol, options);
  sockets.push(socket);
  const legacy = protocol === 'graphql-ws';
  const byId = new Map<string, string[]>(Array.from({ length: count }, (_, i) => [String(i), []]));
  const others: string[] = [];
  socket.on('message', (raw, isBinary) => {
    const text = String(raw);
    const message = JSON.parse(text) as { type: string; id?: string };
    if (message.type === 'connection_ack') {
      for (const id of byId.keys()) socket.send(JSON.stringify({ id, type: legacy ? 'start' : 'subscribe', payload: { query, variables } }));
    } else if (!isBinary && message.type === (legacy ? 'data' : 'next') && byId.has(message.id ?? '')) byId.get(message.id as string)?.push(text);
    else if (message.type !== 'ka') others.push(text);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  return {
    socket,
    byId,
    others,
    waitFor: async (n: number) => {
      for (const deadline = Date.now() + 20_000; [...byId.values()].some((texts) => texts.length < n); await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() > deadline) throw new Error(`${protocol} socket: ${[...byId.values()].map((t) => t.length).join(',')} of ${n} each`);
      }
    },
  };
}

async function rate(shoeId: string, users: string[]): Promise<void> {
  for (const [i, user] of users.entries()) {
    const rater = await token(server.settings.jwtSecret, user);
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId, size: (i % 5) + 1 } }, rater);
  }
}

it('shoeEvents: every sharer of a document gets exactly what a subscriber executed alone gets, on both protocols', async () => {
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Shared', brand: 'Fanout' } }, admin)).createShoe;
  const [created] = await logOf(server.httpUrl, shoe.id, 1);
  // Filtered to the shoe, replayed from its creation: three graphql-ws sharers and a legacy one of one document and
  // its variables, and a lone subscriber of the same selection under another operation name (executed on its own).
  const variables = { shoeId: shoe.id, after: created.cursor };
  const shared = Array.from({ length: 3 }, () => collect(client(), typed(eventsDocument('Shared')), variables));
  const legacy = await legacySubscriber(eventsDocument('Shared'), variables);
  const alone = collect(client(), typed(eventsDocument('Alone')), variables);
  // Unfiltered sharers (nothing else writes meanwhile).
  const unfiltered = Array.from({ length: 2 }, () => collect(client(), typed(eventsDocument('Shared')), { shoeId: null, after: created.cursor }));
  await rate(shoe.id, ['shared-1', 'shared-2', 'shared-3']);

  const expected = await alone.waitFor(3);
  expect(expected.map((p) => p.data?.shoeEvents)).toEqual(
    [2, 3, 4].map((v) => expect.objectContaining({ __typename: 'TrueToSizeSubmitted', kind: 'TrueToSizeSubmitted', shoeId: shoe.id, v })),
  );
  for (const sub of [...shared, ...unfiltered]) expect(await sub.waitFor(3)).toEqual(expected);
  expect(await legacy.waitFor(3)).toEqual(expected);
  [...shared, ...unfiltered, alone].forEach((s) => s.stop());
});

it('many subscriptions on one socket, either protocol, deflate offered or not: every event, in order, the bytes graphql-ws sends', async () => {
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Fan-out', brand: 'Fanout' } }, admin)).createShoe;
  const [created] = await logOf(server.httpUrl, shoe.id, 1);
  const variables = { shoeId: shoe.id, after: created.cursor };
  const query = eventsDocument('Many');
  // The reference: a graphql-ws client's payloads (JSON.parse keeps key order: stringifying them again gives the sent bytes).
  const reference = collect(client(), typed(query), variables);
  const plain = await rawSubscriber('graphql-transport-ws', query, variables, 60);
  // This server negotiates no permessage-deflate: a client offering it gets plain frames, written beneath ws.
  const offering = await rawSubscriber('graphql-transport-ws', query, variables, 30, { perMessageDeflate: true });
  const legacy = await rawSubscriber('graphql-ws', query, variables, 60);
  const users = Array.from({ length: 6 }, (_, i) => `many-${i}`);
  await rate(shoe.id, users);

  const expected = await reference.waitFor(users.length);
  expect(expected.map((p) => (p.data?.shoeEvents as { v: number }).v)).toEqual([2, 3, 4, 5, 6, 7]);
  await Promise.all([plain, offering, legacy].map((s) => s.waitFor(users.length)));
  expect(offering.socket.extensions).toBe('');
  for (const s of [plain, offering]) {
    for (const [id, texts] of s.byId) expect(texts).toEqual(expected.map((payload) => stringifyMessage({ id, type: MessageType.Next, payload })));
    expect(s.others).toEqual([]);
  }
  // The legacy library orders its keys type, id, payload; direct writes id, type, payload (the same JSON).
  for (const [id, texts] of legacy.byId) expect(texts.map((t) => JSON.parse(t) as unknown)).toEqual(expected.map((payload) => ({ id, type: 'data', payload })));
  expect(legacy.others).toEqual([]);
  reference.stop();
});

it('shoeChanged: sharers get exactly what a subscriber executed alone gets', async () => {
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Shared Changes', brand: 'Fanout' } }, admin)).createShoe;
  const shared = Array.from({ length: 3 }, () => collect(client(), typed(changedDocument('Shared')), { id: shoe.id }));
  const alone = collect(client(), typed(changedDocument('Alone')), { id: shoe.id });
  await new Promise((r) => setTimeout(r, 300));
  await rate(shoe.id, ['changed-1', 'changed-2']);

  // The subscription starts at the end of the log, which may trail the creation for a moment; wait for the last rating.
  const version3 = (items: Payload[]) => items.some((p) => (p.data?.shoeChanged as { v?: number } | undefined)?.v === 3);
  for (const sub of [alone, ...shared]) {
    for (const deadline = Date.now() + 15_000; !version3(sub.items) && Date.now() < deadline; ) await sub.waitFor(sub.items.length + 1);
  }
  const last = (items: Payload[]) => items.find((p) => (p.data?.shoeChanged as { v?: number }).v === 3);
  expect(last(alone.items)?.data?.shoeChanged).toMatchObject({ __typename: 'Shoe', id: shoe.id, v: 3, trueToSize: { count: 2, average: 1.5 } });
  for (const sub of shared) expect(last(sub.items)).toEqual(last(alone.items));
  [...shared, alone].forEach((s) => s.stop());
});
