import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../src/report/write.ts';
import { buildScorecard } from '../src/score/build.ts';
import { event, outageUntil, record } from './score-timeline.ts';

/** Opens the HTML report in the Debian Chromium (no browser download) and reads it as a user would. */

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror="window.__pwned = true"><script>window.__pwned = true</script>';

let browser: Browser;
let dir: string;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rebound-html-'));
  const base = record();
  const experiment = {
    ...base.experiment,
    name: 'model-crash',
    description: HOSTILE,
    expectations: { detectWithinMs: 500, recoverWithinMs: 10_000, maxDataLoss: 0 },
  };
  const scorecard = buildScorecard([
    record({
      experiment,
      samples: outageUntil(15_500),
      healerEvents: [
        event('detected', 13_200, 'model', { signal: HOSTILE }),
        event('detected', 5_000, 'ingest', { incidentId: 'baseline', signal: HOSTILE }),
      ],
      dataLoss: { acknowledged: 10, found: 10, missing: [] },
    }),
  ]);
  const withReason = { ...scorecard, statusReasons: [HOSTILE, ...scorecard.statusReasons] };
  writeReports(withReason, dir, ['html']);
  url = pathToFileURL(join(dir, 'scorecard.html')).href;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTML report in Chromium', { timeout: 30_000 }, () => {
  it('shows the status in the heading and title', async () => {
    const page = await browser.newPage();
    await page.goto(url);

    expect(await page.title()).toBe('model-crash: failed · Rebound');
    expect(await page.locator('h1').textContent()).toBe('❌ model-crash: failed');
    await page.close();
  });

  it('lists the failed expectation first', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const rows = page.locator('h2:text("Expectations") + table tbody tr');

    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).getAttribute('class')).toBe('failed');
    expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('detectWithin');
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('1.2 s');
    await page.close();
  });

  it('shows hostile text as text without running it', async () => {
    const page = await browser.newPage();
    await page.goto(url);

    expect(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.locator('script, img').count()).toBe(0);
    expect(await page.locator('ul.reasons li').first().textContent()).toBe(HOSTILE);
    await page.close();
  });

  it('loads no resource besides the file', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(url);

    expect(requested).toEqual([url]);
    await page.close();
  });

  it('shows phase times and false alarms per trial', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const cells = page.locator('h3 + p + table tbody tr').first().locator('td');

    expect(await cells.allTextContents()).toEqual([
      'kill-model',
      '12 s',
      '12 s',
      '13.2 s',
      '–',
      '–',
      '16 s',
      '30 s',
    ]);
    expect(await page.locator('ul li').last().textContent()).toContain('5 s: ingest');
    await page.close();
  });
});
