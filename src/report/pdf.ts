/**
 * The report as PDF, printed by Chromium through playwright-core (Debian's package:
 * `apt-get install chromium`; playwright's own browser downloads are not used). The page is loaded
 * from memory with every network request refused, so printing cannot fetch anything either.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { UsageError } from '../core/errors.js';

/** Where Chromium is looked for: LOCKSTEP_CHROMIUM, then the usual Debian and Ubuntu paths. */
export function findChromium(): string {
  const candidates = [
    process.env.LOCKSTEP_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new UsageError(
      'printing a PDF needs Chromium: install it (apt-get install chromium) or set LOCKSTEP_CHROMIUM to its path',
    );
  return found;
}

/** The flags Lockstep starts Chromium with: headless, no sandbox (containers), no background network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Prints `html` to a PDF file (A4, backgrounds kept, page numbers in the footer). */
export async function printPdf(html: string, out: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'lockstep-chromium-'));
  const browser = await chromium
    .launchPersistentContext(profile, { executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true })
    .catch((err: Error) => {
      rmSync(profile, { recursive: true, force: true });
      throw new UsageError(`cannot start Chromium to print the PDF: ${err.message.split('\n')[0]}`);
    });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({
      path: out,
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate:
        '<div style="font-size:8px;width:100%;text-align:center;color:#666"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
      margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return out;
}
