import { Client } from 'pg';
import { adminUrl, createTestDatabase } from '../support/test-database';

/** The per-test-file database helper, against whichever server global-setup chose (DATABASE_URL or embedded). */
async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a database of its own on the admin server', async () => {
    const db = await createTestDatabase();
    const client = new Client({ connectionString: db.url });
    await client.connect();

    const { rows } = await client.query('SELECT current_database() AS name');

    expect(rows).toEqual([{ name: db.name }]);
    expect(db.name).toMatch(/^tts_test_[0-9a-f]{12}$/);
    await client.end();
    await db.drop();
  });

  it('drops the database even while a connection is still open, and twice harmlessly', async () => {
    const db = await createTestDatabase('tts_drop');
    const straggler = new Client({ connectionString: db.url });
    straggler.on('error', () => undefined); // the forced drop terminates it
    await straggler.connect();

    await db.drop();
    await db.drop();

    await expect(databaseExists(db.name)).resolves.toBe(false);
    await straggler.end().catch(() => undefined);
  });
});
