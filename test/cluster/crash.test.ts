import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isAlive, terminate } from '../../src/database/embedded-postgres-stale';
import { CreateShoeDocument, ShoesDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk } from '../support/graphql-client';
import { checkProjections } from '../support/projection-check';
import { freePort, ServerProcess, startServerProcess, stopAllServerProcesses } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { adminToken, attempt, LogEvent, reachableTempDir, readLog, report, userToken } from './cluster-kit';

/**
 * kill -9 under write load (issue 3, item 4): the process gets no chance to flush or roll anything back, so
 * whatever a client was told (a successful response) must already be committed, and a new process on the same
 * data must come back by itself with every projection equal to the fold of the log.
 */
const SHOES = 5;
const WRITERS = 20;
/** Acknowledged writes before the kill: enough that many requests are in flight when it lands. */
const KILL_AFTER = 200;

type Ack = { shoeId: string; version: number; size: number };

let db: TestDatabase | undefined;
const folders: string[] = [];
const embeddedDirs: string[] = [];

afterAll(async () => {
  await stopAllServerProcesses();
  // A failed embedded test may leave the postgres a killed server orphaned: stop it before removing its files.
  for (const dir of embeddedDirs) {
    const pid = postmasterPid(dir);
    if (pid !== undefined && (await isAlive(pid))) await terminate(pid);
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  await db?.drop();
});

it('loses no acknowledged write when an instance is killed with SIGKILL mid-load (DATABASE_URL)', async () => {
  db = await createTestDatabase('tts_crash');
  const env = { DATABASE_URL: db.url };
  const first = await startServerProcess({ env });
  const { acks, shoes } = await writeUntilKilled(first);

  const second = await startServerProcess({ env });
  await expectEveryAckPresent(second, acks, shoes);
  await expectProjectionsEqualTheFold(db.url);
  await second.stop();
});

it('comes back on the same embedded cluster after SIGKILL: stops the orphaned postgres and keeps the data', async () => {
  const root = reachableTempDir('tts-crash-');
  folders.push(root);
  const dir = path.join(root, 'data');
  embeddedDirs.push(dir);
  // A fixed port, so that the URL (password from the file next to the dir) is the same for both runs.
  const env = { EMBEDDED_POSTGRES_DIR: dir, EMBEDDED_POSTGRES_PORT: String(await freePort()) };
  const first = await startServerProcess({ env, readyTimeoutMs: 50_000 });
  const { acks, shoes } = await writeUntilKilled(first);
  const orphan = postmasterPid(dir);
  expect(orphan).toBeDefined();
  expect(await isAlive(orphan!)).toBe(true); // postgres is a child process: kill -9 of Node leaves it running

  const second = await startServerProcess({ env, readyTimeoutMs: 50_000 });
  expect(await isAlive(orphan!)).toBe(false);
  expect(second.output()).toContain(`a postgres (pid ${orphan}) left behind by an earlier run`);
  await expectEveryAckPresent(second, acks, shoes);
  const password = readFileSync(`${dir}.password`, 'utf8').trim();
  await expectProjectionsEqualTheFold(`postgres://postgres:${password}@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/true_to_size`);

  // And a clean stop takes its own postgres with it.
  const running = postmasterPid(dir)!;
  await expect(second.stop()).resolves.toEqual({ code: 0, signal: null });
  expect(await isAlive(running)).toBe(false);
  expect(existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
});

/**
 * 20 writers rate 5 shoes as fast as they can, each write changing the writer's rating (so each appends one
 * event); once 200 writes were acknowledged the server gets SIGKILL. A write counts as acknowledged only when its
 * response arrived complete and successful; the ones cut off may or may not have committed, and neither is wrong.
 */
async function writeUntilKilled(server: ServerProcess): Promise<{ acks: Ack[]; shoes: string[] }> {
  const admin = await adminToken();
  const shoes: string[] = [];
  for (let i = 0; i < SHOES; i++) {
    shoes.push((await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Crash ${i}`, brand: 'Cluster' } }, admin)).createShoe.id);
  }
  const acks: Ack[] = [];
  let killedAt = 0;
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    const user = await userToken(`crash-writer-${w}`);
    for (let n = 0; ; n++) {
      const shoeId = shoes[(w + n) % SHOES];
      const size = ((w + Math.floor(n / SHOES)) % 5) + 1; // a different size from this writer's last one on the shoe
      const outcome = await attempt(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId, size } }, user).catch(() => null);
      if (!outcome?.data) return; // the server is gone (refused, reset); a GraphQL error would also end this writer
      acks.push({ shoeId, version: outcome.data.submitTrueToSize.version, size });
      if (acks.length >= KILL_AFTER && !killedAt) {
        killedAt = acks.length;
        server.kill('SIGKILL');
      }
    }
  });
  await Promise.all(writers);
  expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
  return { acks, shoes };
}

/** Every acknowledged write is in the log (same shoe, version and size) and in the read model's version. */
async function expectEveryAckPresent(server: ServerProcess, acks: Ack[], shoes: string[]): Promise<void> {
  const log = await readLog(server.httpUrl);
  const byVersion = new Map<string, LogEvent>(log.map((event) => [`${event.shoeId}:${event.version}`, event]));
  const missing = acks.filter((ack) => {
    const event = byVersion.get(`${ack.shoeId}:${ack.version}`);
    return !(event?.__typename === 'TrueToSizeSubmitted' && event.size === ack.size);
  });
  expect(missing).toEqual([]);
  const ratings = log.filter((event) => event.__typename === 'TrueToSizeSubmitted').length;
  report(`crash: after the restart the log holds all ${acks.length} acknowledged ratings, plus ${ratings - acks.length} committed whose response the kill cut off`);
  const { shoes: page } = await gqlOk(server.httpUrl, ShoesDocument, { first: 100 });
  for (const shoeId of shoes) {
    const version = page.edges.find((edge) => edge.node.id === shoeId)?.node.version ?? 0;
    const logVersion = Math.max(...log.filter((e) => e.shoeId === shoeId).map((e) => e.version));
    expect(version).toBe(logVersion);
    expect(version).toBeGreaterThanOrEqual(Math.max(0, ...acks.filter((a) => a.shoeId === shoeId).map((a) => a.version)));
  }
}

async function expectProjectionsEqualTheFold(url: string): Promise<void> {
  const check = await checkProjections(url);
  expect(check.differences).toEqual([]);
  expect(check.events).toBe(check.logSize);
}

function postmasterPid(dir: string): number | undefined {
  const file = path.join(dir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n', 1)[0], 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
