import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { waitFor, type Rig } from '../support/harness.ts';
import { ARTIFACTS, startBrowserRig, type BrowserRig } from './chromium.ts';

/**
 * The operator panel in Debian's chromium on a phone-sized screen: a tap on
 * a task edits the progress toot in the sandbox, and the panel follows over
 * SSE without a reload. A missing browser is a failure, never a skip.
 */
const admin = { user: 'einsatz', password: 'korrekt-pferd-batterie-heftklammer' };

let b: BrowserRig | undefined;
let r: Rig;
let service: HeroldService;
let schedule: Schedule;

beforeAll(async () => {
  b = await startBrowserRig({ admin });
  ({ rig: r, service, schedule } = b);
}, 60_000);

afterAll(async () => {
  await b?.close();
});

async function phone(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[]; external: string[] }> {
  const context = await b!.chromium.browser().newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
    isMobile: true,
    locale: 'de-AT',
    httpCredentials: { username: admin.user, password: admin.password },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const external: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(service.httpUrl!) && !request.url().startsWith('data:')) external.push(request.url());
  });
  return { context, page, problems, external };
}

/** The progress toot as the sandbox holds it: its text after every edit. */
function startToot() {
  return waitFor('start toot in the sandbox', async () => {
    const id = (await service.store.posted(schedule.id, 'start'))?.statusId;
    return id ? r.sandbox.status(id) : undefined;
  });
}

test('a tap on a task edits the progress toot, and the panel follows live without a reload', async () => {
  const { context, page, problems, external } = await phone();
  await page.goto(`${service.httpUrl}/admin`);
  expect(page.url()).toBe(`${service.httpUrl}/admin/s/${schedule.id}`);
  expect(await page.getAttribute('html', 'lang')).toBe('de');
  await page.locator('#live', { hasText: 'Aktualisiert sich von selbst.' }).waitFor({ timeout: 5000 });
  await page.evaluate(() => ((globalThis as unknown as { heroldMarker: number }).heroldMarker = 42));
  const editsBefore = (await startToot()).history.length;

  const card = page.locator('#task-abschaltung');
  expect(await card.getAttribute('data-status')).toBe('pending');
  await card.locator('input[name="note"]').fill('Wartungsseite ist aktiv');
  await card.getByRole('button', { name: 'erledigt', exact: true }).tap();

  await page.locator('#task-abschaltung[data-status="done"]').waitFor({ timeout: 5000 });
  expect(await page.locator('#flash').textContent()).toBe('Gespeichert: „Alte Server abschalten“ erledigt.');
  expect(await page.locator('#task-abschaltung .note').textContent()).toBe('Notiz: Wartungsseite ist aktiv');
  expect(await page.locator('#progress').textContent()).toBe('1 von 9 Schritten erledigt');
  // Still the same page: the change arrived over SSE, not through a reload.
  expect(await page.evaluate(() => (globalThis as unknown as { heroldMarker?: number }).heroldMarker)).toBe(42);

  // The progress toot in the sandbox was edited and now shows the task done.
  const edited = await waitFor('the edit of the progress toot', async () => {
    const toot = await startToot();
    return toot.history.length > editsBefore && /✅[^\n]*Alte Server abschalten/.test(toot.text) ? toot : null;
  });
  expect(edited.text).toContain('1 von 9 erledigt');
  // The panel links the toot it edited.
  expect(await page.locator('#toots a').first().getAttribute('href')).toMatch(/^http/);

  // Inline CSS and script ran under the CSP; nothing came from elsewhere; nothing wider than the phone.
  expect(problems).toEqual([]);
  expect(external).toEqual([]);
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${ARTIFACTS}/panel.png`, fullPage: true });
  await context.close();
});

test('a task a check marked "bereit" is confirmed with one tap, and its milestone goes out', async () => {
  // What the check runner does when it sees the task done (confirm: ask).
  await service.operations.taskReady(schedule.id, 'upgrade', 'Mastodon 4.0 reported twice');
  const { context, page } = await phone();
  await page.goto(`${service.httpUrl}/admin/s/${schedule.id}`);
  const card = page.locator('#task-upgrade');
  expect(await card.getAttribute('data-status')).toBe('ready');
  expect(await card.locator('.status').textContent()).toBe('bereit: bitte bestätigen');
  expect(await card.locator('.notefield').textContent()).toContain('öffentlich im Meilenstein-Toot');
  await card.getByRole('button', { name: 'Bestätigen: erledigt' }).tap();
  await page.locator('#task-upgrade[data-status="done"]').waitFor({ timeout: 5000 });
  const milestone = await waitFor('milestone toot', async () => (await service.store.posted(schedule.id, 'milestone-upgrade'))?.statusId);
  expect(r.sandbox.status(milestone)!.text).toContain('Wir laufen jetzt auf Mastodon 4.0.');
  // The milestone shows up in the panel's list of toots, live.
  await page.locator('#toots a', { hasText: 'Meilenstein: Upgrade auf Mastodon 4.0' }).waitFor({ timeout: 5000 });
  await context.close();
});

test('without JavaScript a tap posts the form and the page comes back with the change', async () => {
  const { context, page } = await phone({ javaScriptEnabled: false });
  await page.goto(`${service.httpUrl}/admin/s/${schedule.id}`);
  expect(await page.locator('#live').textContent()).toBe('Neu laden zeigt den aktuellen Stand.');
  await page.locator('#task-datenbank').getByRole('button', { name: 'läuft', exact: true }).tap();
  await page.waitForURL(/\?ok=task&task=datenbank&status=running$/);
  expect(await page.locator('#flash').textContent()).toBe('Gespeichert: „Datenbank synchronisieren“ läuft.');
  expect(await page.locator('#task-datenbank').getAttribute('data-status')).toBe('running');
  expect((await service.operations.status(schedule.id)).tasks.find((t) => t.id === 'datenbank')!.status).toBe('running');
  await context.close();
});

test('back-out asks first: "Nein, zurück" changes nothing, "Ja" declares it', async () => {
  const { context, page } = await phone();
  await page.goto(`${service.httpUrl}/admin/s/${schedule.id}`);
  await page.getByRole('button', { name: 'Zurückrollen …' }).tap();
  await page.locator('h1', { hasText: 'Zurückrollen?' }).waitFor({ timeout: 5000 });
  expect(await page.locator('main p').first().textContent()).toContain('lässt sich nicht zurücknehmen');
  await page.getByRole('link', { name: 'Nein, zurück' }).tap();
  await page.waitForURL(`${service.httpUrl}/admin/s/${schedule.id}`);
  expect((await service.operations.status(schedule.id)).phase).toBe('running');

  await page.getByRole('button', { name: 'Zurückrollen …' }).tap();
  await page.getByRole('button', { name: 'Ja, zurückrollen' }).tap();
  await page.waitForURL(/\?ok=backout$/);
  expect(await page.locator('#flash').textContent()).toBe('Zurückgerollt: der Toot zur Rückkehr geht gleich raus.');
  expect((await service.operations.status(schedule.id)).phase).toBe('backout');
  await waitFor('back-out toot', async () => (await service.store.posted(schedule.id, 'backout'))?.statusId);
  expect(await page.locator('#window').textContent()).toContain('Der Ausgang steht fest');
  await context.close();
});
