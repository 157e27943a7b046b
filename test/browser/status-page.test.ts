import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { ARTIFACTS, startBrowserRig, type BrowserRig } from './chromium.ts';

/**
 * End to end in a real browser: the status page follows the state live over
 * Server-Sent Events. Needs Debian's chromium; CI installs it (.ci/run). A
 * missing browser is a failure, never a silent skip.
 */
const webhookToken = 'test-webhook-token-0123456789';

let b: BrowserRig | undefined;
let service: HeroldService;
let schedule: Schedule;

beforeAll(async () => {
  b = await startBrowserRig();
  ({ service, schedule } = b);
  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await service.operations.taskChange(schedule.id, 'datenuebernahme', 'done');
  await service.operations.taskChange(schedule.id, 'datenbank', 'running', 'Etwa 20 Minuten');
}, 60_000);

/** The browser, or the reason there is none. */
function launched(): Browser {
  return b!.chromium.browser();
}

afterAll(async () => {
  await b?.close();
});

async function markDone(taskId: string) {
  const res = await fetch(`${service.httpUrl}/api/schedules/${schedule.id}/tasks/${taskId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'done' }),
  });
  expect(res.status).toBe(200);
}

test('the status page updates a task row live, without a reload', async () => {
  const context = await launched().newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'de-AT' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const external: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(service.httpUrl!) && !request.url().startsWith('data:')) external.push(request.url());
  });

  await page.goto(`${service.httpUrl}/s/${schedule.id}`);
  expect(await page.getAttribute('html', 'lang')).toBe('de');
  expect(await page.locator('h1').textContent()).toBe('Wartung von wien.rocks');
  expect(await page.locator('table caption').textContent()).toBe('Die Schritte im Einzelnen');
  await page.locator('#live', { hasText: 'Diese Seite aktualisiert sich von selbst.' }).waitFor({ timeout: 5000 });

  const row = page.locator('#task-datenbank');
  expect(await row.locator('[data-field="status"]').textContent()).toContain('läuft');
  expect(await page.locator('#progress-label').textContent()).toBe('2 von 9 Schritten erledigt');
  // Anything that survives only without a reload.
  await page.evaluate(() => ((globalThis as unknown as { heroldMarker: number }).heroldMarker = 42));

  await markDone('datenbank');

  await row.locator('[data-field="status"]', { hasText: 'erledigt' }).waitFor({ timeout: 5000 });
  expect(await page.evaluate(() => (globalThis as unknown as { heroldMarker?: number }).heroldMarker)).toBe(42);
  expect(await row.getAttribute('data-status')).toBe('done');
  expect(await row.locator('[data-field="changed"]').textContent()).toMatch(/^\d\d:\d\d$/);
  expect(await page.locator('#progress-label').textContent()).toBe('3 von 9 Schritten erledigt');
  expect(await page.locator('#progress-bar').getAttribute('value')).toBe('3');
  // Screen readers hear the change.
  expect(await page.locator('#announce').textContent()).toBe('Datenbank synchronisieren: erledigt.');
  // The start toot is linked.
  const start = (await service.store.posted(schedule.id, 'start'))!;
  expect(await page.locator('#toots a').first().getAttribute('href')).toBe(start.url);

  // Inline CSS and script ran under the CSP: no violations, nothing fetched from elsewhere.
  expect(problems).toEqual([]);
  expect(external).toEqual([]);

  // Readable on a phone: nothing wider than the screen, the table needs no sideways scrolling.
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await page.locator('.scroll').evaluate((scroller) => scroller.scrollWidth - scroller.clientWidth)).toBeLessThanOrEqual(0);
  expect(await page.locator('thead th').allInnerTexts()).toEqual(['Plan', 'Schritt', 'Status', 'Ist']);

  await page.locator('details summary').first().click();
  await page.screenshot({ path: `${ARTIFACTS}/status-page.png`, fullPage: true });
  await context.close();
});

test('without JavaScript the page shows the same state from the server', async () => {
  const context = await launched().newContext({ javaScriptEnabled: false, viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${service.httpUrl}/`);
  expect(await page.locator('#task-datenbank [data-field="status"]').textContent()).toContain('erledigt');
  expect(await page.locator('#live').textContent()).toBe('Zum Aktualisieren die Seite neu laden.');
  expect(await page.locator('details').count()).toBeGreaterThan(5);
  await page.screenshot({ path: `${ARTIFACTS}/status-page-desktop-nojs.png`, fullPage: true });
  await context.close();
});

test('the feed parses in the browser as Atom XML', async () => {
  const context = await launched().newContext();
  const page = await context.newPage();
  await page.goto(`${service.httpUrl}/s/${schedule.id}`);
  // A string, evaluated in the page: this project compiles without the DOM library.
  const result = (await page.evaluate(`(async () => {
    const text = await (await fetch('/feed.atom')).text();
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    return {
      error: doc.getElementsByTagName('parsererror').length,
      root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName,
      entries: doc.getElementsByTagName('entry').length,
    };
  })()`)) as { error: number; root: string; entries: number };
  expect(result).toEqual({ error: 0, root: 'http://www.w3.org/2005/Atom feed', entries: expect.any(Number) });
  expect(result.entries).toBeGreaterThanOrEqual(1);
  await context.close();
});
