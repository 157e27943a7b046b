import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { loadSchedule } from '../../src/schedule/load-schedule.ts';
import { metricValue } from '../http/helpers.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor, type Rig } from '../support/harness.ts';
import { finished, heroldRequests, MARK, spawnHerold, tempDir, withText, writeSchedule } from './support.ts';
import { postKey } from '../../src/schedule/toot-ids.ts';

let r: Rig | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
  cleanup?.();
});

test('herold status (text and --json) and /metrics show each bucket of the shared rate budget', async () => {
  // Mastodon's own limits: 300 requests per token and 1,500 per account per 5 min, 300 paging per 15 min, 300 statuses per 3 h.
  r = await rig({ rateLimit: { scale: 1 } });
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  const file = writeSchedule(tmp.dir, { ...rebasedWienRocks(200, 600), announcements: [], reminders: [] });
  const schedule = loadSchedule(file);
  const service = await r.start([schedule], { replies: false });
  const start = await waitFor('start toot', () => withText(r!.sandbox, MARK.start)[0], 10_000);
  await service.operations.taskChange(schedule.id, schedule.tasks[0]!.id, 'done');
  await waitFor('the edit', () => r!.sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 10_000);

  // The start toot and the edit count as statuses; the statuses family's window is 3 h.
  const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
  expect(metricValue(metrics, 'herold_rate_budget_limit{bucket="statuses"}')).toBe(300);
  // At least those two, so at most 298 left. The headers name only the tightest bucket, and the token
  // bucket has the same limit (300): a reading the gate cannot tell apart by its reset is applied to both,
  // the careful way. So the statuses reading lies between 298 and what all of Herold's requests explain.
  const statusesRemaining = metricValue(metrics, 'herold_rate_budget_remaining{bucket="statuses"}');
  // A request is taken from the budget before it is sent: let those in flight at the reading land first.
  await waitFor('no job running', async () => (await service.jobs.queue.getActiveCount()) === 0, 10_000);
  await sleep(300);
  expect(statusesRemaining).toBeLessThanOrEqual(298);
  expect(statusesRemaining).toBeGreaterThanOrEqual(300 - heroldRequests(r.sandbox).length);
  expect(metricValue(metrics, 'herold_rate_budget_limit{bucket="token"}')).toBe(300);
  expect(metricValue(metrics, 'herold_rate_budget_limit{bucket="account"}')).toBe(1500);
  expect(metricValue(metrics, 'herold_rate_budget_limit{bucket="paging"}')).toBe(300);
  expect(metricValue(metrics, 'herold_rate_budget_remaining{bucket="token"}')).toBeLessThan(300);
  expect(metricValue(metrics, 'herold_rate_budget_reset_seconds{bucket="statuses"}')).toBeLessThanOrEqual(3 * 3600);
  expect(metricValue(metrics, 'herold_rate_budget_blocked_seconds{bucket="statuses"}')).toBe(0);

  // The operator's command reads the same budget from Redis, without the service.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', REDIS_URL, HEROLD_PREFIX: r.config.prefix };
  const [json, text] = await Promise.all([finished(spawnHerold(['status', schedule.id, '--json', '--schedule', file], env)), finished(spawnHerold(['status', schedule.id, '--schedule', file], env))]);
  expect(json.code).toBe(0);
  const budgets = (JSON.parse(json.stdout) as { budgets: { bucket: string; used: number; limit: number; remaining: number; resetAt: string; blockedUntil: string | null }[] }).budgets;
  expect(budgets.map((b) => b.bucket)).toEqual(['token', 'account', 'paging', 'statuses']);
  const statuses = budgets.find((b) => b.bucket === 'statuses')!;
  expect(statuses).toMatchObject({ limit: 300, used: 300 - statuses.remaining, blockedUntil: null });
  expect(statuses.remaining).toBeLessThanOrEqual(298);
  // The same bound as the metrics' reading above: a token-bucket reading may be applied to statuses too.
  expect(statuses.remaining).toBeGreaterThanOrEqual(300 - heroldRequests(r.sandbox).length);
  expect(Date.parse(budgets.find((b) => b.bucket === 'statuses')!.resetAt) - Date.now()).toBeLessThanOrEqual(3 * 3_600_000 + 1000);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('RATE BUDGET');
  const line = /^ {2}statuses +(\d+) +300 +(\d+) /m.exec(text.stdout);
  expect(line, text.stdout).not.toBeNull();
  expect(Number(line![1]) + Number(line![2])).toBe(300);
  expect(Number(line![2])).toBeLessThanOrEqual(298);
});

test('herold status lists a POST whose answer never came as "maybe posted" until Herold has looked on the instance', async () => {
  r = await rig();
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  const file = writeSchedule(tmp.dir, { ...rebasedWienRocks(2000, 600), announcements: [], reminders: [] });
  const schedule = loadSchedule(file);
  await r.start([schedule], { replies: false });
  // From now on the instance saves what it gets but answers nothing in time: the start toot
  // exists, Herold never sees its answer, and every lookup times out as well.
  await r.sandbox.setOutage('slow', { delayMs: 60_000 });
  await waitFor('start saved, no answer', () => withText(r!.sandbox, MARK.start)[0], 10_000);

  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', REDIS_URL, HEROLD_PREFIX: r.config.prefix };
  const status = (args: string[]) => finished(spawnHerold(['status', schedule.id, '--schedule', file, ...args], env));
  const [json, text] = await Promise.all([status(['--json']), status([])]);
  expect(json.code).toBe(0);
  const maybe = (JSON.parse(json.stdout) as { maybePosted: { key: string; firstAt: string; settleAt: string }[] }).maybePosted;
  expect(maybe.map((m) => m.key)).toEqual([postKey(schedule, 'start')]);
  expect(Date.parse(maybe[0]!.settleAt)).toBeGreaterThanOrEqual(Date.parse(maybe[0]!.firstAt));
  expect(text.stdout).toContain('MAYBE POSTED');
  expect(text.stdout).toContain(postKey(schedule, 'start'));

  // The instance answers again: Herold finds the status, records it, and the marker is gone.
  await r.sandbox.setOutage('none');
  await waitFor('start recorded', async () => (await r!.services[0]!.store.posted(schedule.id, 'start'))?.statusId, 20_000);
  const after = await status(['--json']);
  expect((JSON.parse(after.stdout) as { maybePosted: unknown[] }).maybePosted).toEqual([]);
  expect(withText(r.sandbox, MARK.start)).toHaveLength(1);
});
