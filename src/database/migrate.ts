import type { DataSource } from 'typeorm';

/** Any constant works; it only has to be the same for every instance of this service. */
const MIGRATION_LOCK_KEY = 'true-to-size:migrations';

/**
 * Runs pending migrations exactly once even when several instances start together on an empty database:
 * 1. take a session-level advisory lock on one connection (the others wait here);
 * 2. run whatever is still pending (the first instance runs all; the rest find nothing to do);
 * 3. release the lock, also when a migration failed.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
