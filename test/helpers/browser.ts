import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../src/report/pdf.js';

/** The built web app (npm test builds it first). */
export const WEB_ROOT = join(import.meta.dirname, '..', '..', 'dist', 'web');

/**
 * Debian's Chromium (apt-get install chromium; .ci/run installs it) with a fresh profile, headless,
 * no background network. Every request the pages make is recorded; any that is not to the local
 * server (or the page's own data:/blob: URLs) is recorded in `outbound` and refused.
 */
export async function openBrowser(): Promise<{
  context: BrowserContext;
  /** Requests to anything but 127.0.0.1 (refused). */
  outbound: string[];
  close(): Promise<void>;
}> {
  if (!existsSync(join(WEB_ROOT, 'index.html')))
    throw new Error('the web app is not built: run npm run build');
  const profile = mkdtempSync(join(tmpdir(), 'lockstep-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  const outbound: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (/^http:\/\/127\.0\.0\.1(:\d+)?\//.test(url) || /^(data|blob|about|file):/.test(url))
      return route.continue();
    outbound.push(url);
    return route.abort();
  });
  // Content-Security-Policy violations are recorded: anything the policy had to block is a finding.
  await context.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return {
    context,
    outbound,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records its errors and dialogs (a dialog opened by data would be script running). */
export async function watchedPage(
  context: BrowserContext,
): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, errors, dialogs };
}

/** No CSP violation on the page so far. */
export async function expectNoViolations(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual(
    [],
  );
}
