/**
 * Opens an HTML report in headless Chromium with every network request blocked and checks that its Plotly figures
 * were drawn (an SVG with at least `minTraces` line traces). Saves a screenshot under test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './harness.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** node:test `skip` value: skip only when chromium is absent AND CI is unset; in CI a missing browser fails. */
export const browserSkip: string | false =
  !existsSync(CHROMIUM) && !process.env['CI'] ? `${CHROMIUM} not found: install it with .ci/install-system-deps.sh --browser (this test is required in CI)` : false;

export interface RenderedReport {
  traces: number;
  h1: string;
  verdicts: number;
}

export async function checkReportInBrowser(
  htmlPath: string,
  screenshot: string,
  minTraces = 1,
  figure = '.plotly-figure',
): Promise<RenderedReport> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: CI must install it (.ci/install-system-deps.sh --browser)`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector(`${figure} svg.main-svg`, { timeout: 60_000 });
    const traces = await page.locator(`${figure} .scatterlayer .trace`).count();
    assert.ok(traces >= minTraces, `expected >= ${minTraces} drawn traces, found ${traces}`);
    const d = await page.locator(`${figure} .scatterlayer .trace path.js-line`).first().getAttribute('d');
    assert.ok(d && d.length > 20, `the first trace has a drawn line (d=${d})`);
    assert.deepEqual(errors, [], 'no script errors on the page');
    assert.deepEqual(blocked, [], 'the report must not fetch anything');
    const dir = join(repoRoot, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    await page.locator(figure).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(dir, screenshot) });
    return {
      traces,
      h1: (await page.locator('header.run h1').count()) ? await page.locator('header.run h1').innerText() : '',
      verdicts: await page.locator('table.rlrepro-claims td.verdict').count(),
    };
  } finally {
    await browser.close();
  }
}
