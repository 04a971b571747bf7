/**
 * Every figure of an HTML report, as headless Chromium draws it: its title and the title of each axis it shows
 * (read from the drawn SVG, so a title plotly dropped counts as missing). Saves a screenshot of the first figure.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM } from '../runner/browser-check.js';
import { repoRoot } from '../runner/harness.js';

export interface DrawnFigure {
  id: string;
  title: string;
  /** Axis id (x, y, y2, ...) -> its drawn title text ('' when none was drawn). */
  axes: Record<string, string>;
}

/** Runs in the page (plain JS: this package compiles without the DOM library). Axis ids come from plotly's own layout. */
const READ_FIGURES = `[...document.querySelectorAll('.plotly-figure')].map((el) => {
  const axes = {};
  for (const [key, ax] of Object.entries(el._fullLayout)) {
    if (/^[xy]axis\\d*$/.test(key) && ax && ax._id && ax.visible !== false) {
      axes[ax._id] = (el.querySelector('.' + ax._id + 'title')?.textContent ?? '').trim();
    }
  }
  return { id: el.id, title: (el.querySelector('.gtitle')?.textContent ?? '').trim(), axes };
})`;

export async function drawnFigures(htmlPath: string, screenshot: string): Promise<DrawnFigure[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(htmlPath).href);
    const count = await page.locator('.plotly-figure').count();
    assert.ok(count > 0, 'the report has figures');
    await page.waitForFunction(`document.querySelectorAll('.plotly-figure svg.main-svg').length >= ${count}`, undefined, { timeout: 120_000 });
    assert.deepEqual(errors, [], 'no script errors on the page');
    const figures = await page.evaluate<DrawnFigure[]>(READ_FIGURES);
    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.locator('.plotly-figure').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(repoRoot, 'test-artifacts', screenshot) });
    return figures;
  } finally {
    await browser.close();
  }
}
