import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { isAlive, terminate } from '../../src/database/embedded-postgres-stale';
import { LOCK_STREAMS } from '../../src/event-store/event-store.sql';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk } from '../support/graphql-client';
import { freePort, startServerProcess, stopAllServerProcesses } from '../support/server-process';
import { adminToken, attempt, reachableTempDir, report, sleep, userToken } from './cluster-kit';

/**
 * SIGTERM drains (issue 3, item 4): the server stops accepting connections at once, lets the request in flight
 * finish and answer, closes WebSockets with a proper close frame, closes idle keep-alive connections (which would
 * otherwise hold the process for their timeout), stops its embedded PostgreSQL and exits 0.
 * The request in flight is made slow deterministically: the test holds the shoe stream's lock (the same advisory
 * lock the command takes first), so the mutation waits inside the server until the test lets it go.
 */
let root: string;
let dir: string;

afterAll(async () => {
  await stopAllServerProcesses();
  const pid = dir ? postmasterPid(dir) : undefined;
  if (pid !== undefined && (await isAlive(pid))) await terminate(pid); // only after a failure: the drain stops it
  if (root) rmSync(root, { recursive: true, force: true });
});

it('on SIGTERM refuses new connections, finishes the request in flight, closes sockets cleanly, stops its PostgreSQL and exits 0', async () => {
  root = reachableTempDir('tts-shutdown-');
  dir = path.join(root, 'data');
  const pgPort = await freePort();
  // SHUTDOWN_GRACE_MS: how long in-flight work may take; the lock below is released well within it.
  const env = { EMBEDDED_POSTGRES_DIR: dir, EMBEDDED_POSTGRES_PORT: String(pgPort), LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '8000' };
  const server = await startServerProcess({ env, readyTimeoutMs: 50_000 });
  const postgresPid = postmasterPid(dir)!;
  expect(await isAlive(postgresPid)).toBe(true);
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Drain', brand: 'Cluster' } }, await adminToken())).createShoe;

  // An open subscription, one whose client stopped reading (it will not answer the close handshake), and an idle
  // keep-alive HTTP connection.
  const socket = await openSubscription(server.wsUrl);
  const closed = new Promise<{ code: number; at: number }>((resolve) => socket.once('close', (code) => resolve({ code, at: Date.now() })));
  const stalled = await openSubscription(server.wsUrl);
  stalled.pause();
  const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  const agent = new http.Agent({ keepAlive: true });
  const idle = await idleKeepAliveSocket(`${server.baseUrl}/health/live`, agent);
  const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));

  // The request in flight: blocked on the shoe's lock, held by the test.
  const password = readFileSync(`${dir}.password`, 'utf8').trim();
  const holder = new PgClient({ connectionString: `postgres://postgres:${password}@127.0.0.1:${pgPort}/true_to_size` });
  holder.on('error', () => undefined); // the server stops this cluster at the end of the test
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(LOCK_STREAMS, [[shoe.id]]);
  const inFlight = attempt(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 4 } }, await userToken('drain-user'), 30_000);
  await waitForLockWaiter(holder);

  const signalledAt = Date.now();
  server.kill('SIGTERM');
  // New connections are refused while the request is still in flight.
  await eventuallyRefused(server.baseUrl);
  const refusedAfter = Date.now() - signalledAt;
  let settled = false;
  void inFlight.finally(() => (settled = true));
  expect(settled).toBe(false);
  await sleep(200);
  expect(server.output()).not.toMatch(/shutdown failed/);

  // Let it go: it completes successfully.
  await holder.query('COMMIT');
  await holder.end();
  const outcome = await inFlight;
  expect(outcome.codes).toEqual([]);
  expect(outcome.data?.submitTrueToSize).toMatchObject({ id: shoe.id, version: 2, trueToSize: { count: 1 } });

  // The socket got a close frame (1001 going away, or 1000), the idle connection was closed, the process exits 0.
  const exit = await server.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect([1000, 1001]).toContain((await closed).code);
  await idleClosed;
  stalled.resume(); // it reads its close frame (or finds the connection gone)
  await stalledClosed;
  expect(await isAlive(postgresPid)).toBe(false);
  expect(existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  agent.destroy();
  report(`shutdown: new connections refused ${refusedAfter} ms after SIGTERM; process exited 0 ${Date.now() - signalledAt} ms after SIGTERM`);
});

async function openSubscription(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await acked;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { shoeEvents { position } }' } }));
  return socket;
}

/** One request over a keep-alive agent; resolves with its socket, left idle (and open) in the agent's pool. */
function idleKeepAliveSocket(url: string, agent: http.Agent): Promise<import('node:net').Socket> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.once('end', () => setImmediate(() => resolve(req.socket!)));
    });
    req.once('error', reject);
  });
}

/** Until PostgreSQL shows a backend waiting for an advisory lock (the server's mutation, queued behind ours). */
async function waitForLockWaiter(client: PgClient): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    if (rows[0].n > 0) return;
    if (Date.now() > deadline) throw new Error('the mutation never queued on the stream lock');
    await sleep(20);
  }
}

async function eventuallyRefused(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const error = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(2_000), headers: { connection: 'close' } }).then(
      () => null,
      (e: unknown) => e as { cause?: { code?: string } },
    );
    if (error?.cause?.code === 'ECONNREFUSED') return;
    if (Date.now() > deadline) throw new Error(`new connections were still accepted 10 s after SIGTERM (last: ${JSON.stringify(error?.cause ?? 'answered')})`);
    await sleep(50);
  }
}

function postmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n', 1)[0], 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
