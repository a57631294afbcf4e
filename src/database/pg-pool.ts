import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * node-postgres's Pool under a TypeORM DataSource, for named (prepared) statements on hot paths: PostgreSQL
 * parses and plans them once per connection, and no ORM builds SQL per call. TypeORM offers no public way to
 * send a named statement, so this one function reaches in: typeorm 1.1's PostgresDriver keeps the pool as
 * `master` (typed `any` there). Checked, so an upgrade that moves it fails loudly instead of at the first query.
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (typeof pool?.query !== 'function') throw new Error("TypeORM's node-postgres pool was not found (DataSource.driver.master)");
  return pool;
}
