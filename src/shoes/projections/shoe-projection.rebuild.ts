import type { DataSource, EntityManager } from 'typeorm';
import { evolve, initialShoe, Shoe, shoeNameKey } from '../domain';
import type { ShoeEvent } from '../domain/shoe.events';

export type RebuildReport = { events: number; shoes: number; differences: string[] };

type StreamRow = { stream_id: string; version: number; type: ShoeEvent['type']; data: ShoeEvent['data']; occurred_at: Date };
type Expected = { shoe: Extract<Shoe, { status: 'existing' }>; createdAt: Date; updatedAt: Date };

const BATCH = 5000;

/**
 * Rebuilds `shoes` and `shoe_ratings` from the log and reports every difference from the live rows.
 * 1. Lock both tables against writers (readers go on): a writer that already appended but has not yet
 *    touched the read model waits, and its later counter update lands on the rebuilt rows, so the
 *    result still equals the fold of the log once it commits.
 * 2. Fold each stream with the domain's `evolve` (streams in id order, events in version order).
 * 3. Compare with the live rows and rewrite only what differs; delete rows that have no stream.
 * All in one transaction: a crash midway leaves the old tables untouched.
 */
export async function rebuildShoeProjections(dataSource: DataSource, options: { dryRun?: boolean } = {}): Promise<RebuildReport> {
  return dataSource.transaction(async (tx) => {
    await tx.query(`LOCK TABLE shoes, shoe_ratings IN EXCLUSIVE MODE`);
    const report: RebuildReport = { events: 0, shoes: 0, differences: [] };
    const seen = new Set<string>();
    for await (const expected of foldStreams(tx, report)) {
      seen.add(expected.shoe.shoeId);
      report.shoes += 1;
      const diffs = await diffShoe(tx, expected);
      report.differences.push(...diffs);
      if (diffs.length && !options.dryRun) await rewriteShoe(tx, expected);
    }
    report.differences.push(...(await removeOrphans(tx, seen, options.dryRun ?? false)));
    return report;
  });
}

async function* foldStreams(tx: EntityManager, report: RebuildReport): AsyncGenerator<Expected> {
  let current = null as Expected | null;
  let after: [string, number] = ['00000000-0000-0000-0000-000000000000', 0];
  for (;;) {
    const rows: StreamRow[] = await tx.query(
      `SELECT stream_id, version, type, data, occurred_at FROM events
       WHERE stream_type = 'shoe' AND (stream_id, version) > ($1::uuid, $2::int)
       ORDER BY stream_id, version LIMIT ${BATCH}`,
      after,
    );
    for (const row of rows) {
      report.events += 1;
      if (current && current.shoe.shoeId !== row.stream_id) {
        yield current;
        current = null;
      }
      const shoe = evolve(current?.shoe ?? initialShoe(), { type: row.type, data: row.data } as ShoeEvent);
      if (shoe.status !== 'existing') throw new Error(`stream ${row.stream_id} does not start with ShoeCreated`);
      current = { shoe, createdAt: current?.createdAt ?? row.occurred_at, updatedAt: row.occurred_at };
    }
    if (rows.length < BATCH) break;
    after = [rows[rows.length - 1].stream_id, rows[rows.length - 1].version];
  }
  if (current) yield current;
}

function expectedRow({ shoe, createdAt, updatedAt }: Expected): Record<string, unknown> {
  const [s1, s2, s3, s4, s5] = shoe.stats.distribution;
  return {
    name: shoe.name,
    brand: shoe.brand,
    name_key: shoeNameKey(shoe.brand, shoe.name),
    created_at: createdAt.toISOString(),
    updated_at: updatedAt.toISOString(),
    version: shoe.version,
    rating_count: shoe.stats.count,
    rating_sum: shoe.stats.sum,
    size_1: s1, size_2: s2, size_3: s3, size_4: s4, size_5: s5,
  };
}

async function diffShoe(tx: EntityManager, expected: Expected): Promise<string[]> {
  const id = expected.shoe.shoeId;
  const [live] = await tx.query(`SELECT * FROM shoes WHERE id = $1`, [id]);
  if (!live) return [`shoe ${id}: missing from shoes`];
  const want = expectedRow(expected);
  const diffs = Object.entries(want)
    .filter(([column, value]) => normalize(live[column]) !== normalize(value))
    .map(([column, value]) => `shoe ${id}: ${column} is ${normalize(live[column])}, the log says ${normalize(value)}`);
  const ratings: { user_id: string; size: number }[] = await tx.query(`SELECT user_id, size FROM shoe_ratings WHERE shoe_id = $1`, [id]);
  const liveRatings = JSON.stringify(Object.fromEntries(ratings.map((r) => [r.user_id, r.size]).sort()));
  const wantRatings = JSON.stringify(Object.fromEntries(Object.entries(expected.shoe.ratingsByUser).sort()));
  if (liveRatings !== wantRatings) diffs.push(`shoe ${id}: shoe_ratings differ from the log`);
  return diffs;
}

function normalize(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return value === null || value === undefined ? 'null' : String(value);
}

async function rewriteShoe(tx: EntityManager, expected: Expected): Promise<void> {
  const id = expected.shoe.shoeId;
  const row = expectedRow(expected);
  await tx.query(`DELETE FROM shoes WHERE id = $1`, [id]);
  await tx.query(`DELETE FROM shoe_ratings WHERE shoe_id = $1`, [id]);
  const columns = Object.keys(row);
  await tx.query(
    `INSERT INTO shoes (id, ${columns.join(', ')}) VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})`,
    [id, ...Object.values(row)],
  );
  for (const [userId, size] of Object.entries(expected.shoe.ratingsByUser)) {
    await tx.query(`INSERT INTO shoe_ratings (shoe_id, user_id, size) VALUES ($1, $2, $3)`, [id, userId, size]);
  }
}

async function removeOrphans(tx: EntityManager, seen: Set<string>, dryRun: boolean): Promise<string[]> {
  const ids: { id: string }[] = await tx.query(`SELECT id FROM shoes UNION SELECT DISTINCT shoe_id FROM shoe_ratings`);
  const orphans = ids.map((r) => r.id).filter((id) => !seen.has(id));
  if (orphans.length && !dryRun) {
    await tx.query(`DELETE FROM shoes WHERE id = ANY($1::uuid[])`, [orphans]);
    await tx.query(`DELETE FROM shoe_ratings WHERE shoe_id = ANY($1::uuid[])`, [orphans]);
  }
  return orphans.map((id) => `shoe ${id}: in the read model but not in the log`);
}
