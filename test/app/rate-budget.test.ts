import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { heroldRequests, MARK, requestsWhileBlocked, sleepUntil, spendBudget, withText } from './support.ts';
import { postKey } from '../../src/schedule/toot-ids.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** The sandbox's per-token limit in these tests: 60 requests in windows of 4 s, aligned to the epoch like rack-attack's. */
const WINDOW_MS = 4000;
const LIMIT = 60;
const windowEnd = (at: number) => (Math.floor(at / WINDOW_MS) + 1) * WINDOW_MS;

/** Waits until a fresh window has just begun, so that a block lasts most of a window. */
async function atWindowStart(): Promise<void> {
  await sleepUntil(windowEnd(Date.now()) + 50);
}

test('the question listener waits out a 429 the worker met: no poll while the instance refuses the account', async () => {
  r = await rig({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  const { sandbox } = r;
  const schedule = { ...rebasedWienRocks(200, 600), announcements: [], reminders: [] };
  // Polling only, once a second: the listener's polls and the worker's edits share the account's budget.
  const service = await r.start([schedule], { replies: { pollIntervalMs: 1000, pollMaxBackoffMs: 1000, settleMs: 10, stream: false } });
  await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 10_000);

  await atWindowStart();
  // Right after a poll, another client of the account uses up the window; then the worker edits and meets the 429.
  const since = Date.now();
  await waitFor('a poll', () => heroldRequests(sandbox).some((q) => q.at >= since && q.path === '/api/v1/notifications'), 5000);
  await spendBudget(sandbox);
  await service.operations.taskChange(schedule.id, schedule.tasks[0]!.id, 'running');
  const refused = await waitFor('the worker’s 429', () => heroldRequests(sandbox).find((q) => q.at >= since && q.status === 429), 5000);
  expect(refused.method).toBe('PUT');
  const end = windowEnd(refused.at);
  expect(end - refused.at).toBeGreaterThan(1500);
  await sleepUntil(end + 300);

  // Before the fix the listener polled on (its own view said there were requests left) and met 429 after 429.
  const during = heroldRequests(sandbox).filter((q) => q.at > refused.at && q.at < end);
  expect(during.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual([]);
  expect(requestsWhileBlocked(heroldRequests(sandbox))).toEqual([]);
  // And both go on after the reset: the edit, and the polls.
  await waitFor('the edit after the reset', () => heroldRequests(sandbox).some((q) => q.at >= end && q.method === 'PUT' && q.status === 200), 5000);
  await waitFor('a poll after the reset', () => heroldRequests(sandbox).some((q) => q.at >= end && q.path === '/api/v1/notifications' && q.status === 200), 5000);
});

test('a replica started while the instance refuses the account asks nothing before the reset, then starts', async () => {
  r = await rig({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  const { sandbox } = r;
  const schedule = { ...rebasedWienRocks(200, 600), announcements: [], reminders: [] };
  const first = await r.start([schedule], { replies: false });
  await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 10_000);

  await atWindowStart();
  const since = Date.now();
  await spendBudget(sandbox);
  await first.operations.taskChange(schedule.id, schedule.tasks[0]!.id, 'running');
  const refused = await waitFor('the first replica’s 429', () => heroldRequests(sandbox).find((q) => q.at >= since && q.status === 429), 5000);
  const end = windowEnd(refused.at);
  await sleep(100);

  // The second replica (or the first one after a restart) starts during the block: verify_credentials,
  // /api/v2/instance and its listener must wait for the reset that the first one was told.
  const second = await r.start([schedule], { replies: { pollIntervalMs: 200, settleMs: 10, stream: false } });
  await waitFor('verify_credentials after the reset', () => heroldRequests(sandbox).some((q) => q.at >= end && q.path === '/api/v1/accounts/verify_credentials' && q.status === 200), end - Date.now() + 5000);
  const during = heroldRequests(sandbox).filter((q) => q.at > refused.at && q.at < end);
  expect(during.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual([]);
  expect(requestsWhileBlocked(heroldRequests(sandbox))).toEqual([]);
  expect(second.characterLimit).toBe(500);
  await waitFor('the edit after the reset', () => sandbox.status(withText(sandbox, MARK.start)[0]!.id)!.editedAt !== null, 5000);
});

test('jobs already running on two replicas when the 429 arrives: none of them sends before the reset', async () => {
  r = await rig({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  const { sandbox } = r;
  // Two maintenances on the same account, two replicas with four jobs each at a time.
  const schedules = [0, 1].map(() => ({ ...rebasedWienRocks(200, 600), announcements: [], reminders: [] }));
  const replicas = [await r.start(schedules, { replies: false }), await r.start(schedules, { replies: false })];
  await waitFor('both start toots', () => withText(sandbox, MARK.start).length === 2, 10_000);

  await atWindowStart();
  const since = Date.now();
  await spendBudget(sandbox);
  // A burst of changes: edits and milestones queue up and run on both replicas at once.
  await Promise.all(
    schedules.flatMap((schedule, n) => schedule.tasks.slice(0, 5).map((task) => replicas[n]!.operations.taskChange(schedule.id, task.id, 'done'))),
  );
  const refused = await waitFor('the first 429', () => heroldRequests(sandbox).find((q) => q.at >= since && q.status === 429), 5000);
  const end = windowEnd(refused.at);
  expect(end - refused.at).toBeGreaterThan(1500);
  await sleepUntil(end + 300);

  // Requests already under way when the 429 came back may meet it too; nothing sent after that. Eight jobs
  // run at once on two replicas: one that passed the gate just before the block was stored can reach the
  // instance a few hundred ms later on a loaded machine, so "under way" is half a second here.
  const during = heroldRequests(sandbox).filter((q) => q.at > refused.at + 500 && q.at < end);
  expect(during.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual([]);
  expect(requestsWhileBlocked(heroldRequests(sandbox), 500)).toEqual([]);
  // After the reset the work goes on: each maintenance gets its milestone and shows 5 of 9.
  for (const schedule of schedules) {
    await waitFor('the milestone', () => sandbox.statuses().some((s) => s.idempotencyKey === postKey(schedule, 'milestone-upgrade')), 10_000);
  }
  await waitFor('both progress toots at 5 of 9', () => withText(sandbox, MARK.start).every((s) => sandbox.status(s.id)!.text.includes('5 von 9 erledigt')), 10_000);
});
