import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { defaultWebDist } from '../../src/web/web-app';
import type { TestServer } from '../support/test-server';

/**
 * What every browser test shares: Debian's Chromium driven by playwright-core, against a real server that serves
 * web/dist. No Chromium (or no built dashboard) makes the test FAIL with the reason: browser tests never pass or
 * skip silently.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function assertBrowserTestsCanRun(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `BROWSER TESTS CANNOT RUN: no Chromium at ${CHROMIUM}. Install it (Debian/Ubuntu: apt-get install -y chromium) ` +
        'or set CHROMIUM_PATH. These tests fail rather than pass without a browser.',
    );
  }
  if (!existsSync(join(defaultWebDist(), 'index.html'))) {
    throw new Error(`The dashboard is not built (${defaultWebDist()} is missing): run \`npm run build\` first (npm test does).`);
  }
}

export async function launchChromium(): Promise<Browser> {
  assertBrowserTestsCanRun();
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** http://127.0.0.1:<port>, where the dashboard is served. */
export function originOf(server: TestServer): string {
  return server.httpUrl.replace(/\/graphql$/, '');
}

/** How much wider than the screen the page is (0 or less: nothing to scroll sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
}

/**
 * Every Content-Security-Policy violation the page reports, from the console ("Refused to …") and from the DOM's
 * `securitypolicyviolation` event: a page that works only because a violation went unnoticed would still break
 * features silently (a blocked style, font or worker), so tests assert this stays empty.
 */
export async function recordCspViolations(page: Page, violations: string[] = []): Promise<string[]> {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction('__cspViolation', (text: string) => violations.push(text));
  // A string, not a function: the test code is compiled without the DOM's types.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI));",
  );
  return violations;
}
