import type { Browser, Page, Request } from 'playwright-core';
import { CreateShoeDocument, EventsDocument } from '../generated/graphql';
import { gqlOk, token } from '../support/graphql-client';
import { startServerProcess, stopAllServerProcesses } from '../support/server-process';
import { createTestDatabase } from '../support/test-database';
import { startTestServer, TestServer } from '../support/test-server';
import { assertBrowserTestsCanRun, horizontalOverflow, launchChromium, originOf, recordCspViolations } from './browser-kit';

/**
 * The admin screens end to end in a real browser: one-click admin sign-in (development and test only), create,
 * rename, bulk import pasted as "1,2,3,4" (checked in the page first, retried safely with the same idempotency key),
 * server errors as sentences; non-admins do not get the screens; phone width; production has no one-click sign-in.
 */
const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-chars', LOG_LEVEL: 'error' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  assertBrowserTestsCanRun();
  server = await startTestServer();
  origin = originOf(server);
  const admin = await token(server.settings.jwtSecret, 'seed-admin', ['admin']);
  await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Air Max 90', brand: 'Nike' } }, admin);
  browser = await launchChromium();
});

// Every page these tests open must work under the server's Content-Security-Policy without a single violation.
const cspViolations: string[] = [];
afterEach(() => expect(cspViolations.splice(0)).toEqual([]));

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(width = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 1000 } });
  const page = await context.newPage();
  await recordCspViolations(page, cspViolations);
  await page.goto(`${origin}/`);
  await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
  return page;
}

async function signInAs(page: Page, who: 'a user' | 'an admin'): Promise<void> {
  await page.getByRole('button', { name: `Sign in as ${who}` }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: who === 'an admin' ? 'dev-admin' : 'dev-user' }).waitFor({ timeout: 5000 });
}

/** The variables of every GraphQL mutation the page sends, by operation name. */
function recordMutations(page: Page): Record<string, Record<string, unknown>[]> {
  const seen: Record<string, Record<string, unknown>[]> = {};
  page.on('request', (request: Request) => {
    if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
    const body = request.postDataJSON() as { operationName?: string; variables?: Record<string, unknown> };
    if (body.operationName) (seen[body.operationName] ??= []).push(body.variables ?? {});
  });
  return seen;
}

const detail = (page: Page) => page.locator('article.shoe-detail');

test('an admin signs in with one click, creates a shoe, imports "1,2,3,4" and sees 4 ratings averaging 2.50', async () => {
  const page = await openPage();
  const sent = recordMutations(page);
  await expect(page.getByRole('form', { name: 'Create a shoe' }).count()).resolves.toBe(0);
  await signInAs(page, 'an admin');
  const create = page.getByRole('form', { name: 'Create a shoe' });
  await create.waitFor({ timeout: 5000 });

  // Create, by keyboard: Enter in a field submits the form.
  await create.getByLabel('Name').fill('Air Max 1 86 OG');
  await create.getByLabel('Brand (optional)').fill('Nike');
  await create.getByLabel('Brand (optional)').press('Enter');
  await create.getByRole('status').filter({ hasText: 'Created “Air Max 1 86 OG”.' }).waitFor({ timeout: 5000 });
  expect(sent.DashboardCreateShoe[0].idempotencyKey).toMatch(UUID);
  await page.locator('li[data-shoe-id]').filter({ hasText: 'Air Max 1 86 OG' }).waitFor({ timeout: 5000 }); // the list refreshed

  // The same (brand, name) again: the server's CONFLICT, as a sentence.
  await create.getByLabel('Name').fill('air max 1 86 og ');
  await create.getByLabel('Brand (optional)').fill('NIKE');
  await create.getByRole('button', { name: 'Create shoe' }).click();
  await create.getByRole('alert').filter({ hasText: 'or it already exists' }).waitFor({ timeout: 5000 });
  expect(sent.DashboardCreateShoe[1].idempotencyKey).not.toBe(sent.DashboardCreateShoe[0].idempotencyKey);

  // To the new shoe's page: it has no ratings yet.
  await create.getByLabel('Name').fill('Air Max 1 86 OG Big Bubble');
  await create.getByRole('button', { name: 'Create shoe' }).click();
  await create.getByRole('link', { name: 'Open its page' }).click();
  await detail(page).getByRole('heading', { name: 'Air Max 1 86 OG Big Bubble · NIKE' }).waitFor({ timeout: 5000 });
  const shoeId = (await detail(page).getAttribute('data-shoe-id'))!;
  await expect(detail(page).getByTestId('count').textContent()).resolves.toBe('0 ratings');

  // A typo is caught in the page, with a sentence naming the value; nothing is sent.
  const importForm = page.getByRole('form', { name: 'Import ratings' });
  await importForm.getByLabel('Sizes to import').fill('1,2,7');
  await importForm.getByLabel('Sizes to import').press('Enter');
  await importForm.getByRole('alert').filter({ hasText: 'Value 3, “7”, is not a size: each must be a whole number from 1 to 5.' }).waitFor({ timeout: 2000 });
  expect(sent.DashboardImport).toBeUndefined();

  // The first attempt reaches the server but its answer is lost: the page says so; trying again sends the same key,
  // so the server replays the import instead of counting it twice.
  let dropAnswer = true;
  await page.route('**/graphql', async (route) => {
    const body = route.request().postDataJSON() as { operationName?: string } | null;
    if (dropAnswer && body?.operationName === 'DashboardImport') {
      dropAnswer = false;
      await route.fetch();
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });
  await importForm.getByLabel('Sizes to import').fill('1,2,3,4');
  await importForm.getByLabel('Sizes to import').press('Enter');
  await importForm.getByRole('alert').filter({ hasText: 'The server cannot be reached' }).waitFor({ timeout: 5000 });
  await detail(page).getByTestId('count').filter({ hasText: /^4 ratings$/ }).waitFor({ timeout: 5000 }); // it did land (live update)
  await importForm.getByRole('button', { name: 'Import' }).click();
  await importForm.getByRole('status').filter({ hasText: 'Imported 4 ratings; 4 in all now.' }).waitFor({ timeout: 5000 });
  expect(sent.DashboardImport.map((v) => v.sizes)).toEqual([[1, 2, 3, 4], [1, 2, 3, 4]]);
  expect(sent.DashboardImport[1].idempotencyKey).toBe(sent.DashboardImport[0].idempotencyKey);
  expect(sent.DashboardImport[0].idempotencyKey).toMatch(UUID);
  await expect(detail(page).getByTestId('count').textContent()).resolves.toBe('4 ratings');
  await expect(detail(page).getByTestId('average').textContent()).resolves.toBe('2.50');
  await expect(detail(page).getByTestId('fit').textContent()).resolves.toBe('True to size');
  await page.getByTestId('feed-event').first().filter({ hasText: 'Imported 4 ratings: 1, 2, 3, 4' }).waitFor({ timeout: 2000 });
  const log = (await gqlOk(server.httpUrl, EventsDocument, { shoeId, first: 100 })).events.edges.map((e) => e.node.__typename);
  expect(log).toEqual(['ShoeCreated', 'TrueToSizesImported']);

  // Rename on the shoe page; a taken name is refused with a sentence.
  const rename = page.getByRole('form', { name: 'Rename this shoe' });
  await rename.getByLabel('New name').fill('Air Max 1 86 OG');
  await rename.getByRole('button', { name: 'Rename shoe' }).click();
  await rename.getByRole('alert').filter({ hasText: 'or it already exists' }).waitFor({ timeout: 5000 });
  await rename.getByLabel('New name').fill('Air Max 1 Big Bubble');
  await rename.getByLabel('New name').press('Enter');
  await rename.getByRole('status').filter({ hasText: 'Renamed to “Air Max 1 Big Bubble”.' }).waitFor({ timeout: 5000 });
  await detail(page).getByRole('heading', { name: 'Air Max 1 Big Bubble · NIKE' }).waitFor({ timeout: 2000 });
  await page.getByTestId('feed-event').first().filter({ hasText: 'Renamed to “Air Max 1 Big Bubble”' }).waitFor({ timeout: 2000 });
  await page.context().close();
});

test('a signed-in shopper gets no admin screens', async () => {
  const page = await openPage();
  await signInAs(page, 'a user');
  await page.getByRole('link', { name: 'Air Max 90' }).click();
  await detail(page).getByRole('heading', { name: 'Air Max 90 · Nike' }).waitFor({ timeout: 5000 });
  await detail(page).getByRole('button', { name: 'Rate 3: true to size' }).waitFor({ timeout: 5000 });
  await expect(page.getByRole('form').count()).resolves.toBe(0);
  await page.getByRole('link', { name: '← All shoes' }).click();
  await page.locator('li[data-shoe-id]').first().waitFor({ timeout: 5000 });
  await expect(page.getByRole('form', { name: 'Create a shoe' }).count()).resolves.toBe(0);
  await page.context().close();
});

test('readable at phone width (375 px): the list with the admin form, and the shoe page with its forms and feed', async () => {
  const page = await openPage(375);
  await signInAs(page, 'an admin');
  await page.getByRole('form', { name: 'Create a shoe' }).waitFor({ timeout: 5000 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await page.getByRole('link', { name: 'Air Max 90' }).click();
  await page.getByRole('form', { name: 'Import ratings' }).waitFor({ timeout: 5000 });
  await page.getByTestId('feed-event').first().waitFor({ timeout: 5000 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  // Every control a thumb needs is at least 40 px tall.
  const heights = await page.locator('article.shoe-detail button').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
  expect(Math.min(...heights)).toBeGreaterThanOrEqual(40);
  await page.context().close();
});

test('in production the dashboard offers no one-click sign-in, because /dev/token does not exist there', async () => {
  // The real start path (node dist/main.js) with NODE_ENV=production, on a database of its own.
  const db = await createTestDatabase('tts_prod');
  try {
    const production = await startServerProcess({ env: { ...PRODUCTION, DATABASE_URL: db.url } });
    const context = await browser.newContext();
    const page = await context.newPage();
    await recordCspViolations(page, cspViolations);
    const probe = page.waitForResponse((res) => new URL(res.url()).pathname === '/dev/token');
    await page.goto(`${production.baseUrl}/`);
    expect((await probe).status()).toBe(404);
    await page.getByLabel('Access token').waitFor({ timeout: 5000 });
    await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
    await expect(page.getByRole('button', { name: /Sign in as/ }).count()).resolves.toBe(0);
    await context.close();
    expect(await production.stop()).toEqual({ code: 0, signal: null });
  } finally {
    await stopAllServerProcesses();
    await db.drop();
  }
});
