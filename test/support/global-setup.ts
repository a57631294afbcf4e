import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * Jest globalSetup: decide which PostgreSQL server the whole run uses, and hand it to the workers as
 * TEST_PG_ADMIN_URL (env vars set here are inherited by them). Every test file then creates a database of its own
 * there (test/support/test-database.ts).
 * - DATABASE_URL set: that server; the URL must let us CREATE DATABASE (e.g. postgres://postgres@127.0.0.1:5432/postgres).
 * - otherwise: ONE throwaway embedded cluster for the run, in a fresh temp folder that global-teardown removes.
 */
export type TestServerState = { handle: EmbeddedPostgresHandle; root: string };

// globalSetup and globalTeardown run in the same (Jest's main) process: a global carries the handle across.
export const STATE_KEY = '__trueToSizeTestPostgres';

export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_PG_ADMIN_URL = process.env.DATABASE_URL;
    announce(`DATABASE_URL server ${redact(process.env.DATABASE_URL)}`);
    return;
  }
  const started = Date.now();
  const root = mkdtempSync(path.join(tmpdir(), 'tts-test-'));
  chmodSync(root, 0o755); // mkdtemp makes it 700; as root, the OS user "postgres" must be able to reach the data below
  const handle = await startEmbeddedPostgres({ dir: path.join(root, 'data'), database: 'postgres', persistent: false }).catch((error: unknown) => {
    rmSync(root, { recursive: true, force: true }); // teardown does not run when setup fails
    throw error;
  });
  (globalThis as Record<string, unknown>)[STATE_KEY] = { handle, root } satisfies TestServerState;
  process.env.TEST_PG_ADMIN_URL = handle.url;
  announce(`embedded PostgreSQL on 127.0.0.1:${handle.port}, data in ${handle.dir} (up in ${Date.now() - started} ms)`);
}

function announce(server: string): void {
  process.stderr.write(`\n[tests] PostgreSQL: ${server}\n`);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
