import type { EntityManager } from 'typeorm';

/**
 * The rebuild's tables and its set-based SQL. A rebuild folds the log into `shoes_next` and
 * `shoe_ratings_next` (copies of the live `shoes` and `shoe_ratings`: same columns and checks; their keys and
 * indexes only once the fold is written, and only to swap them in), then compares them with the live tables
 * in SQL and either repairs the live rows that differ or swaps the next tables in. Only the one running rebuild (projection-locks.ts) touches the next tables.
 */
type Sql = Pick<EntityManager, 'query'>;
const PAIRS = [['shoes', 'shoes_next'], ['shoe_ratings', 'shoe_ratings_next']] as const;

/** A `shoes` row as the rebuild writes and reads it. */
export type ShoeRow = {
  id: string; name: string; brand: string | null; name_key: string; created_at: Date | string; updated_at: Date | string;
  version: number; rating_count: number; rating_sum: number | string; size_1: number; size_2: number; size_3: number; size_4: number; size_5: number;
};
/**
 * Ratings as JSON objects `{"<shoe id>": {"<user id>": size, …}, …}`, a few MB each (one statement each):
 * V8 writes and PostgreSQL reads JSON for a fraction of what bind arrays of 0.5M elements cost both.
 */
export type RatingChunks = string[];
/** What a checkpoint writes: whole shoe rows, (shoe, user) pairs to delete first (the sizes unused), then ratings to insert. */
export type NextRows = { shoes: ShoeRow[]; rated: RatingChunks; gone: RatingChunks };

/**
 * Empty copies of the live tables without keys or indexes (the fold writes each row once, and the compare
 * and repair join whole tables); a leftover of an earlier rebuild is dropped first (starting over is always correct).
 */
export async function createNextTables(db: Sql): Promise<void> {
  await dropNextTables(db);
  for (const [live, next] of PAIRS) await db.query(`CREATE TABLE ${next} (LIKE ${live} INCLUDING ALL EXCLUDING INDEXES)`);
}

/**
 * Builds on the next tables the live ones' indexes (keys included), before a swap: one sort each instead of an
 * index insert per row. Named `<live name>_next` until the swap; IF NOT EXISTS, so running it again builds only
 * what a migration may have added since. Returns the live tables' indexes, for the swap.
 */
export async function indexNextTables(db: Sql): Promise<LiveIndex[][]> {
  const all: LiveIndex[][] = [];
  for (const [live, next] of PAIRS) {
    // Not-null constraints ('n': catalogued since PostgreSQL 18) and checks: LIKE copied them.
    const [odd]: { conname: string }[] = await db.query(`SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype NOT IN ('p', 'u', 'c', 'n')`, [live]);
    if (odd) throw new Error(`${live} has the constraint ${odd.conname}, which a swap does not carry over (only keys, unique, check and not-null constraints)`);
    const indexes: LiveIndex[] = await db.query(LIVE_INDEXES, [live, next]);
    for (const { build } of indexes) await db.query(build);
    all.push(indexes);
  }
  return all;
}

/**
 * A live table's indexes, each with the statement that builds it on the next table ($2), and the key (p, u) it
 * backs. Check constraints need none: LIKE copied them, names included.
 */
const LIVE_INDEXES = `
  SELECT c.relname AS name, k.contype::text AS key,
    regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+', format('CREATE \\1INDEX IF NOT EXISTS %I ON %I', c.relname || '_next', $2::text)) AS build
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
  WHERE i.indrelid = $1::regclass`;
type LiveIndex = { name: string; key: 'p' | 'u' | null; build: string };

export async function dropNextTables(db: Sql): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS shoes_next, shoe_ratings_next`);
}

export async function writeNextTables(db: Sql, { shoes, rated, gone }: NextRows): Promise<void> {
  // All of them deleted first: a rename may hand a name_key from one of them to another.
  await db.query(`DELETE FROM shoes_next WHERE id = ANY($1::uuid[])`, [shoes.map((row) => row.id)]);
  await db.query(`INSERT INTO shoes_next SELECT * FROM json_populate_recordset(NULL::shoes_next, $1)`, [JSON.stringify(shoes)]);
  for (const chunk of gone) {
    // Not `USING json_each(…) s`: a DELETE carries each joined row of s whole (its shoe's JSON) through the join.
    await db.query(
      `WITH g AS MATERIALIZED (SELECT s.key::uuid AS shoe_id, u AS user_id FROM json_each($1::json) s, json_object_keys(s.value) u)
       DELETE FROM shoe_ratings_next r USING g WHERE r.shoe_id = g.shoe_id AND r.user_id = g.user_id`,
      [chunk],
    );
  }
  for (const chunk of rated) {
    await db.query(`INSERT INTO shoe_ratings_next SELECT s.key::uuid, r.key, r.value::smallint FROM json_each($1::json) s, json_each_text(s.value) r`, [chunk]);
  }
}

/** The next tables against the live ones: the report's lines, and which live rows the repair rewrites. */
export type Comparison = { differences: string[]; deleteShoes: string[]; insertShoes: string[]; ratingsDiffer: boolean };

/**
 * Two full joins (one pass over each table). Lines as the rebuild always reported them: shoe by shoe in id
 * order, a differing shoe's columns in table order and then its ratings, and last what no stream has.
 */
export async function compareWithLive(db: Sql): Promise<Comparison> {
  const shoes: { id: string; in_log: boolean; in_live: boolean; columns: [string, string | null, string | null][] | null }[] = await db.query(`
    SELECT coalesce(n.id, l.id)::text AS id, n.id IS NOT NULL AS in_log, l.id IS NOT NULL AS in_live,
      (SELECT json_agg(json_build_array(was.key, was.value, want.value) ORDER BY was.i)
       FROM json_each_text(row_to_json(l)) WITH ORDINALITY AS was(key, value, i) JOIN json_each_text(row_to_json(n)) AS want USING (key)
       WHERE was.value IS DISTINCT FROM want.value) AS columns
    FROM shoes_next n FULL JOIN shoes l ON l.id = n.id
    WHERE ROW(n.*) IS DISTINCT FROM ROW(l.*)`);
  const ratings: { id: string; in_log: boolean; in_live: boolean }[] = await db.query(`
    SELECT d.id::text, EXISTS (SELECT FROM shoes_next s WHERE s.id = d.id) AS in_log, EXISTS (SELECT FROM shoes s WHERE s.id = d.id) AS in_live
    FROM (SELECT DISTINCT coalesce(n.shoe_id, l.shoe_id) AS id
          FROM shoe_ratings_next n FULL JOIN shoe_ratings l ON l.shoe_id = n.shoe_id AND l.user_id = n.user_id
          WHERE n.size IS DISTINCT FROM l.size) d`);
  const lines = new Map<string, string[]>(); // per shoe of the log
  const orphans = new Set<string>(); // shoes in the read model only
  for (const { id, in_log, in_live, columns } of shoes) {
    if (!in_log) orphans.add(id);
    else lines.set(id, in_live ? (columns ?? []).map(([c, was, want]) => `shoe ${id}: ${c} is ${display(was)}, the log says ${display(want)}`) : [`shoe ${id}: missing from shoes`]);
  }
  for (const { id, in_log, in_live } of ratings) {
    if (!in_log) orphans.add(id);
    else if (in_live) lines.set(id, [...(lines.get(id) ?? []), `shoe ${id}: shoe_ratings differ from the log`]);
  }
  const differences = [...lines.keys()].sort().flatMap((id) => lines.get(id)!);
  differences.push(...[...orphans].sort().map((id) => `shoe ${id}: in the read model but not in the log`));
  return {
    differences,
    deleteShoes: shoes.filter((row) => row.in_live).map((row) => row.id),
    insertShoes: shoes.filter((row) => row.in_log).map((row) => row.id),
    ratingsDiffer: ratings.length > 0,
  };
}

/** JSON renders a timestamptz as `2026-11-24T01:02:03.456+00:00`; the report has always printed ISO instants. */
function display(value: string | null): string {
  if (value === null) return 'null';
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/.test(value) ? new Date(value).toISOString() : value;
}

/** Rewrites only the live rows that differ from the next tables (rows that were right stay where they are). */
export async function repairLive(db: Sql, { deleteShoes, insertShoes, ratingsDiffer }: Comparison): Promise<void> {
  await db.query(`DELETE FROM shoes WHERE id = ANY($1::uuid[])`, [deleteShoes]);
  await db.query(`INSERT INTO shoes SELECT * FROM shoes_next WHERE id = ANY($1::uuid[])`, [insertShoes]);
  if (!ratingsDiffer) return;
  await db.query(`DELETE FROM shoe_ratings l WHERE NOT EXISTS (
    SELECT FROM shoe_ratings_next n WHERE n.shoe_id = l.shoe_id AND n.user_id = l.user_id AND n.size = l.size)`);
  await db.query(`INSERT INTO shoe_ratings SELECT * FROM shoe_ratings_next n WHERE NOT EXISTS (
    SELECT FROM shoe_ratings l WHERE l.shoe_id = n.shoe_id AND l.user_id = n.user_id)`);
}

/**
 * Puts the next tables in place of the live ones, inside the caller's transaction:
 * 1. lock all four ACCESS EXCLUSIVE: waits for running reads; reads arriving now queue behind the lock
 *    and, once it is gone, resolve the name again and read the new table;
 * 2. build any index the next tables still lack (normally none: the rebuild built them before it held writers back);
 * 3. rename live → _old, next → live, and drop _old (its storage goes at COMMIT);
 * 4. give the new tables' indexes the live ones' names (unique per schema, so only once _old is gone), as the
 *    keys they back: ADD CONSTRAINT … USING INDEX renames the index to the constraint's name. GRANTs and
 *    ownership are not carried over (LIKE copies neither).
 */
export async function swapInNextTables(db: Sql): Promise<void> {
  await db.query(`LOCK TABLE shoes, shoe_ratings, shoes_next, shoe_ratings_next IN ACCESS EXCLUSIVE MODE`);
  const indexes = await indexNextTables(db);
  for (const [live, next] of PAIRS) await db.query(`ALTER TABLE ${live} RENAME TO ${live}_old; ALTER TABLE ${next} RENAME TO ${live}`);
  await db.query(`DROP TABLE shoes_old, shoe_ratings_old`);
  for (const [i, [live]] of PAIRS.entries()) {
    for (const { name, key } of indexes[i]) {
      const built = `"${name}_next"`;
      await db.query(key ? `ALTER TABLE ${live} ADD CONSTRAINT "${name}" ${key === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${built}` : `ALTER INDEX ${built} RENAME TO "${name}"`);
    }
  }
}
