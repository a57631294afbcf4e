import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findRepoRoot } from '../../src/config/repo-root';
import { CreateShoeDocument, ImportTrueToSizesDocument } from '../generated/graphql';
import { gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';
import { assertBrowserTestsCanRun, horizontalOverflow, launchChromium, originOf, recordCspViolations } from './browser-kit';

/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against a real server that serves
 * web/dist at `/`: a rating made in one browser context shows in another's list within a second, without reload.
 * No Chromium means this file FAILS: browser tests never pass or skip silently (browser-kit.ts).
 */
let server: TestServer;
let browser: Browser;
let origin: string;
let shopper: string;
let admin: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  assertBrowserTestsCanRun();
  server = await startTestServer();
  origin = originOf(server);
  admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
  shopper = await token(server.settings.jwtSecret, 'browser-shopper');
  const seed: [string, string, number[]][] = [
    ['Air Jordan 1 Retro High OG', 'Nike', [3, 3, 4, 3, 2, 3]],
    ['Samba OG', 'adidas', [2, 2, 1, 3, 2]],
    ['Yeezy Boost 350 V2', 'adidas', []],
    ['990v6', 'New Balance', [4, 4, 5, 3, 4]],
  ];
  for (const [name, brand, sizes] of seed) {
    const { createShoe } = await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name, brand } }, admin);
    ids[name] = createShoe.id;
    if (sizes.length) await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: createShoe.id, sizes } }, admin);
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

const row = (page: Page, name: string) => page.locator(`li[data-shoe-id="${ids[name]}"]`);

async function openDashboard(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  const page = await context.newPage();
  await recordCspViolations(page, cspViolations);
  await page.goto(`${origin}/`);
  await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });
  return page;
}

test('the server still answers the API beside the dashboard', async () => {
  const res = await fetch(`${origin}/`);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('<div id="root">');
  expect((await fetch(`${origin}/health/live`)).status).toBe(200);
  expect((await fetch(`${origin}/metrics`)).status).toBe(200);
  const api = await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
});

test('a rating made in one browser shows in another browser within a second, without reload', async () => {
  const watcher = await openDashboard();
  const rater = await openDashboard();
  const yeezy = 'Yeezy Boost 350 V2';
  await expect(row(watcher, yeezy).getByTestId('count').textContent()).resolves.toBe('0 ratings');
  await expect(row(watcher, yeezy).getByTestId('fit').textContent()).resolves.toBe('No ratings yet');

  // Signed out, rating is refused with a sentence, not a code.
  await row(rater, yeezy).getByRole('button', { name: 'Rate 2: a bit small' }).click();
  await row(rater, yeezy).getByRole('alert').filter({ hasText: 'You need to sign in first' }).waitFor({ timeout: 5000 });

  // Sign in by pasting a token; it survives a reload (localStorage).
  await rater.getByLabel('Access token').fill(shopper);
  await rater.getByRole('button', { name: 'Sign in', exact: true }).click();
  await rater.getByTestId('signed-in-as').filter({ hasText: 'browser-shopper' }).waitFor({ timeout: 5000 });
  await rater.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor({ timeout: 10000 });

  // Keyboard: focus the button and press Enter.
  const rate2 = row(rater, yeezy).getByRole('button', { name: 'Rate 2: a bit small' });
  await rate2.focus();
  await rate2.press('Enter');
  await row(rater, yeezy).getByTestId('count').filter({ hasText: /^1 rating$/ }).waitFor({ timeout: 5000 });
  const seenWithin = Date.now();
  await row(watcher, yeezy).getByTestId('count').filter({ hasText: /^1 rating$/ }).waitFor({ timeout: 1000 });
  expect(Date.now() - seenWithin).toBeLessThan(1000);
  await expect(row(watcher, yeezy).getByTestId('average').textContent()).resolves.toBe('2.00');
  await expect(row(watcher, yeezy).getByTestId('fit').textContent()).resolves.toBe('Runs small');
  await expect(row(watcher, yeezy).locator('.bar-fill[data-count="1"]').count()).resolves.toBe(1);

  // Change the rating, then retract it: the other browser follows each time.
  await row(rater, yeezy).getByRole('button', { name: 'Rate 4: a bit big' }).click();
  await row(watcher, yeezy).getByTestId('fit').filter({ hasText: 'Runs large' }).waitFor({ timeout: 2000 });
  await expect(row(watcher, yeezy).getByTestId('count').textContent()).resolves.toBe('1 rating');
  await row(rater, yeezy).getByRole('button', { name: 'Retract my rating' }).click();
  await row(watcher, yeezy).getByTestId('count').filter({ hasText: /^0 ratings$/ }).waitFor({ timeout: 2000 });

  // A rating for the screenshot, then the dashboard as the README shows it.
  await row(rater, yeezy).getByRole('button', { name: 'Rate 3: true to size' }).click();
  await row(watcher, yeezy).getByTestId('fit').filter({ hasText: 'True to size' }).waitFor({ timeout: 2000 });
  mkdirSync(join(findRepoRoot(), 'docs'), { recursive: true });
  await watcher.screenshot({ path: join(findRepoRoot(), 'docs', 'dashboard.png'), fullPage: true });
  await watcher.context().close();
  await rater.context().close();
});

test('search and paging', async () => {
  for (let i = 1; i <= 8; i++) {
    await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Zoom Fly ${i}`, brand: 'Nike' } }, admin);
  }
  const page = await openDashboard();
  await page.getByText('12 shoes — page 1 of 2').waitFor({ timeout: 5000 });
  await expect(page.locator('li[data-shoe-id]').count()).resolves.toBe(10);
  await page.getByRole('button', { name: 'Next page →' }).click();
  await page.getByText('12 shoes — page 2 of 2').waitFor({ timeout: 5000 });
  await expect(page.locator('li[data-shoe-id] h2').allTextContents()).resolves.toEqual(['Zoom Fly 7 · Nike', 'Zoom Fly 8 · Nike']);
  await expect(page.getByRole('button', { name: 'Next page →' }).isDisabled()).resolves.toBe(true);
  await page.getByRole('button', { name: '← Previous page' }).click();
  await page.getByText('12 shoes — page 1 of 2').waitFor({ timeout: 5000 });

  await page.getByLabel('Search shoes by name or brand').fill('ADIDAS');
  await page.getByText('2 shoes matching “ADIDAS” — page 1 of 1').waitFor({ timeout: 5000 });
  await expect(page.locator('li[data-shoe-id]').count()).resolves.toBe(2);
  await page.getByLabel('Search shoes by name or brand').fill('no such shoe');
  await page.getByText('No shoe matches “no such shoe”.').waitFor({ timeout: 5000 });
  await page.context().close();
});

test('readable at phone width: nothing wider than the screen', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await recordCspViolations(page, cspViolations);
  await page.goto(`${origin}/`);
  await page.locator('li[data-shoe-id]').first().waitFor({ timeout: 5000 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  await context.close();
});
