import type { Browser } from 'playwright-core';
import { CreateShoeDocument } from '../generated/graphql';
import { gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';
import { assertBrowserTestsCanRun, launchChromium, originOf, recordCspViolations } from './browser-kit';

/**
 * GET /graphql is an IDE that works on an air-gapped machine: in a browser whose every request to anything but this
 * server is cut (HTTP and WebSocket), the page loads, introspects the schema and runs a query.
 */
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  assertBrowserTestsCanRun();
  server = await startTestServer();
  const admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
  await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Offline Runner', brand: 'Airgap' } }, admin);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

test('the IDE at GET /graphql loads and runs a query with the network to anything but localhost cut', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const attempted: string[] = [];
  const served: string[] = [];
  // Everything the page asks for passes through here: local requests go on, any other is aborted and recorded.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || isLocal(url)) {
      served.push(url);
      await route.continue();
      return;
    }
    attempted.push(url);
    await route.abort('internetdisconnected');
  });
  await context.routeWebSocket(
    (url) => !isLocal(url.href),
    (ws) => {
      attempted.push(ws.url());
      void ws.close({ code: 1008, reason: 'offline' });
    },
  );
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const cspViolations = await recordCspViolations(page);

  await page.goto(originOf(server) + '/graphql', { waitUntil: 'load' });
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.waitFor({ timeout: 15000 });
  // The query editor is CodeMirror 5: set its text through its own API (typing would fight its bracket completion).
  await editor.evaluate((el, query) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(query), '{ shoes(first: 5) { totalCount edges { node { name brand } } } }');
  await page.getByRole('button', { name: /Execute query/ }).click();
  const result = page.locator('.graphiql-response .CodeMirror');
  await result.filter({ hasText: 'Offline Runner' }).waitFor({ timeout: 10000 });
  const json = JSON.parse(await result.evaluate((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()));
  expect(json).toEqual({ data: { shoes: { totalCount: 1, edges: [{ node: { name: 'Offline Runner', brand: 'Airgap' } }] } } });

  // The schema came from the server too: the docs explorer knows the API's types.
  await page.getByRole('button', { name: /Show Documentation Explorer/ }).click();
  await page.getByText('Query', { exact: true }).first().waitFor({ timeout: 10000 });
  // And its docs pane shows the schema's descriptions: the Query type's own, and those of its fields.
  await page.getByText('Query', { exact: true }).first().click();
  await page.getByText(/^Reads; no token needed/).first().waitFor({ timeout: 10000 });
  await page.getByText(/^One shoe by id/).first().waitFor({ timeout: 10000 });

  expect(attempted).toEqual([]); // nothing even tried to leave the machine
  expect(cspViolations).toEqual([]); // the page's Content-Security-Policy lets the whole IDE work
  // And the cut is real: a CDN request from this page fails. The page's CSP (connect-src 'self') refuses it
  // before it reaches the network, so the route never sees it: the refusal is recorded as a violation instead.
  const refused = page.waitForEvent('console', { predicate: (m) => /Content Security Policy/.test(m.text()) && m.text().includes('unpkg.com'), timeout: 5000 });
  await expect(page.evaluate("fetch('https://unpkg.com/graphiql/graphiql.min.js').then(() => 'reached', () => 'cut')")).resolves.toBe('cut');
  await refused;
  expect(attempted).toEqual([]);
  expect(served.some((url) => url.includes('/graphiql/assets/'))).toBe(true);
  expect(pageErrors).toEqual([]);
  await context.close();
});
