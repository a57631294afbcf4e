import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { findRepoRoot } from '../../src/config/repo-root';
import { CreateShoeDocument, ImportTrueToSizesDocument, RenameShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk, logOf, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';
import { assertBrowserTestsCanRun, launchChromium, originOf, recordCspViolations } from './browser-kit';

/**
 * The shoe page (`/shoes/<id>`) in a real browser against a real server: its own address (deep link, reload,
 * keyboard), live figures, and the live event feed, which after a dropped connection says so and resumes from the
 * last event it showed, missing nothing and showing nothing twice.
 */
let server: TestServer;
let browser: Browser;
let origin: string;
let admin: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  assertBrowserTestsCanRun();
  server = await startTestServer();
  origin = originOf(server);
  admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
  for (const [name, brand, sizes] of [
    ['Gel-Lyte III', 'ASICS', [3, 3, 2]],
    ['Old Skool', 'Vans', [4, 4]],
    ['Club C 85', 'Reebok', []],
  ] as const) {
    const { createShoe } = await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name, brand } }, admin);
    ids[name] = createShoe.id;
    if (sizes.length) await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: createShoe.id, sizes: [...sizes] } }, admin);
  }
  browser = await launchChromium();
});

// Every page these tests open must work under the server's Content-Security-Policy without a single violation.
const cspViolations: string[] = [];
afterEach(() => expect(cspViolations.splice(0)).toEqual([]));

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  const page = await context.newPage();
  await recordCspViolations(page, cspViolations);
  await page.goto(`${origin}${path}`);
  await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
  return page;
}

const shoePath = (name: string) => `/shoes/${ids[name]}`;
const detail = (page: Page) => page.locator('article.shoe-detail');
const feedVersions = async (page: Page) => (await page.getByTestId('feed-event').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-version')))));

/** The computed font size (px) of the first element matching `selector` (the test's tsconfig has no DOM types). */
async function fontSize(page: Page, selector: string): Promise<number> {
  return Number(await page.evaluate(`parseFloat(getComputedStyle(document.querySelector(${JSON.stringify(selector)})).fontSize)`));
}

async function rateAs(user: string, shoe: string, size: number): Promise<void> {
  await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: ids[shoe], size } }, await token(server.settings.jwtSecret, user));
}

test('a shoe page has its own address: reached by keyboard from the list, reloaded, opened directly', async () => {
  const page = await openPage('/');
  const link = page.getByRole('link', { name: 'Gel-Lyte III' });
  await link.focus();
  await link.press('Enter');
  await page.waitForURL(`${origin}${shoePath('Gel-Lyte III')}`, { timeout: 5000 });
  await detail(page).getByRole('heading', { name: 'Gel-Lyte III · ASICS' }).waitFor({ timeout: 5000 });
  // The new page is announced: focus moved to the page heading, not left on a link that is gone.
  await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('page-heading');
  await expect(page.title()).resolves.toBe('Gel-Lyte III — True to size');
  await expect(detail(page).getByTestId('count').textContent()).resolves.toBe('3 ratings');
  await expect(detail(page).getByTestId('average').textContent()).resolves.toBe('2.67');
  // The same figures, larger than in the list.
  const large = await fontSize(page, 'article.shoe-detail [data-testid="average"]');
  await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 5000 });

  await page.reload();
  await detail(page).getByRole('heading', { name: 'Gel-Lyte III · ASICS' }).waitFor({ timeout: 5000 });
  await page.getByTestId('feed-event').nth(1).waitFor({ timeout: 5000 });
  await expect(feedVersions(page)).resolves.toEqual([2, 1]);
  await expect(page.getByTestId('feed-event').allTextContents()).resolves.toEqual([
    expect.stringMatching(/^Imported 3 ratings: 3, 3, 2v2 · /),
    expect.stringMatching(/^Created as “Gel-Lyte III” by ASICSv1 · /),
  ]);

  await page.goBack();
  await page.waitForURL(`${origin}/`, { timeout: 5000 });
  await page.locator(`li[data-shoe-id="${ids['Gel-Lyte III']}"]`).waitFor({ timeout: 5000 });
  const inList = await fontSize(page, `li[data-shoe-id="${ids['Gel-Lyte III']}"] [data-testid="average"]`);
  expect(large).toBeGreaterThan(inList * 1.3);

  await page.goto(`${origin}/shoes/00000000-0000-4000-8000-000000000000`);
  await page.getByRole('alert').filter({ hasText: 'There is no shoe at this address' }).waitFor({ timeout: 5000 });
  await page.goto(`${origin}/shoes/not-a-uuid`);
  await page.getByRole('alert').filter({ hasText: 'There is no shoe at this address' }).waitFor({ timeout: 5000 });
  await page.context().close();
});

test("a rating made in one browser shows in another's list and shoe page within a second, without reload", async () => {
  const list = await openPage('/');
  const shoePage = await list.context().newPage();
  await recordCspViolations(shoePage, cspViolations);
  await shoePage.goto(`${origin}${shoePath('Old Skool')}`);
  await shoePage.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
  await expect(detail(shoePage).getByTestId('count').textContent()).resolves.toBe('2 ratings');

  // The other browser signs in with the development one-click button and rates on the shoe page.
  const rater = await openPage(shoePath('Old Skool'));
  await rater.getByRole('button', { name: 'Sign in as a user' }).click();
  await rater.getByTestId('signed-in-as').filter({ hasText: 'dev-user' }).waitFor({ timeout: 5000 });
  await detail(rater).getByRole('button', { name: 'Rate 1: really small' }).click();
  await detail(rater).getByTestId('count').filter({ hasText: /^3 ratings$/ }).waitFor({ timeout: 5000 });

  const row = list.locator(`li[data-shoe-id="${ids['Old Skool']}"]`);
  await Promise.all([
    row.getByTestId('count').filter({ hasText: /^3 ratings$/ }).waitFor({ timeout: 1000 }),
    detail(shoePage).getByTestId('count').filter({ hasText: /^3 ratings$/ }).waitFor({ timeout: 1000 }),
    shoePage.getByTestId('feed-event').first().filter({ hasText: 'Rated 1 (really small)' }).waitFor({ timeout: 1000 }),
  ]);
  await expect(detail(shoePage).getByTestId('average').textContent()).resolves.toBe('3.00');
  await expect(row.getByTestId('average').textContent()).resolves.toBe('3.00');
  await expect(feedVersions(shoePage)).resolves.toEqual([3, 2, 1]);

  // Changing the rating: the feed says so, and the figures follow.
  await detail(rater).getByRole('button', { name: 'Rate 4: a bit big' }).click();
  await shoePage.getByTestId('feed-event').first().filter({ hasText: 'Rating changed from 1 to 4 (a bit big)' }).waitFor({ timeout: 2000 });
  await detail(shoePage).getByTestId('fit').filter({ hasText: 'Runs large' }).waitFor({ timeout: 2000 });
  await list.context().close();
  await rater.context().close();
});

test('the event feed resumes after a dropped connection from the last event it showed: nothing missed, nothing twice', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 1200 } });
  const page = await context.newPage();
  await recordCspViolations(page, cspViolations);
  // Every WebSocket of the page goes through this proxy, which can drop them all and refuse new ones ("offline").
  let offline = false;
  const open: WebSocketRoute[] = [];
  const feedAfters: (string | null)[] = [];
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    if (offline) {
      void ws.close({ code: 1012, reason: 'test: the network is down' });
      return;
    }
    const upstream = ws.connectToServer();
    ws.onMessage((message) => {
      const parsed = JSON.parse(message.toString()) as { type: string; payload?: { query?: string; variables?: { after?: string | null } } };
      if (parsed.type === 'subscribe' && parsed.payload?.query?.includes('shoeEvents')) feedAfters.push(parsed.payload.variables?.after ?? null);
      upstream.send(message);
    });
    open.push(ws);
  });
  const shoe = 'Club C 85';
  await rateAs('feed-1', shoe, 3);
  await page.goto(`${origin}${shoePath(shoe)}`);
  await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
  await expect(feedVersions(page)).resolves.toEqual([2, 1]);
  const lastShown = await page.getByTestId('feed-event').first().getAttribute('data-position');
  expect(feedAfters).toEqual([lastShown]); // history first, then live from its last event

  // Drop every socket and keep the network down while five events happen.
  offline = true;
  await Promise.all(open.splice(0).map((ws) => ws.close({ code: 1012, reason: 'test: connection dropped' })));
  await page.getByTestId('feed-status').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 2000 });
  await rateAs('feed-2', shoe, 2);
  await rateAs('feed-3', shoe, 5);
  await rateAs('feed-2', shoe, 4);
  await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: ids[shoe], sizes: [1, 5] } }, admin);
  await gqlOk(server.httpUrl, RenameShoeDocument, { input: { id: ids[shoe], name: 'Club C 85 Vintage' } }, admin);
  expect(await logOf(server.httpUrl, ids[shoe], 7)).toHaveLength(7);
  await expect(page.getByTestId('feed-status').textContent()).resolves.toBe('Reconnecting…');
  await expect(feedVersions(page)).resolves.toEqual([2, 1]);

  // Back online: it resumes after the last event it showed and shows each missed event once, in order.
  offline = false;
  await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 15000 });
  await page.getByTestId('feed-event').nth(6).waitFor({ timeout: 5000 });
  await expect(feedVersions(page)).resolves.toEqual([7, 6, 5, 4, 3, 2, 1]);
  const positions = await page.getByTestId('feed-event').evaluateAll((els) => els.map((el) => el.getAttribute('data-position')));
  expect(new Set(positions).size).toBe(7);
  expect(feedAfters.length).toBeGreaterThanOrEqual(2);
  expect(feedAfters.slice(1)).toEqual(feedAfters.slice(1).map(() => lastShown));
  await expect(page.getByTestId('feed-event').allTextContents()).resolves.toEqual([
    expect.stringMatching(/^Renamed to “Club C 85 Vintage”v7/),
    expect.stringMatching(/^Imported 2 ratings: 1, 5v6/),
    expect.stringMatching(/^Rating changed from 2 to 4 \(a bit big\)v5/),
    expect.stringMatching(/^Rated 5 \(really big\)v4/),
    expect.stringMatching(/^Rated 2 \(a bit small\)v3/),
    expect.stringMatching(/^Rated 3 \(true to size\)v2/),
    expect.stringMatching(/^Created as “Club C 85” by Reebokv1/),
  ]);
  // The figures caught up too (the app refetches what is on screen after a reconnect), and it is live again.
  await detail(page).getByRole('heading', { name: 'Club C 85 Vintage · Reebok' }).waitFor({ timeout: 5000 });
  await detail(page).getByTestId('count').filter({ hasText: /^5 ratings$/ }).waitFor({ timeout: 5000 });
  await rateAs('feed-4', shoe, 3);
  await page.getByTestId('feed-event').first().filter({ hasText: 'Rated 3 (true to size)' }).waitFor({ timeout: 1000 });
  await expect(feedVersions(page)).resolves.toEqual([8, 7, 6, 5, 4, 3, 2, 1]);

  mkdirSync(join(findRepoRoot(), 'docs'), { recursive: true });
  await page.screenshot({ path: join(findRepoRoot(), 'docs', 'shoe-page.png'), fullPage: true });
  await context.close();
});
