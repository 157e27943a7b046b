import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdirSync } from 'node:fs';
import type { ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CalendarSequenceStore } from '../../src/adapters/redis/calendar-sequence-store.ts';
import type { Operations } from '../../src/core/operations.ts';
import { createApp } from '../../src/http/app.ts';
import { listen, serverUrl } from '../../src/http/listen.ts';
import { createWeb } from '../../src/http/web.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, uniqueId } from '../support/harness.ts';
import { webFixture } from '../http/helpers.ts';

/**
 * The pages followers see, in a real browser on a phone (390x844): the
 * status page with the current maintenance, the next one and the archive;
 * the maintenance page on the instance's own host (HEROLD_MAINTENANCE_HOSTS),
 * following the state live; the actual end once it is over. The state is
 * written to a real Redis directly; the HTTP side is the one `herold run`
 * builds. Needs Debian's chromium (.ci/run installs it); a missing browser
 * fails, never skips.
 */
const CHROMIUM = process.env.HEROLD_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'de-AT' };
const prefix = `{herold-pages-${uniqueId('p')}}`;
const fx = webFixture(prefix);

let browser: Browser | undefined;
let server: ServerType | undefined;
let base = '';
let port = 0;
let setupError: Error | null = null;
let closeWeb = () => {};
let past: Schedule;

/**
 * A time as the pages show it: the clock alone on the window's start day, with the day on another (the
 * current window starts 20 minutes before the run, so its end falls on the next day in a run after 23:00
 * Vienna time, as CI runs showed).
 */
const clockLabel = (dt: DateTime, start: DateTime) => dt.setLocale('de-AT').toFormat(dt.hasSame(start, 'day') ? "HH:mm 'Uhr'" : "ccc, d. LLLL, HH:mm 'Uhr'");
let current: Schedule;
let next: Schedule;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    setupError = new Error(`The browser test needs Chromium at ${CHROMIUM}. Install it with "apt-get install chromium" (.ci/run does), or point HEROLD_CHROMIUM at a Chromium binary.`);
    return;
  }
  // 15:00 thirty days ago: "now − 30 days" ended after midnight when the run started after 23:10 Vienna time
  // (the page then rightly names the day of the end), and the test expects an end on the same day.
  const pastStart = DateTime.now().setZone('Europe/Vienna').minus({ days: 30 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
  past = rebasedWienRocks(pastStart.toMillis() - Date.now(), 1, uniqueId('past'));
  current = rebasedWienRocks(-20 * 60_000, 1, uniqueId('now'));
  next = rebasedWienRocks(14 * 86_400_000, 1, uniqueId('next'));
  await fx.store.transition(past.id, 'complete', ['announced'], past.window.start.plus({ minutes: 50 }));
  await fx.store.transition(current.id, 'running', ['announced']);
  await fx.store.setTask(current.id, { taskId: current.tasks[0]!.id, status: 'done', at: current.window.start.plus({ minutes: 2 }).toISO()!, note: null });
  await fx.store.setTask(current.id, { taskId: current.tasks[1]!.id, status: 'running', at: current.window.start.plus({ minutes: 5 }).toISO()!, note: null });

  const web = await createWeb({
    schedules: new Map([past, current, next].map((s) => [s.id, s])),
    store: fx.store,
    now: () => DateTime.now(),
    feedKey: 'k',
    faq: null,
    pollMs: 100,
    calendar: new CalendarSequenceStore(fx.redis, prefix),
    maintenanceHosts: ['wien.rocks'],
  });
  // Closed after all tests, not after each (as fx.webs would be).
  closeWeb = () => web.close();
  server = await listen(createApp({ operations: {} as Operations, webhookToken: null, ready: async () => true, web }), '127.0.0.1', 0);
  base = serverUrl(server, '127.0.0.1', 0);
  port = Number(new URL(base).port);
  // wien.rocks resolves to this server, as it would once the instance's Route points at Herold.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP wien.rocks 127.0.0.1'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  closeWeb();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

function launched(): Browser {
  if (setupError) throw setupError;
  return browser!;
}

/** Console errors and CSP violations, and requests that left the page's own origin. */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`external request ${r.url()}`);
  });
  return problems;
}

/** On a phone: the table starts within the first screen, and nothing is wider than the screen. */
async function tableOnFirstScreen(page: Page) {
  const table = await page.locator('#tasks').boundingBox();
  expect(table, 'the task table is on the page').not.toBeNull();
  expect(table!.y, 'the task table starts within the first screen (844 px)').toBeLessThan(844 - 80);
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
}

test('/ features the running maintenance, the next one and the archive; calendar, fallback account and relative times; the table on the first screen', async () => {
  const context = await launched().newContext(PHONE);
  const page = await context.newPage();
  const problems = watch(page, base);
  const res = await page.goto(`${base}/`);
  expect(res!.status()).toBe(200);
  expect(await page.locator('h1').textContent()).toBe('Wartung von wien.rocks');
  expect(await page.locator('#phase').textContent()).toBe('läuft');
  expect(await page.locator('#start-relative').textContent()).toMatch(/^\(vor (19|20|21) Min\.\)$/);
  expect(await page.locator('#calendar').getAttribute('href')).toBe(`/s/${current.id}.ics`);
  expect(await page.locator('#fallback').getAttribute('href')).toBe('https://mastodon.social/@wienrocks');
  expect(await page.locator('#fallback').textContent()).toBe('@wienrocks@mastodon.social');
  expect(await page.locator('#upcoming a').getAttribute('href')).toBe(`/s/${next.id}`);
  expect(await page.locator('#upcoming a').textContent()).toContain('(angekündigt)');
  expect(await page.locator('#archive a').getAttribute('href')).toBe(`/s/${past.id}`);
  expect(await page.locator('#archive a').textContent()).toContain('(abgeschlossen)');
  await tableOnFirstScreen(page);
  await page.locator('#live', { hasText: 'Diese Seite aktualisiert sich von selbst.' }).waitFor({ timeout: 5000 });

  // The calendar link answers with an iCalendar file.
  const ics = (await page.evaluate(`fetch(${JSON.stringify(`/s/${current.id}.ics`)}).then(async (r) => [r.status, r.headers.get('content-type'), await r.text()])`)) as [number, string, string];
  expect(ics[0]).toBe(200);
  expect(ics[1]).toBe('text/calendar; charset=utf-8');
  expect(ics[2]).toContain(`UID:herold-${current.id}@wien.rocks`);

  // An archived maintenance shows when it actually ended and how long it took.
  await page.goto(`${base}/s/${past.id}`);
  expect(await page.locator('#ended').textContent()).toBe(`${past.window.start.plus({ minutes: 50 }).toFormat("HH:mm 'Uhr'")}, nach 50 Minuten`);
  expect(problems).toEqual([]);
  await page.screenshot({ path: `${ARTIFACTS}/status-page-phone-archive.png`, fullPage: true });
  await context.close();
});

test("the instance's own host gets the maintenance page with 503 and Retry-After, which follows the progress live", async () => {
  const context = await launched().newContext(PHONE);
  const page = await context.newPage();
  const origin = `http://wien.rocks:${port}`;
  const problems = watch(page, origin);
  const res = await page.goto(`${origin}/@paula/109876`);
  expect(res!.status()).toBe(503);
  const retryAfter = Number(res!.headers()['retry-after']);
  // Until the expected end, 40 minutes from now (one hour after a start 20 minutes ago).
  expect(retryAfter).toBeGreaterThan(38 * 60);
  expect(retryAfter).toBeLessThanOrEqual(40 * 60);
  expect(await page.locator('h1').textContent()).toBe('wien.rocks ist gerade in Wartung');
  expect(await page.locator('#expected-end').textContent()).toBe(clockLabel(current.window.start.plus({ hours: 1 }), current.window.start));
  expect(await page.locator('#calendar').getAttribute('href')).toBe(`/s/${current.id}.ics`);
  expect(await page.locator('#expected-end-relative').textContent()).toMatch(/^\(in (39|40) Min\.\)$/);
  expect(await page.locator('#fallback').getAttribute('href')).toBe('https://mastodon.social/@wienrocks');
  expect(await page.locator('#status-page').getAttribute('href')).toBe('https://status.wien.rocks/');
  expect(await page.locator('#progress-label').textContent()).toBe(`1 von ${current.tasks.length} Schritten erledigt`);
  await tableOnFirstScreen(page);
  await page.locator('#live', { hasText: 'Diese Seite aktualisiert sich von selbst.' }).waitFor({ timeout: 5000 });

  const row = page.locator(`#task-${current.tasks[1]!.id}`);
  expect(await row.getAttribute('data-status')).toBe('running');
  await fx.store.setTask(current.id, { taskId: current.tasks[1]!.id, status: 'done', at: DateTime.now().toISO()!, note: null });
  await row.locator('[data-field="status"]', { hasText: 'erledigt' }).waitFor({ timeout: 5000 });
  expect(await page.locator('#progress-label').textContent()).toBe(`2 von ${current.tasks.length} Schritten erledigt`);
  // Chrome reports the page's own 503 as a failed load, and ignores COOP on a plain-http test host (not "localhost"); nothing else.
  const expected = [/status of 503 \(Service Unavailable\)/, /Cross-Origin-Opener-Policy header has been ignored/];
  expect(problems.filter((p) => !expected.some((e) => e.test(p)))).toEqual([]);
  await page.screenshot({ path: `${ARTIFACTS}/maintenance-page-phone.png`, fullPage: true });
  await context.close();
});

test('once it is over, the open status page loads itself anew and shows the actual end and the duration; the host is the instance\'s again', async () => {
  const context = await launched().newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${base}/s/${current.id}`);
  await page.locator('#live', { hasText: 'Diese Seite aktualisiert sich von selbst.' }).waitFor({ timeout: 5000 });
  expect(await page.locator('#ended').count()).toBe(0);
  const end = DateTime.now().setZone(current.timezone);
  await fx.store.transition(current.id, 'complete', ['running'], end);
  await page.locator('#ended').waitFor({ timeout: 5000 });
  const minutes = Math.floor(end.diff(current.window.start, 'minutes').minutes);
  expect(await page.locator('#ended').textContent()).toBe(`${clockLabel(end, current.window.start)}, nach ${minutes} Minuten`);
  expect(await page.locator('#phase').textContent()).toBe('abgeschlossen');
  await tableOnFirstScreen(page);

  // The window is over: the instance's host no longer gets the maintenance page (the Route can switch back at leisure).
  // (Maintenance mode looks at the phases at most once a second.)
  await sleep(1100);
  const after = await page.goto(`http://wien.rocks:${port}/`);
  expect(after!.status()).toBe(200);
  await context.close();
});
