import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app';
import { loadSettings } from '../../src/config/load-settings';
import { DEMO_SHOES, DemoDataSeeder } from '../../src/demo/demo-data.seeder';
import { CreateShoeDocument, ShoesDocument } from '../generated/graphql';
import { gqlOk, logOf, token } from '../support/graphql-client';
import { checkProjections } from '../support/projection-check';
import { spawnServerProcess, stopAllServerProcesses, waitUntilReady } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * DEMO_DATA seeds an empty database through the commands (so the log has the events and the projections agree),
 * once, however many instances start together; never unless the setting asks (the test environment's default is off).
 */
let db: TestDatabase;
const apps: INestApplication[] = [];

async function start(env: Record<string, string> = {}): Promise<string> {
  const app = await createApp(loadSettings({ ...process.env, NODE_ENV: 'test', DEMO_DATA: undefined, ...env }), db.url);
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/graphql`;
}

async function stopAll(): Promise<void> {
  await Promise.all(apps.splice(0).map((app) => app.close()));
}

async function shoesAt(url: string) {
  return (await gqlOk(url, ShoesDocument, { first: 100, orderBy: 'NAME_ASC' })).shoes;
}

beforeEach(async () => {
  db = await createTestDatabase('tts_demo');
});

afterEach(async () => {
  await stopAllServerProcesses();
  await stopAll();
  try {
    const { differences } = await checkProjections(db.url);
    expect(differences).toEqual([]);
  } finally {
    await db.drop();
  }
});

test('the test environment seeds nothing unless DEMO_DATA asks', async () => {
  const url = await start();
  expect((await shoesAt(url)).totalCount).toBe(0);
});

test('DEMO_DATA=true seeds an empty database with real events, and a restart adds nothing', async () => {
  const url = await start({ DEMO_DATA: 'true' });
  const shoes = await shoesAt(url);
  expect(shoes.totalCount).toBe(DEMO_SHOES.length);
  for (const demo of DEMO_SHOES) {
    const shoe = shoes.edges.map((e) => e.node).find((s) => s.name === demo.name);
    expect(shoe).toMatchObject({ brand: demo.brand, trueToSize: { count: demo.imported.length + demo.rated.length } });
    // Created, imported and rated by commands: the shoe's log holds every event.
    const expectedEvents = 1 + (demo.imported.length ? 1 : 0) + demo.rated.length;
    const log = await logOf(url, shoe!.id, expectedEvents);
    expect(log.map((e) => e.node.__typename)).toEqual([
      'ShoeCreated',
      ...(demo.imported.length ? ['TrueToSizesImported'] : []),
      ...demo.rated.map(() => 'TrueToSizeSubmitted'),
    ]);
  }
  const yeezy = shoes.edges.find((e) => e.node.name === 'Yeezy Boost 350 V2')!.node;
  expect(yeezy.trueToSize.average).toBe(36 / 14);

  await stopAll();
  const again = await start({ DEMO_DATA: 'true' });
  expect((await shoesAt(again)).edges.map((e) => [e.node.id, e.node.version])).toEqual(shoes.edges.map((e) => [e.node.id, e.node.version]));
});

test('seeding at the same moment from several places creates each demo shoe once', async () => {
  const url = await start(); // no seeding at start: the test races the seeder against itself instead
  const seeder = apps[0].get(DemoDataSeeder);
  const results = await Promise.all([seeder.seedIfEmpty(), seeder.seedIfEmpty(), seeder.seedIfEmpty()]);
  expect(results.filter((n) => n > 0).length).toBeGreaterThan(0);
  expectDemoShoes(await shoesAt(url));
});

test('server processes starting together on one empty database seed it once', async () => {
  const env = { DATABASE_URL: db.url, DEMO_DATA: 'true', LOG_LEVEL: 'info' };
  const servers = await Promise.all([spawnServerProcess({ env }), spawnServerProcess({ env })]);
  try {
    await Promise.all(servers.map((server) => waitUntilReady(server)));
    for (const server of servers) expectDemoShoes(await shoesAt(server.httpUrl));
    expect(servers.map((server) => server.output()).join('\n')).toMatch(/seeded 6 demo shoes/);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});

function expectDemoShoes(shoes: Awaited<ReturnType<typeof shoesAt>>): void {
  expect(shoes.totalCount).toBe(DEMO_SHOES.length);
  for (const { node } of shoes.edges) {
    const demo = DEMO_SHOES.find((d) => d.name === node.name)!;
    expect(node.trueToSize.count).toBe(demo.imported.length + demo.rated.length);
  }
}

test('a database that already has a shoe is left alone', async () => {
  const first = await start();
  const settings = loadSettings({ ...process.env, NODE_ENV: 'test' });
  await gqlOk(first, CreateShoeDocument, { input: { name: 'Our own shoe', brand: null } }, await token(settings.jwtSecret, 'admin', ['admin']));
  await stopAll();
  const url = await start({ DEMO_DATA: 'true' });
  expect((await shoesAt(url)).edges.map((e) => e.node.name)).toEqual(['Our own shoe']);
});
