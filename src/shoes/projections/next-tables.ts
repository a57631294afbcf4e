import type { EntityManager } from 'typeorm';
import { LIVE_SHOE_TABLES, NEXT_SHOE_TABLES, quoteIdentifier } from '../read-model/shoe.projection';

/**
 * The new version of the read-model tables an online rebuild fills (`shoes_next`, `shoe_ratings_next`),
 * and the switch that puts it in place of the live one; the offline rebuild keeps its checkpoints in
 * tables of the same names (createStagingTables). Only a rebuild touches the _next tables, and only one
 * rebuild, online or offline, runs at a time (projection-locks.ts).
 */
/** The projection_checkpoints row of the shoe read model (shoes + shoe_ratings), online or offline. */
export const SHOES_CHECKPOINT = 'shoes';

const PAIRS: [live: string, next: string][] = [
  [LIVE_SHOE_TABLES.shoes, NEXT_SHOE_TABLES.shoes],
  [LIVE_SHOE_TABLES.shoeRatings, NEXT_SHOE_TABLES.shoeRatings],
];

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Fresh, empty copies of the live tables: same columns, defaults, checks, keys and indexes
 * (`LIKE … INCLUDING ALL`). A leftover from a rebuild that died is dropped first: it may have been built by
 * other code, and starting over is always correct. PostgreSQL names the copied indexes and constraints
 * after the new table (shoes_next_pkey, shoes_next_name_key_key…); the switch gives them the live names
 * back, and `renamePlan` here already fails if some of them cannot be matched.
 */
export async function createNextTables(tx: EntityManager): Promise<void> {
  await dropNextTables(tx);
  for (const [live, next] of PAIRS) {
    await tx.query(`CREATE TABLE ${quoteIdentifier(next)} (LIKE ${quoteIdentifier(live)} INCLUDING ALL)`);
    await renamePlan(tx, live, next);
  }
}

/**
 * The offline rebuild's checkpoint tables (shoe-projection.rebuild.ts), under the same names: the live
 * tables' columns, defaults and checks, and only their primary keys. The offline rebuild never swaps them
 * in (it reads them back to resume after an interruption), so the other indexes would only slow down its
 * checkpoints. A leftover, offline or online, is dropped first.
 */
export async function createStagingTables(tx: EntityManager): Promise<void> {
  await dropNextTables(tx);
  const [shoes, ratings] = PAIRS;
  await tx.query(`CREATE TABLE ${quoteIdentifier(shoes[1])} (LIKE ${quoteIdentifier(shoes[0])} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id))`);
  await tx.query(
    `CREATE TABLE ${quoteIdentifier(ratings[1])} (LIKE ${quoteIdentifier(ratings[0])} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (shoe_id, user_id))`,
  );
}

export async function dropNextTables(db: Queryable): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${PAIRS.map(([, next]) => quoteIdentifier(next)).join(', ')}`);
}

/**
 * Puts the _next tables in place of the live ones, inside the caller's switch transaction:
 * 1. lock all four tables ACCESS EXCLUSIVE: waits for running reads; reads arriving now queue behind
 *    the lock and, once it is gone, resolve the name again and read the new table;
 * 2. rename live → _old and _next → live;
 * 3. drop _old (its storage goes at COMMIT);
 * 4. give the new tables' indexes and constraints the names the live ones had (index names are unique
 *    per schema, so this only works once _old is gone).
 * Not copied by LIKE, hence not carried over: GRANTs and ownership (run the rebuild as the tables' owner).
 */
export async function swapInNextTables(tx: EntityManager): Promise<void> {
  const all = PAIRS.flat().map(quoteIdentifier).join(', ');
  await tx.query(`LOCK TABLE ${all} IN ACCESS EXCLUSIVE MODE`);
  const plans = [];
  for (const [live, next] of PAIRS) plans.push({ live, renames: await renamePlan(tx, live, next) });
  for (const [live] of PAIRS) await tx.query(`ALTER TABLE ${quoteIdentifier(live)} RENAME TO ${quoteIdentifier(`${live}_old`)}`);
  for (const [live, next] of PAIRS) await tx.query(`ALTER TABLE ${quoteIdentifier(next)} RENAME TO ${quoteIdentifier(live)}`);
  await tx.query(`DROP TABLE ${PAIRS.map(([live]) => quoteIdentifier(`${live}_old`)).join(', ')}`);
  for (const { live, renames } of plans) {
    for (const { kind, from, to } of renames) {
      // Renaming a constraint that owns an index (primary key, unique) renames the index too.
      await tx.query(
        kind === 'constraint'
          ? `ALTER TABLE ${quoteIdentifier(live)} RENAME CONSTRAINT ${quoteIdentifier(from)} TO ${quoteIdentifier(to)}`
          : `ALTER INDEX ${quoteIdentifier(from)} RENAME TO ${quoteIdentifier(to)}`,
      );
    }
  }
}

type Named = { kind: 'constraint' | 'index'; name: string; signature: string };

/**
 * Constraints by kind and definition; indexes that back no constraint by their definition without the
 * index and table names (`CREATE UNIQUE INDEX ON USING btree (name_key)`).
 */
const NAMED_OBJECTS = `
  SELECT 'constraint' AS kind, conname AS name, contype::text || ' ' || pg_get_constraintdef(oid) AS signature
  FROM pg_constraint WHERE conrelid = $1::regclass
  UNION ALL
  SELECT 'index', c.relname, regexp_replace(pg_get_indexdef(i.indexrelid), $2, $3)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid = $1::regclass
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)`;

async function namedObjects(db: Queryable, table: string): Promise<Named[]> {
  return db.query(NAMED_OBJECTS, [quoteIdentifier(table), '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+ ', 'CREATE \\1INDEX ON ']);
}

/** What to rename on `next` so that every index and constraint is called as on `live`; throws if they differ. */
async function renamePlan(db: Queryable, live: string, next: string): Promise<{ kind: Named['kind']; from: string; to: string }[]> {
  const key = (o: Named) => `${o.kind} ${o.signature}`;
  const [want, have] = [await namedObjects(db, live), await namedObjects(db, next)];
  const byKey = new Map(have.map((o) => [key(o), o]));
  const unmatched = want.filter((o) => !byKey.has(key(o))).map(key);
  if (unmatched.length || want.length !== have.length || byKey.size !== have.length) {
    throw new Error(`${next} does not have the indexes and constraints of ${live} (unmatched: ${unmatched.join('; ') || 'duplicates'})`);
  }
  return want
    .map((o) => ({ kind: o.kind, from: byKey.get(key(o))!.name, to: o.name }))
    .filter(({ from, to }) => from !== to);
}

/**
 * Differences between the rebuilt (_next) and the live tables, per shoe, in the words of the offline
 * rebuild (shoe-projection.rebuild.ts). `ids` limits the comparison to those shoes (null: all of them).
 * Set-based (two full joins), so it costs one pass over each table, not a query per shoe.
 */
export async function compareWithLive(db: Queryable, ids: string[] | null): Promise<Map<string, string[]>> {
  const [live, next] = [LIVE_SHOE_TABLES, NEXT_SHOE_TABLES];
  const only = (column: string) => `($1::uuid[] IS NULL OR ${column} = ANY($1::uuid[]))`;
  const shoes: { id: string; rebuilt: Record<string, unknown> | null; live: Record<string, unknown> | null }[] = await db.query(
    `SELECT coalesce(n.id, l.id)::text AS id, to_jsonb(n) AS rebuilt, to_jsonb(l) AS live
     FROM (SELECT * FROM ${quoteIdentifier(next.shoes)} WHERE ${only('id')}) n
     FULL JOIN (SELECT * FROM ${quoteIdentifier(live.shoes)} WHERE ${only('id')}) l ON l.id = n.id
     WHERE to_jsonb(n) IS DISTINCT FROM to_jsonb(l)`,
    [ids],
  );
  const ratings: { id: string }[] = await db.query(
    `SELECT DISTINCT coalesce(n.shoe_id, l.shoe_id)::text AS id
     FROM (SELECT shoe_id, user_id, size FROM ${quoteIdentifier(next.shoeRatings)} WHERE ${only('shoe_id')}) n
     FULL JOIN (SELECT shoe_id, user_id, size FROM ${quoteIdentifier(live.shoeRatings)} WHERE ${only('shoe_id')}) l
       ON l.shoe_id = n.shoe_id AND l.user_id = n.user_id
     WHERE n.size IS DISTINCT FROM l.size`,
    [ids],
  );
  const differences = new Map<string, string[]>();
  const add = (id: string, line: string) => differences.set(id, [...(differences.get(id) ?? []), line]);
  for (const row of shoes) {
    if (!row.live) add(row.id, `shoe ${row.id}: missing from shoes`);
    else if (!row.rebuilt) add(row.id, `shoe ${row.id}: in the read model but not in the log`);
    else {
      const columns = [...new Set([...Object.keys(row.rebuilt), ...Object.keys(row.live)])].sort();
      for (const column of columns) {
        const [was, wanted] = [display(row.live[column]), display(row.rebuilt[column])];
        if (was !== wanted) add(row.id, `shoe ${row.id}: ${column} is ${was}, the log says ${wanted}`);
      }
    }
  }
  for (const { id } of ratings) add(id, `shoe ${id}: shoe_ratings differ from the log`);
  return new Map([...differences].sort(([a], [b]) => a.localeCompare(b)));
}

/** jsonb renders timestamptz as `2026-11-24T01:02:03.456+00:00`; the offline rebuild prints ISO instants. */
function display(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/.test(value)) return new Date(value).toISOString();
  return String(value);
}
