import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Every test file gets a database of its own, created here and dropped by `drop()`.
 * The server it lives on is `TEST_PG_ADMIN_URL`, set by global-setup: the `DATABASE_URL` server when
 * that is set, otherwise a throwaway embedded PostgreSQL cluster under the OS temp folder.
 */
export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

export function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run tests through jest (global-setup sets it)');
  return url;
}

export async function createTestDatabase(prefix = 'tts_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // WITH (FORCE) (PostgreSQL 13+) terminates connections a test left open, which would otherwise block the drop.
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
