import type { DataSourceOptions } from 'typeorm';
import { poolRecordingPgDriver } from './pg-pool';
import { EventStore1732400000000 } from './migrations/1732400000000-event-store';
import { Shoes1732400000100 } from './migrations/1732400000100-shoes';
import { ProjectionCheckpoints1732400000200 } from './migrations/1732400000200-projection-checkpoints';
import { RateLimitBuckets1732400000300 } from './migrations/1732400000300-rate-limit-buckets';

/**
 * Every migration, listed explicitly (no globs: the same list works from src/ under Jest and dist/). No entities:
 * the app queries through plain SQL only, the event store's in src/event-store/event-store.sql.ts and the shoes
 * read model's in src/shoes/read-model (see the README's "Read model"); TypeORM gives the pool, transactions and
 * migrations.
 */
export const MIGRATIONS = [EventStore1732400000000, Shoes1732400000100, ProjectionCheckpoints1732400000200, RateLimitBuckets1732400000300];

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsRun: false, // run by runMigrations() under an advisory lock, see migrate.ts
    synchronize: false,
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
    // node-postgres, remembering the pool TypeORM makes with it: for named statements and the pool gauges (pg-pool.ts).
    driver: poolRecordingPgDriver(),
    logging: false,
  };
}
