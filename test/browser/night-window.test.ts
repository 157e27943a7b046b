import { afterAll, beforeAll, expect, test } from 'vitest';
import { ARTIFACTS, startBrowserRig, type BrowserRig } from './chromium.ts';

/**
 * A window over midnight, whatever the time of day the test runs at: every task is planned for the next
 * day, so the table shows "13.02. 00:05" instead of "00:05". On a phone it must still fit without sideways
 * scrolling (a CI run at 21:50 in Vienna found the status page 26 px too wide).
 */
let b: BrowserRig | undefined;

beforeAll(async () => {
  b = await startBrowserRig({}, (schedule) => ({
    ...schedule,
    window: { ...schedule.window, deadline: schedule.window.deadline.plus({ days: 1 }) },
    tasks: schedule.tasks.map((task) => ({ ...task, at: task.at ? task.at.plus({ days: 1 }) : null })),
  }));
  // As on the day: two steps done, one running with a note.
  const { service, schedule } = b;
  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await service.operations.taskChange(schedule.id, 'datenuebernahme', 'done');
  await service.operations.taskChange(schedule.id, 'datenbank', 'running', 'Etwa 20 Minuten');
}, 60_000);

afterAll(async () => {
  await b?.close();
});

test('tasks planned on another day than the start fit a phone screen: the date may wrap, the table does not scroll sideways', async () => {
  const { service, schedule } = b!;
  const context = await b!.chromium.browser().newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'de-AT' });
  const page = await context.newPage();
  await page.goto(`${service.httpUrl}/s/${schedule.id}`);
  const planned = schedule.tasks.find((task) => task.at)!.at!.setZone(schedule.timezone);
  expect(await page.locator('#tasks tbody td.time').first().textContent()).toBe(planned.toFormat('dd.MM. HH:mm'));
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await page.locator('.scroll').evaluate((scroller) => scroller.scrollWidth - scroller.clientWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${ARTIFACTS}/status-page-night-window.png`, fullPage: true });
  await context.close();
});
