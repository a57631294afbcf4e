import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrations } from '../../src/database/migrate';
import { rebuildShoeProjections } from '../../src/shoes/projections/shoe-projection.rebuild';
import { SyntheticShoeLog, type SyntheticEvent } from '../support/synthetic-shoe-log/synthetic-shoe-log';
import { checkReadModel, writeSyntheticEvents } from '../support/synthetic-shoe-log/synthetic-shoe-log.writer';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * `projections:rebuild` (repairing in place, the default) on logs made by the synthetic generator (every event decided by the
 * domain, written straight into the events table as the store writes it, the read model left behind):
 * the rebuilt tables must equal the generator's own fold, also when the rebuild was interrupted and
 * resumed from a checkpoint while events kept being appended.
 */
let db: TestDatabase;
let dataSource: DataSource;
let pg: Client;

beforeAll(async () => {
  db = await createTestDatabase('tts_rebuild');
  dataSource = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  await runMigrations(dataSource);
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await dataSource?.destroy();
  await db?.drop();
});

async function append(events: SyntheticEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2000) await writeSyntheticEvents(pg, events.slice(i, i + 2000));
}

const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await dataSource.query(sql, params))[0];
const checkpoint = () =>
  one<{ phase: string; events: number; staged: boolean } | undefined>(
    `SELECT phase, events_applied::int AS events, to_regclass('shoes_next') IS NOT NULL AS staged FROM projection_checkpoints WHERE projection = 'shoes'`,
  );
const logSize = async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM events`)).n;

/** Stops a rebuild at its `n`-th checkpoint, as a crash right after that commit would. */
class Crash extends Error {}
const crashAt = (n: number) => {
  let seen = 0;
  return () => {
    if (++seen === n) throw new Crash(`crashed at checkpoint ${n}`);
  };
};

let log: SyntheticShoeLog;

it('rebuilds a log written straight into the events table to the fold the generator made, old-shape events included', async () => {
  log = new SyntheticShoeLog({ events: 30_000, newShoes: 60, users: 3000, seed: 11, startAt: new Date('2026-11-01T00:00:00Z') });
  await append([...log.batches()].flat());
  expect(log.counts.v1Imports).toBeGreaterThan(0);

  const report = await rebuildShoeProjections(dataSource, { batchSize: 1000 });
  expect(report).toMatchObject({ events: 30_000, shoes: 60, resumedAfter: 0 });
  const ids = log.expected().map((s) => s.shoeId).sort();
  expect(report.differences).toEqual(ids.map((id) => `shoe ${id}: missing from shoes`));
  expect(await checkReadModel(pg, log.expected())).toEqual([]);
  // Done: the checkpoint says so, and the next tables it folded into are gone.
  expect(await checkpoint()).toEqual({ phase: 'repaired', events: 30_000, staged: false });
  expect(await rebuildShoeProjections(dataSource, { dryRun: true })).toMatchObject({ events: 30_000, differences: [] });
});

it('rewrites only what differs, and reports it as it always did', async () => {
  const [a, b, c] = log.expected().filter((s) => s.ratings.size >= 2).map((s) => s.shoeId).sort();
  const [aUser] = (await dataSource.query(`SELECT user_id FROM shoe_ratings WHERE shoe_id = $1 ORDER BY user_id LIMIT 1`, [a])).map((r: { user_id: string }) => r.user_id);
  const [aCount, bName] = [(await one<{ n: number }>(`SELECT rating_count AS n FROM shoes WHERE id = $1`, [a])).n, (await one<{ name: string }>(`SELECT name FROM shoes WHERE id = $1`, [b])).name];
  const orphan = randomUUID();
  await dataSource.query(`UPDATE shoes SET rating_count = rating_count + 1 WHERE id = $1`, [a]);
  await dataSource.query(`DELETE FROM shoe_ratings WHERE shoe_id = $1 AND user_id = $2`, [a, aUser]);
  await dataSource.query(`UPDATE shoes SET name = 'Wrong' WHERE id = $1`, [b]);
  await dataSource.query(`UPDATE shoe_ratings SET size = CASE WHEN size = 5 THEN 1 ELSE size + 1 END WHERE shoe_id = $1 AND user_id = (SELECT min(user_id) FROM shoe_ratings WHERE shoe_id = $1)`, [c]);
  await dataSource.query(`INSERT INTO shoe_ratings (shoe_id, user_id, size) VALUES ($1, 'ghost', 3)`, [orphan]);
  const untouched = await dataSource.query(`SELECT ctid::text, id FROM shoes WHERE id <> ALL($1::uuid[]) ORDER BY id`, [[a, b]]);

  const report = await rebuildShoeProjections(dataSource);
  // Shoe by shoe in stream id order (a < b < c), columns before ratings, then what no stream has.
  expect(report.differences).toEqual([
    `shoe ${a}: rating_count is ${aCount + 1}, the log says ${aCount}`,
    `shoe ${a}: shoe_ratings differ from the log`,
    `shoe ${b}: name is Wrong, the log says ${bName}`,
    `shoe ${c}: shoe_ratings differ from the log`,
    `shoe ${orphan}: in the read model but not in the log`,
  ]);
  expect(await checkReadModel(pg, log.expected())).toEqual([]);
  // Rows that were right were left where they were.
  expect(await dataSource.query(`SELECT ctid::text, id FROM shoes WHERE id <> ALL($1::uuid[]) ORDER BY id`, [[a, b]])).toEqual(untouched);
});

it('resumes from its last checkpoint after an interruption, folding what was appended meanwhile', async () => {
  // The same shoes go on being rated, and new ones appear: before the crash, while it is down, during the resumed run.
  const more = new SyntheticShoeLog({ events: 24_000, shoes: log.expected(), newShoes: 6, users: 3000, seed: 12, startAt: new Date('2026-11-02T00:00:00Z') });
  const events = [...more.batches()].flat();
  await append(events.slice(0, 8000));
  const before = await logSize();

  await expect(rebuildShoeProjections(dataSource, { batchSize: 2000, checkpointIntervalMs: 0, onCheckpoint: crashAt(3) })).rejects.toThrow(Crash);
  expect(await checkpoint()).toEqual({ phase: 'folding', events: 6000, staged: true });
  // The live tables are as they were: none of the new events is in them.
  expect((await checkReadModel(pg, more.expected(), 1000)).length).toBeGreaterThan(0);
  expect(await checkReadModel(pg, log.expected())).toEqual([]);

  await append(events.slice(8000, 16_000));
  let appendedDuring = false;
  const report = await rebuildShoeProjections(dataSource, {
    batchSize: 2000,
    checkpointIntervalMs: 0,
    onCheckpoint: async () => {
      if (appendedDuring) return;
      appendedDuring = true;
      await append(events.slice(16_000));
    },
  });
  expect(appendedDuring).toBe(true);
  expect(report).toMatchObject({ resumedAfter: 6000, events: before + 24_000 - 8000, shoes: more.expected().length });
  expect(report.events).toBe(await logSize());
  expect(await checkReadModel(pg, more.expected())).toEqual([]);
  expect(await checkpoint()).toEqual({ phase: 'repaired', events: report.events, staged: false });
  expect(await rebuildShoeProjections(dataSource, { dryRun: true })).toMatchObject({ differences: [], resumedAfter: 0 });
  log = more;
});

it('with `fresh` ignores a checkpoint and starts over; a dry run changes no live row and drops its checkpoint tables', async () => {
  await dataSource.query(`UPDATE shoes SET version = version + 1 WHERE id = (SELECT id FROM shoes ORDER BY id LIMIT 1)`);
  await expect(rebuildShoeProjections(dataSource, { dryRun: true, batchSize: 5000, checkpointIntervalMs: 0, onCheckpoint: crashAt(1) })).rejects.toThrow(Crash);
  expect(await checkpoint()).toMatchObject({ phase: 'folding', events: 5000, staged: true });

  // Fresh: the old checkpoint is not resumed, and is gone all the same.
  const dry = await rebuildShoeProjections(dataSource, { dryRun: true, fresh: true });
  expect(dry).toMatchObject({ resumedAfter: 0, events: await logSize() });
  expect(dry.differences).toEqual([expect.stringMatching(/^shoe \S+: version is \d+, the log says \d+$/)]);
  expect(await checkpoint()).toEqual({ phase: 'compared', events: dry.events, staged: false });
  // A dry run that did checkpoint drops its tables at the end.
  expect(await rebuildShoeProjections(dataSource, { dryRun: true, batchSize: 5000, checkpointIntervalMs: 0 })).toEqual(dry);
  expect(await checkpoint()).toEqual({ phase: 'compared', events: dry.events, staged: false });
  expect(await checkReadModel(pg, log.expected())).toEqual([expect.stringMatching(/version is/)]);

  expect((await rebuildShoeProjections(dataSource)).differences).toEqual(dry.differences);
  expect(await checkReadModel(pg, log.expected())).toEqual([]);
});
