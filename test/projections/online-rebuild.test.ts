import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { encodePosition, positionSortKey } from '../../src/event-store/position';
import { RebuildAlreadyRunningError, type RebuildLockHolder } from '../../src/shoes/projections/projection-locks';
import type { RebuildProgress } from '../../src/shoes/projections/rebuild-progress';
import { rebuildShoeProjections, type RebuildPhase, type RebuildReport } from '../../src/shoes/projections/shoe-projection.rebuild';
import { WriteShoeCommand } from '../../src/shoes/commands/write-shoe.handler';
import {
  CreateShoeDocument,
  ShoeDocument,
  ShoesDocument,
  SubmitTrueToSizeDocument,
  type ShoeOrder,
} from '../generated/graphql';
import { gql, gqlOk, token } from '../support/graphql-client';
import { checkProjections } from '../support/projection-check';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * `projections:rebuild --online` against a real server under load: writers rate and create shoes over HTTP
 * and readers read `shoes`/`shoe` in loops while the read model is rebuilt into new tables and switched in.
 */
const CLI = path.resolve(__dirname, '../../dist/shoes/projections/rebuild.cli.js');
const HOT_SHOES = 6;
const BULK_SHOES = 12;
const BULK_RATINGS = 500;

let server: TestServer;
let db: DataSource; // the test's own connections: SQL checks, and the rebuilds called as functions
let admin: string;
let hot: string[];
let cold: string;
let seededShoes: number;

beforeAll(async () => {
  // Readers and writers held by the switch each keep a pooled connection: leave room for all of them.
  server = await startTestServer({ DATABASE_POOL_SIZE: '40' });
  db = await new DataSource(dataSourceOptions(server.db.url, 6)).initialize();
  admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
  await seed();
});
afterAll(async () => {
  await db?.destroy();
  await server?.close(); // also checks that the tables equal the fold of the log
});

const url = () => server.httpUrl;
const readShoe = (id: string) => gql(url(), ShoeDocument, { id });
const create = async (name: string, brand: string) => (await gqlOk(url(), CreateShoeDocument, { input: { name, brand } }, admin)).createShoe.id;
/** A fresh user per rating, so that every rating appends an event (the same value again appends nothing). */
let raters = 0;
const rate = async (shoeId: string, size = (raters % 5) + 1) => {
  const as = await token(server.settings.jwtSecret, `rater-${++raters}`);
  return gql(url(), SubmitTrueToSizeDocument, { input: { shoeId, size } }, { token: as });
};

/** `n` calls of `fn`, `concurrency` at a time. */
async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

/**
 * A log big enough that folding it takes a moment: shoes with 10000-size imports (the largest events),
 * thousands of single ratings, a few shoes the writers will hammer, and one nobody writes during the test.
 * The bulk goes through the CommandBus: the same write path as a mutation (runner, log, inline
 * projection), without spending the test's time on HTTP and GraphQL.
 */
async function seed(): Promise<void> {
  hot = await Promise.all(Array.from({ length: HOT_SHOES }, (_, i) => create(`Hot ${i}`, 'Load')));
  cold = await create('Cold', 'Quiet');
  for (const size of [2, 3, 4]) expect((await rate(cold, size)).errors).toBeUndefined();
  const bulk = await Promise.all(Array.from({ length: BULK_SHOES }, (_, i) => create(`Bulk ${i}`, 'Archive')));
  const bus = server.app.get(CommandBus);
  await inParallel(BULK_SHOES, 4, async (i) => {
    const sizes = Array.from({ length: 10_000 }, (_, k) => ((k * 7 + i) % 5) + 1);
    await bus.execute(new WriteShoeCommand({ type: 'ImportTrueToSizes', data: { shoeId: bulk[i], sizes }, metadata: { now: new Date(), userId: 'admin' } }));
  });
  await inParallel(BULK_RATINGS, 8, (i) =>
    bus.execute(
      new WriteShoeCommand({
        type: 'SubmitTrueToSize',
        data: { shoeId: bulk[i % BULK_SHOES], userId: `seeder-${i}`, size: (i % 5) + 1 },
        metadata: { now: new Date(), userId: `seeder-${i}` },
      }),
    ),
  );
  seededShoes = HOT_SHOES + 1 + BULK_SHOES;
}

/**
 * Writers and readers in loops over HTTP until stopped. Every failure is kept: a GraphQL error, a network
 * error, and for reads also a wrong answer (a shoe that exists read as null, fewer shoes than were
 * seeded), which is what reading a half-built or missing table would give.
 */
class Load {
  /**
   * Pause between two operations of one loop. The server runs in this process: unpaced loops would keep
   * its event loop busy with GraphQL and starve the rebuild under test (which a CLI run never shares).
   */
  static readonly PAUSE_MS = 20;
  writes = 0;
  reads = 0;
  readonly failures: string[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(writers: number, readers: number) {
    for (let w = 0; w < writers; w++) this.loops.push(this.loop(() => this.write(w)));
    for (let r = 0; r < readers; r++) this.loops.push(this.loop(() => this.read(r)));
  }

  /** Resolves once `done()` holds (polled); on a failure or after 20 s, stops the load and throws. */
  async until(done: () => boolean): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!done()) {
      if (this.failures.length || Date.now() > deadline) {
        this.running = false;
        throw new Error(`load failed or stalled (${this.writes} writes, ${this.reads} reads): ${this.failures.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(step: () => Promise<void>): Promise<void> {
    while (this.running) {
      const failed = this.failures.length;
      try {
        await step();
      } catch (error) {
        this.failures.push(String(error));
      }
      // A failing loop stops everything: the test reports the first failures instead of spinning on them.
      if (this.failures.length > failed) this.running = false;
      await new Promise((resolve) => setTimeout(resolve, Load.PAUSE_MS));
    }
  }

  private async write(w: number): Promise<void> {
    const n = this.writes;
    const res =
      n % 10 === 9
        ? await gql(url(), CreateShoeDocument, { input: { name: `New ${randomUUID()}`, brand: 'Load' } }, { token: admin })
        : await rate(hot[(n + w) % HOT_SHOES]);
    if (res.errors?.length || !res.data) this.failures.push(`write: ${JSON.stringify(res.errors)}`);
    else this.writes += 1;
  }

  private async read(r: number): Promise<void> {
    const n = this.reads;
    if ((n + r) % 2 === 0) {
      const id = hot[n % HOT_SHOES];
      const res = await gql(url(), ShoeDocument, { id });
      if (res.errors?.length || res.data?.shoe?.id !== id) this.failures.push(`read shoe: ${JSON.stringify(res.errors ?? res.data)}`);
    } else {
      const orderBy = (['NAME_ASC', 'CREATED_AT_DESC', 'MOST_RATED'] as ShoeOrder[])[n % 3];
      const res = await gql(url(), ShoesDocument, { first: 20, orderBy });
      const total = res.data?.shoes.totalCount ?? 0;
      if (res.errors?.length || total < seededShoes) this.failures.push(`read shoes: ${JSON.stringify(res.errors ?? { total })}`);
    }
    this.reads += 1;
  }
}

/** Polls `done` until it holds; fails after `ms`. */
async function until(done: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The first `value` of a one-row query. */
const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await db.query(sql, params))[0];

/** Index and constraint names of the read-model tables, and the tables' identity. */
async function catalog(): Promise<{ names: string[]; shoesOid: number; ratingsOid: number }> {
  const rows: { name: string }[] = await db.query(
    `SELECT c.relname || ' index ' || i.relname AS name FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
     WHERE c.relname IN ('shoes', 'shoe_ratings')
     UNION ALL
     SELECT conrelid::regclass::text || ' constraint ' || conname FROM pg_constraint WHERE conrelid IN ('shoes'::regclass, 'shoe_ratings'::regclass)
     ORDER BY 1`,
  );
  const oids = await one<{ shoes: number; ratings: number }>(`SELECT 'shoes'::regclass::oid::int AS shoes, 'shoe_ratings'::regclass::oid::int AS ratings`);
  return { names: rows.map((r) => r.name), shoesOid: oids.shoes, ratingsOid: oids.ratings };
}

/** The log's last committed event, read straight from the table. */
async function lastEvent(): Promise<string> {
  const row = await one<{ t: string; g: string }>(
    `SELECT transaction_id::text AS t, global_position::text AS g FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return encodePosition(row.t, row.g);
}

/** How many backends of this database wait on a relation lock (reads) and on the projection writers' lock (writes). */
async function held(): Promise<{ reads: number; writes: number }> {
  return one(
    `SELECT count(*) FILTER (WHERE wait_event = 'relation')::int AS reads,
            count(*) FILTER (WHERE wait_event = 'advisory' AND query LIKE '%projection-writers%')::int AS writes
     FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, DATABASE_URL: server.db.url, NODE_ENV: 'test' }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

const ANOTHER_REBUILD = /another rebuild is running \(pid \d+, projections:rebuild \(node pid \d+\)/;

it('rebuilds into new tables while writers and readers keep going, switches atomically, and replaces what was wrong', async () => {
  // Damage the live tables where no writer goes: a counter, a rating, and a row with no stream behind it.
  const coldCount = (await one<{ n: number }>(`SELECT rating_count AS n FROM shoes WHERE id = $1`, [cold])).n;
  await db.query(`UPDATE shoes SET rating_count = rating_count + 7 WHERE id = $1`, [cold]);
  await db.query(`DELETE FROM shoe_ratings WHERE shoe_id = $1 AND size = 3`, [cold]);
  const orphan = randomUUID();
  await db.query(
    `INSERT INTO shoes (id, name, brand, name_key, created_at, updated_at, version) VALUES ($1, 'Ghost', NULL, 'ghost-key', now(), now(), 1)`,
    [orphan],
  );
  const before = await catalog();
  const logBefore = await lastEvent();

  const load = new Load(2, 2);
  await load.until(() => load.writes >= 20 && load.reads >= 20);
  const writesBefore = load.writes;
  const progress: RebuildProgress[] = [];
  const phases: RebuildPhase[] = [];
  let waitedFor: RebuildLockHolder | null = null;
  let waiting: Promise<RebuildReport> | undefined;
  let heldRead: ReturnType<typeof readShoe> | undefined;
  let heldWrite: ReturnType<typeof rate> | undefined;
  let refusedCli: Awaited<ReturnType<typeof runCli>> | undefined;
  // What the switch left, read at 'done', while this rebuild still holds the lock: right after it, the
  // waiting rebuild starts and makes next tables and a checkpoint of its own.
  let leftAtDone: { tables: unknown; checkpoint: { phase: string; events: string; t: string; g: string } } | undefined;

  const rebuilding = rebuildShoeProjections(db, {
    online: true,
    batchSize: 500,
    onProgress: (p) => progress.push(p),
    onPhase: async (phase) => {
      phases.push(phase);
      if (phase === 'built') {
        // A second rebuild, in place or online, in-process or from the CLI, is refused while this one runs...
        await expect(rebuildShoeProjections(db, { online: true })).rejects.toThrow(ANOTHER_REBUILD);
        await expect(rebuildShoeProjections(db, { dryRun: true })).rejects.toBeInstanceOf(RebuildAlreadyRunningError);
        refusedCli = await runCli(['--online']);
        // ...or waits for it with `wait` (it checks the result against the log once this one is done).
        waiting = rebuildShoeProjections(db, { dryRun: true, wait: true, onWait: (holder) => (waitedFor = holder) });
        // Writers keep going while the rebuild catches up: let a few more land after the fold below the horizon.
        const mark = load.writes;
        await load.until(() => load.writes >= mark + 20);
      }
      if (phase === 'done') {
        leftAtDone = {
          tables: await one(`SELECT to_regclass('shoes_next') AS next, to_regclass('shoes_old') AS old`),
          checkpoint: await one(
            `SELECT phase, events_applied::text AS events, transaction_id::text AS t, global_position::text AS g FROM projection_checkpoints WHERE projection = 'shoes'`,
          ),
        };
      }
      if (phase === 'switching') {
        // Inside the switch, before COMMIT: a read and a write sent now must wait, then succeed on the new tables.
        heldRead = readShoe(cold);
        heldWrite = rate(hot[0], 5);
        await until(async () => {
          const h = await held();
          return h.reads >= 1 && h.writes >= 1;
        }, 'a read and a write held by the switch');
      }
    },
  });
  const report = await rebuilding.finally(() => load.stop());
  const writesDuring = load.writes - writesBefore;

  // Nobody noticed: every write and every read of the loops succeeded, and so did the ones held by the switch.
  expect(load.failures).toEqual([]);
  const [read, write] = await Promise.all([heldRead, heldWrite]);
  expect(read?.errors).toBeUndefined();
  expect(read?.data?.shoe).toMatchObject({ id: cold, trueToSize: { count: coldCount } });
  expect(write?.errors).toBeUndefined();
  expect(writesDuring).toBeGreaterThanOrEqual(20);

  // It really rebuilt: new tables in place (with the old names for every index and constraint), the
  // damage reported and gone, the appended events caught up, the checkpoint at the end of what it applied.
  expect(phases).toEqual(['building', 'built', 'comparing', 'switching', 'done']);
  expect(report.switched).toBe(true);
  expect(report.differences.sort()).toEqual(
    [
      `shoe ${cold}: rating_count is ${coldCount + 7}, the log says ${coldCount}`,
      `shoe ${cold}: shoe_ratings differ from the log`,
      `shoe ${orphan}: in the read model but not in the log`,
    ].sort(),
  );
  // At least the 20 writes awaited after the fold below the horizon, but for the few (one per writer)
  // whose response came after it although their commit came before its last read.
  expect(report.caughtUpEvents).toBeGreaterThanOrEqual(20 - 2);
  const after = await catalog();
  expect(after.names).toEqual(before.names);
  expect(after.shoesOid).not.toBe(before.shoesOid);
  expect(after.ratingsOid).not.toBe(before.ratingsOid);
  expect(leftAtDone?.tables).toEqual({ next: null, old: null });
  expect((await gqlOk(url(), ShoeDocument, { id: orphan })).shoe).toBeNull();

  const checkpoint = leftAtDone!.checkpoint;
  expect(checkpoint.phase).toBe('switched');
  expect(Number(checkpoint.events)).toBe(report.events);
  expect(encodePosition(checkpoint.t, checkpoint.g)).toBe(report.position);
  expect(positionSortKey(report.position)).toBeGreaterThan(positionSortKey(logBefore));
  expect(report.shoes).toBeGreaterThanOrEqual(seededShoes);

  // Progress came with a rate, a position, what is left and an ETA.
  expect(progress.length).toBeGreaterThan(0);
  expect(progress[0]).toEqual({
    phase: 'building',
    events: expect.any(Number),
    eventsPerSecond: expect.any(Number),
    position: expect.any(String),
    remaining: expect.any(Number),
    etaSeconds: progress[0].eventsPerSecond > 0 ? expect.any(Number) : null,
  });

  // The refusals said who runs; the rebuild that waited then found the switched tables equal to the log.
  expect(refusedCli?.code).toBe(3);
  expect(refusedCli?.stderr).toMatch(ANOTHER_REBUILD);
  expect(waitedFor).toMatchObject({ pid: expect.any(Number), applicationName: expect.stringMatching(/^projections:rebuild/) });
  expect((await waiting)?.differences).toEqual([]);
  expect((await checkProjections(server.db.url)).differences).toEqual([]);
});

it('with dryRun compares without switching; the built CLI with --online repairs (exit code 2), then the in-place --dry-run finds nothing (0)', async () => {
  const name = (await one<{ name: string }>(`SELECT name FROM shoes WHERE id = $1`, [cold])).name;
  await db.query(`UPDATE shoes SET name = 'Tampered' WHERE id = $1`, [cold]);
  const tampered = `shoe ${cold}: name is Tampered, the log says ${name}`;
  const before = await catalog();
  const load = new Load(2, 2);
  await load.until(() => load.writes >= 10);

  let first, second;
  try {
    const dryRun = await rebuildShoeProjections(db, { online: true, dryRun: true });
    expect(dryRun).toMatchObject({ switched: false, differences: [tampered] });
    expect(await catalog()).toEqual(before); // the same live tables, untouched
    expect(await one(`SELECT to_regclass('shoes_next') AS next, phase FROM projection_checkpoints`)).toEqual({ next: null, phase: 'compared' });
    first = await runCli(['--online']);
    second = await runCli(['--dry-run']); // in place: compares the switched tables with the fold
  } finally {
    await load.stop();
  }

  expect(load.failures).toEqual([]);
  expect(first.stdout).toContain(`difference: ${tampered}\n`);
  expect(first.stdout).toMatch(/rebuilt \d+ shoes from \d+ events in [\d.]+ s \(\d+ events\/s\) online \(.*\): 1 differences \(the rebuilt tables replaced them\)/);
  expect(first.stderr).toMatch(/rebuild building: \d+ events, \d+ events\/s, position \S+, \d+ remaining, ETA/);
  expect(first.stderr).toContain('rebuild: switching');
  expect(first.code).toBe(2);
  expect(second.stdout).toMatch(/: no difference\n$/);
  expect(second.code).toBe(0);
  expect((await gqlOk(url(), ShoeDocument, { id: cold })).shoe?.name).toBe(name);
  expect((await checkProjections(server.db.url)).differences).toEqual([]);
});
