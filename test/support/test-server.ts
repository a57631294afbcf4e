import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app';
import type { AppSettings } from '../../src/config/app-settings';
import { loadSettings } from '../../src/config/load-settings';
import { checkProjections } from './projection-check';
import { createTestDatabase, TestDatabase } from './test-database';

/**
 * A real server for e2e tests: its own fresh database, migrations run as in production, listening on a
 * free port of 127.0.0.1, spoken to over real HTTP and WebSocket.
 */
export type TestServer = {
  app: INestApplication;
  db: TestDatabase;
  settings: AppSettings;
  httpUrl: string;
  wsUrl: string;
  close(): Promise<void>;
};

export async function startTestServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const db = await createTestDatabase('tts_e2e');
  // DEMO_DATA from the developer's shell must not seed a test's database: only a test that passes it gets demo shoes.
  const settings = loadSettings({ ...process.env, NODE_ENV: 'test', PORT: '0', DEMO_DATA: undefined, ...overrides });
  const app = await createApp(settings, db.url);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    db,
    settings,
    httpUrl: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    // Every e2e file ends by checking that its read models still equal the fold of its log.
    close: async () => {
      await app.close();
      try {
        const { differences } = await checkProjections(db.url);
        if (differences.length) throw new Error(`projections differ from the log:\n${differences.join('\n')}`);
      } finally {
        await db.drop();
      }
    },
  };
}
