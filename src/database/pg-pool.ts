import pg, { type Pool, type PoolConfig } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Adapter: the node-postgres Pool under a TypeORM DataSource, for two things TypeORM has no public API for:
 *   - named (prepared) statements on hot paths (the shoe(id) read, the rate-limit bucket): PostgreSQL parses and
 *     plans them once per connection, and no ORM builds SQL per call (a QueryRunner sends only unnamed ones);
 *   - the pool's counts, for the tts_db_pool_* gauges (metrics.service.ts).
 *
 * Why not TypeORM's own reference: PostgresDriver keeps the pool in `master`, an undocumented field typed `any`.
 * Instead, dataSourceOptions() gives TypeORM, through its documented `driver` option ("the driver object; defaults
 * to require('pg')"), node-postgres itself with a Pool class that remembers the instance TypeORM creates. TypeORM
 * still creates the pool from the same options (url, `extra.max` = DATABASE_POOL_SIZE, timeouts), handles its
 * errors and ends it: there is still one pool, and this only keeps a reference to it (the newest, should the
 * DataSource be initialised again). One pool per DataSource: dataSourceOptions() configures no replication.
 * This is the only file that knows how the pool is found.
 */
const POOLS = new WeakMap<object, Pool>();

/** node-postgres for TypeORM's `driver` option, recording the pool TypeORM creates with it. One per DataSource. */
export function poolRecordingPgDriver(): typeof pg {
  const driver: typeof pg = { ...pg };
  driver.Pool = class RecordedPool extends pg.Pool {
    constructor(config?: PoolConfig) {
      super(config);
      POOLS.set(driver, this);
    }
  };
  return driver;
}

/** The pool of a DataSource made with dataSourceOptions(), once initialised; undefined for any other. */
export function recordedPgPool(dataSource: DataSource): Pool | undefined {
  const driver: unknown = (dataSource.options as { driver?: unknown }).driver;
  return typeof driver === 'object' && driver !== null ? POOLS.get(driver) : undefined;
}

/** As recordedPgPool, for code that cannot work without it (named statements). */
export function pgPoolOf(dataSource: DataSource): Pool {
  const pool = recordedPgPool(dataSource);
  if (!pool) throw new Error('No node-postgres pool is known for this DataSource: make it with dataSourceOptions() and initialise it');
  return pool;
}
