import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { pgClientConfig } from '../../event-store/pg-client-config';

/**
 * The rebuild lock (session level, a bigint key from hashtextextended, on a connection of its own): one rebuild at
 * a time across every instance, released when the rebuild ends, or by PostgreSQL when its connection dies (a killed
 * rebuild). The other lock a rebuild takes, the projection writers', is the read model's (projection-writers.lock.ts).
 */
const REBUILD_KEY = 'true-to-size:projections:rebuild';

/** Who holds the rebuild lock: pg_locks shows a bigint key as classid (high 32 bits) and objid (low), objsubid 1. */
const REBUILD_LOCK_HOLDER = `
  SELECT l.pid, nullif(a.application_name, '') AS "applicationName", a.backend_start AS since, a.client_addr::text AS "clientAddress"
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`;

export type RebuildLockHolder = { pid: number; applicationName: string | null; since: Date | null; clientAddress: string | null };

/** A rebuild was asked for while another one holds the lock (the CLI exits with code 3). */
export class RebuildAlreadyRunningError extends Error {
  override readonly name = 'RebuildAlreadyRunningError';
  constructor(readonly holder: RebuildLockHolder | null) {
    super(`another rebuild is running (${describeHolder(holder)})`);
  }
}

export function describeHolder(holder: RebuildLockHolder | null): string {
  if (!holder) return 'pid unknown: it ended a moment ago';
  const { pid, applicationName, clientAddress, since } = holder;
  return [`pid ${pid}`, applicationName, clientAddress && `from ${clientAddress}`, since && `connected since ${since.toISOString()}`].filter(Boolean).join(', ');
}

export type RebuildLock = {
  /** Throws unless this connection still holds the lock (checked in the last step, on `tx`). */
  assertHeld(tx: EntityManager): Promise<void>;
  release(): Promise<void>;
};

export type RebuildLockOptions = {
  /** Wait for a running rebuild to end instead of throwing RebuildAlreadyRunningError. */
  wait?: boolean;
  /** Called once before waiting, with whoever holds the lock. */
  onWait?: (holder: RebuildLockHolder | null) => void;
};

/**
 * Takes the rebuild lock on a dedicated connection (a pooled one would keep a session lock after it is
 * released back to the pool). `pg_try_advisory_lock` first, so a refused rebuild can say who runs.
 */
export async function acquireRebuildLock(dataSource: DataSource, options: RebuildLockOptions = {}): Promise<RebuildLock> {
  const client = new Client(pgClientConfig(dataSource.options, `projections:rebuild (node pid ${process.pid})`));
  // A dropped connection also drops the lock; the last step checks it still holds it (assertHeld).
  client.on('error', () => undefined);
  await client.connect();
  try {
    const [{ locked, pid }] = (
      await client.query<{ locked: boolean; pid: number }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked, pg_backend_pid() AS pid`, [
        REBUILD_KEY,
      ])
    ).rows;
    if (!locked) {
      const holder = holderOf((await client.query(REBUILD_LOCK_HOLDER, [REBUILD_KEY])).rows);
      if (!options.wait) throw new RebuildAlreadyRunningError(holder);
      options.onWait?.(holder);
      await client.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [REBUILD_KEY]);
    }
    return {
      assertHeld: async (tx) => {
        const holder = holderOf(await tx.query(REBUILD_LOCK_HOLDER, [REBUILD_KEY]));
        if (holder?.pid !== pid) throw new Error(`lost the rebuild lock (its connection closed?); now held by ${describeHolder(holder)}`);
      },
      release: async () => {
        // Ending the session releases the lock as well; unlocking first just makes it explicit.
        await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [REBUILD_KEY]).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

const holderOf = (rows: RebuildLockHolder[]): RebuildLockHolder | null => rows[0] ?? null;
