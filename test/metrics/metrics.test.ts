import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import {
  CreateShoeDocument,
  ImportTrueToSizesDocument,
  ShoeChangedDocument,
  ShoeEventsDocument,
  SubmitTrueToSizeDocument,
} from '../generated/graphql';
import { collect, gqlCodes, gqlOk, logOf, token, wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';
import { Exposition, find, parsePrometheusText, valueOf } from './prometheus-text';

/** GET /metrics of a real server, after real operations over HTTP and WebSocket. */
let server: TestServer;
let metricsUrl: string;
let admin: string;
let shopper: string;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer();
  metricsUrl = server.httpUrl.replace(/\/graphql$/, '/metrics');
  admin = await token(server.settings.jwtSecret, 'metrics-admin', ['admin']);
  shopper = await token(server.settings.jwtSecret, 'metrics-shopper');
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.close();
});

async function scrape(): Promise<Exposition> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  return parsePrometheusText(await res.text());
}

/** Scrapes until `probe` holds (gauges follow sockets and timers), returning the last scrape either way. */
async function scrapeUntil(probe: (metrics: Exposition) => boolean, ms = 10_000): Promise<Exposition> {
  const deadline = Date.now() + ms;
  for (;;) {
    const metrics = await scrape();
    if (probe(metrics) || Date.now() > deadline) return metrics;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const activeSubscriptions = (metrics: Exposition) => valueOf(metrics, 'tts_subscriptions_active');

it('answers in the Prometheus text format, version 0.0.4', async () => {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const metrics = parsePrometheusText(await res.text());
  expect(metrics.types.get('tts_graphql_operations_total')).toBe('counter');
  expect(metrics.types.get('tts_graphql_operation_duration_seconds')).toBe('histogram');
  expect(metrics.types.get('tts_subscriptions_active')).toBe('gauge');
  expect(metrics.types.get('tts_subscription_delivery_lag_seconds')).toBe('histogram');
  expect(metrics.types.get('tts_event_feed_listen_reconnects_total')).toBe('counter');
  expect(metrics.types.get('tts_process_cpu_user_seconds_total')).toBe('counter');
});

it('counts operations, appended events and deliveries, and follows a subscription from open to dispose', async () => {
  const before = await scrape();
  expect(activeSubscriptions(before)).toBe(0);

  const client = wsClient(server.wsUrl);
  clients.push(client);
  const sub = collect(client, ShoeEventsDocument, {});
  expect(activeSubscriptions(await scrapeUntil((m) => activeSubscriptions(m) === 1))).toBe(1);

  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Metered', brand: 'Prom' } }, admin)).createShoe;
  await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 2 } }, shopper);
  await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 3 } }, shopper);
  await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: shoe.id, sizes: [1, 2, 3] } }, admin);
  expect(await gqlCodes(server.httpUrl, CreateShoeDocument, { input: { name: 'Refused' } }, shopper)).toEqual(['FORBIDDEN']);
  const events = (await logOf(server.httpUrl, shoe.id, 4)).length;
  expect(events).toBe(4);
  await sub.waitFor(events);

  const after = await scrape();
  const ops = (operation: string, outcome: string) =>
    valueOf(after, 'tts_graphql_operations_total', { operation, type: 'mutation', outcome });
  expect(ops('CreateShoe', 'ok')).toBe(1);
  expect(ops('CreateShoe', 'FORBIDDEN')).toBe(1);
  expect(ops('SubmitTrueToSize', 'ok')).toBe(2);
  expect(ops('ImportTrueToSizes', 'ok')).toBe(1);
  expect(valueOf(after, 'tts_graphql_operations_total', { operation: 'Events', type: 'query', outcome: 'ok' })).toBeGreaterThanOrEqual(1);

  const createdOk = { operation: 'CreateShoe', type: 'mutation', outcome: 'ok' };
  const buckets = find(after, 'tts_graphql_operation_duration_seconds_bucket', createdOk);
  expect(buckets.map((b) => b.labels.le)).toEqual(expect.arrayContaining(['0.005', '0.1', '1', '+Inf']));
  expect(valueOf(after, 'tts_graphql_operation_duration_seconds_bucket', { ...createdOk, le: '+Inf' })).toBe(1);
  expect(valueOf(after, 'tts_graphql_operation_duration_seconds_count', createdOk)).toBe(1);
  expect(valueOf(after, 'tts_graphql_operation_duration_seconds_sum', createdOk)).toBeGreaterThan(0);

  const appended = (m: Exposition) => valueOf(m, 'tts_events_appended_total', { stream_type: 'shoe' });
  expect(appended(after) - appended(before)).toBe(events);
  // One live subscriber, so each event was handed over exactly once.
  const delivered = (m: Exposition) => valueOf(m, 'tts_subscription_delivery_lag_seconds_count');
  expect(delivered(after) - delivered(before)).toBe(events);
  expect(find(after, 'tts_subscription_delivery_lag_seconds_bucket', { le: '+Inf' })).toHaveLength(1);
  expect(valueOf(after, 'tts_event_feed_catch_up_reads_total', { kind: 'follow' })).toBeGreaterThan(0);
  expect(find(after, 'tts_event_feed_catch_up_reads_total', { kind: 'replay' })).toHaveLength(1);

  await client.dispose();
  expect(activeSubscriptions(await scrapeUntil((m) => activeSubscriptions(m) === 0))).toBe(0);
});

it('a client that disconnects ends its subscriptions at once, even on a shoe nobody writes to', async () => {
  const quiet = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Quiet', brand: 'Prom' } }, admin)).createShoe;
  const client = wsClient(server.wsUrl);
  clients.push(client);
  collect(client, ShoeEventsDocument, { shoeId: quiet.id });
  collect(client, ShoeChangedDocument, { id: quiet.id });
  expect(activeSubscriptions(await scrapeUntil((m) => activeSubscriptions(m) === 2))).toBe(2);
  await client.dispose();
  expect(activeSubscriptions(await scrapeUntil((m) => activeSubscriptions(m) === 0))).toBe(0);
});

it('reads the database pool at scrape time', async () => {
  const metrics = await scrape();
  const primary = { pool: 'primary' };
  expect(valueOf(metrics, 'tts_db_pool_max_connections', primary)).toBe(server.settings.databasePoolSize);
  const total = valueOf(metrics, 'tts_db_pool_connections', primary);
  expect(total).toBeGreaterThanOrEqual(1); // queries above opened at least one
  expect(total).toBeLessThanOrEqual(server.settings.databasePoolSize);
  expect(valueOf(metrics, 'tts_db_pool_idle_connections', primary)).toBeLessThanOrEqual(total);
  expect(find(metrics, 'tts_db_pool_waiting_requests', primary)).toHaveLength(1);
});

it('keeps at most 200 distinct operation names; invalid names count as "anonymous", the rest as "other"', async () => {
  // A requested name that is not a GraphQL name never reaches a label.
  await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(CreateShoeDocument), operationName: 'not a name"}' }),
  });
  const names = Array.from({ length: 220 }, (_, i) => `Probe${i}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map((name) =>
        fetch(server.httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `query ${name} { __typename }` }),
        }),
      ),
    );
  }

  const metrics = await scrape();
  const operations = new Set(find(metrics, 'tts_graphql_operations_total').map((s) => s.labels.operation));
  expect(operations.size).toBeLessThanOrEqual(201);
  expect(operations.has('other')).toBe(true);
  expect(operations.has('anonymous')).toBe(true);
  expect([...operations].every((name) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(name))).toBe(true);
  const probes = find(metrics, 'tts_graphql_operations_total', { type: 'query', outcome: 'ok' })
    .filter((s) => s.labels.operation.startsWith('Probe') || s.labels.operation === 'other')
    .reduce((sum, s) => sum + s.value, 0);
  expect(probes).toBe(names.length);
});
