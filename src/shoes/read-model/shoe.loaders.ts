import type { DataSource, EntityManager } from 'typeorm';
import { pgPoolOf } from '../../database/pg-pool';
import { ShoeOrder } from './shoe-order';
import { SHOE_ROW_COLUMNS, type ShoeRow } from './shoe-row';

/**
 * Every read of `shoes` rows the service makes (plain SQL: see the README's "Read model" paragraph).
 * `db`: the DataSource outside a transaction, or the transaction's EntityManager inside one.
 */
type Db = DataSource | EntityManager;

/**
 * The hottest read (`shoe(id)`, and `shoeChanged` once per event) straight through node-postgres with a named
 * prepared statement: PostgreSQL parses and plans it once per connection, and no ORM builds SQL or maps metadata
 * per call (TypeORM was about a tenth of the server's CPU per read in the R benchmark).
 */
const SHOE_BY_ID = { name: 'tts_shoe_by_id', text: `SELECT ${SHOE_ROW_COLUMNS} FROM shoes s WHERE s.id = $1::uuid` };

export async function shoeById(dataSource: DataSource, shoeId: string): Promise<ShoeRow | null> {
  const { rows } = await pgPoolOf(dataSource).query<ShoeRow>({ ...SHOE_BY_ID, values: [shoeId] });
  return rows[0] ?? null;
}

/** The shoes of `ids` that exist, in one statement (a write's read-back: one per batch). */
export function shoesByIds(db: Db, ids: string[]): Promise<ShoeRow[]> {
  return db.query(`SELECT ${SHOE_ROW_COLUMNS} FROM shoes s WHERE s.id = ANY($1::uuid[])`, [ids]);
}

export type ShoePageRequest = {
  first: number;
  /** Case-insensitive substring of name or brand; null: every shoe. */
  search: string | null;
  orderBy: ShoeOrder;
  /** The sort key of the row to continue after (a decoded cursor, checked by shoe-cursor.ts), or null. */
  after: readonly (string | number)[] | null;
};

/**
 * ORDER BY and keyset predicate per order; each matches one index of the shoes migration. `after` gets the
 * placeholders of the sort key's parts, in the order sortKeyOf (shoe-cursor.ts) writes them.
 */
const ORDERS: Record<ShoeOrder, { orderBy: string; after: (k: string[]) => string }> = {
  [ShoeOrder.NAME_ASC]: {
    orderBy: 'lower(s.name) ASC, s.id ASC',
    after: ([name, id]) => `(lower(s.name), s.id) > (lower(${name}::text), ${id}::uuid)`,
  },
  [ShoeOrder.CREATED_AT_DESC]: {
    orderBy: 's.created_at DESC, s.id ASC',
    after: ([at, id]) => `(s.created_at < ${at}::timestamptz OR (s.created_at = ${at}::timestamptz AND s.id > ${id}::uuid))`,
  },
  [ShoeOrder.MOST_RATED]: {
    orderBy: 's.rating_count DESC, lower(s.name) ASC, s.id ASC',
    after: ([count, name, id]) =>
      `(s.rating_count < ${count}::int OR (s.rating_count = ${count}::int AND (lower(s.name), s.id) > (lower(${name}::text), ${id}::uuid)))`,
  },
};

/** One page of `shoes` (keyset: O(page) however deep) and the count of every shoe the search matches. */
export async function loadShoePage(db: Db, page: ShoePageRequest): Promise<{ shoes: ShoeRow[]; hasNextPage: boolean; totalCount: number }> {
  const params: unknown[] = [];
  const placeholder = (value: unknown) => `$${params.push(value)}`;
  // LIKE wildcards in the search text match literally.
  const pattern = page.search ? placeholder(`%${page.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : null;
  const search = pattern ? `(s.name ILIKE ${pattern} OR s.brand ILIKE ${pattern})` : null;
  const countParams = [...params];
  const order = ORDERS[page.orderBy];
  const conditions = [search, page.after ? order.after(page.after.map(placeholder)) : null].filter((c) => c !== null);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const [rows, [{ count }]]: [ShoeRow[], { count: number }[]] = await Promise.all([
    db.query(`SELECT ${SHOE_ROW_COLUMNS} FROM shoes s ${where} ORDER BY ${order.orderBy} LIMIT ${placeholder(page.first + 1)}`, params),
    db.query(`SELECT count(*)::int AS count FROM shoes s ${search ? `WHERE ${search}` : ''}`, countParams),
  ]);
  return { shoes: rows.slice(0, page.first), hasNextPage: rows.length > page.first, totalCount: count };
}
