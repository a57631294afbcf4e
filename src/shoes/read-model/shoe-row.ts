/**
 * A row of `shoes`, the shoe read model: one row per shoe, written in the same transaction as the events it
 * reflects (the inline projection, shoe.projection.ts), so every mutation can return its own write and queries
 * never fold the log. `nameKey` doubles as the write side's uniqueness check for (brand, name). The table and
 * its indexes (one per public sort order) are in the migration 1732400000100-shoes.ts.
 * The one shape every reader of a shoe gets: `shoe(id)`, `shoes`, a mutation's answer and `shoeChanged`.
 */
export type ShoeRow = {
  id: string;
  name: string;
  brand: string | null;
  nameKey: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  ratingCount: number;
  ratingSum: number;
  size1: number;
  size2: number;
  size3: number;
  size4: number;
  size5: number;
};

/**
 * The select list that reads a `shoes` row (alias `s`) as a ShoeRow: PostgreSQL names the columns as the type
 * does, so rows need no mapping. rating_sum is a bigint (node-postgres would return text); a sum of ratings of
 * 1..5 stays far below 2^53, so float8 holds it exactly.
 */
export const SHOE_ROW_COLUMNS = `s.id::text AS id, s.name, s.brand, s.name_key AS "nameKey", s.created_at AS "createdAt",
  s.updated_at AS "updatedAt", s.version, s.rating_count AS "ratingCount", s.rating_sum::float8 AS "ratingSum",
  s.size_1 AS "size1", s.size_2 AS "size2", s.size_3 AS "size3", s.size_4 AS "size4", s.size_5 AS "size5"`;
