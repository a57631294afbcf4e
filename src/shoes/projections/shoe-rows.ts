import type { DataSource } from 'typeorm';
import { pgPoolOf } from '../../database/pg-pool';
import { ShoeEntity } from './shoe.entity';

/**
 * The hottest read (`shoe(id)`) straight through node-postgres with a named prepared statement: PostgreSQL
 * parses and plans it once per connection, and no ORM builds SQL or maps metadata per call (TypeORM was
 * about a tenth of the server's CPU per read in the R benchmark). Same table, same row as ShoeEntity.
 */
const SHOE_COLUMNS = `id::text AS id, name, brand, name_key, created_at, updated_at, version, rating_count,
  rating_sum::float8 AS rating_sum, size_1, size_2, size_3, size_4, size_5`;
const SHOE_BY_ID = { name: 'tts_shoe_by_id', text: `SELECT ${SHOE_COLUMNS} FROM shoes WHERE id = $1::uuid` };

type ShoeRow = {
  id: string;
  name: string;
  brand: string | null;
  name_key: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  rating_count: number;
  rating_sum: number;
  size_1: number;
  size_2: number;
  size_3: number;
  size_4: number;
  size_5: number;
};

export async function shoeById(dataSource: DataSource, shoeId: string): Promise<ShoeEntity | null> {
  const { rows } = await pgPoolOf(dataSource).query<ShoeRow>({ ...SHOE_BY_ID, values: [shoeId] });
  return rows.length ? toShoeEntity(rows[0]) : null;
}

function toShoeEntity(row: ShoeRow): ShoeEntity {
  return Object.assign(new ShoeEntity(), {
    id: row.id,
    name: row.name,
    brand: row.brand,
    nameKey: row.name_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    ratingCount: row.rating_count,
    ratingSum: row.rating_sum,
    size1: row.size_1,
    size2: row.size_2,
    size3: row.size_3,
    size4: row.size_4,
    size5: row.size_5,
  });
}
