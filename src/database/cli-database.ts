import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { loadSettings } from '../config/load-settings';
import { dataSourceOptions } from './data-source-options';
import { startEmbeddedPostgres } from './embedded-postgres';
import { ensurePostgresUser, reachableDataDir, readPassword } from './embedded-postgres-location';
import { isAlive } from './embedded-postgres-stale';
import { runMigrations } from './migrate';

export type CliDatabase = { dataSource: DataSource; close(): Promise<void> };

/**
 * The database a command-line tool (projections:rebuild) works on, the same one `npm start` serves:
 * 1. DATABASE_URL when set;
 * 2. else the embedded cluster under .data/: attached to when a running server already has it up
 *    (its port is in postmaster.pid), started (and stopped again afterwards) when not.
 */
export async function openCliDatabase(): Promise<CliDatabase> {
  const settings = loadSettings();
  if (settings.databaseUrl) return open(settings.databaseUrl, async () => undefined);
  const running = await runningEmbeddedUrl(settings.embeddedPostgres.dir);
  if (running) return open(running, async () => undefined);
  const embedded = await startEmbeddedPostgres({ dir: settings.embeddedPostgres.dir, port: settings.embeddedPostgres.port });
  return open(embedded.url, embedded.stop);
}

async function open(url: string, after: () => Promise<void>): Promise<CliDatabase> {
  const dataSource = await new DataSource(dataSourceOptions(url, 4)).initialize();
  await runMigrations(dataSource);
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await after();
    },
  };
}

/** postmaster.pid: line 1 the pid, line 4 the port (PostgreSQL's documented layout). */
async function runningEmbeddedUrl(configuredDir: string): Promise<string | null> {
  const dir = await reachableDataDir(path.resolve(configuredDir), await ensurePostgresUser(), () => undefined);
  const lines = (await readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  if (!pid || !port || !(await isAlive(pid))) return null;
  const password = await readPassword(dir);
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/true_to_size`;
}
