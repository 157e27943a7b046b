import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'vitest';
import { MASTODON_BUCKETS, scaleBuckets } from '../../src/core/rate-budget.ts';
import { rebasedWienRocks, rigForTest, waitFor, type Rig } from '../support/harness.ts';
import { heroldRequests, MARK, OTHER_CLIENT_HEADER, requestsWhileBlocked, showsCompletion, sleepUntil, withText } from './support.ts';
import { postKey } from '../../src/schedule/toot-ids.ts';

/** Posts `count` private statuses with the bot's token, as the admins' own app would (not Herold's requests). */
async function postAsOtherClient(sandbox: Rig['sandbox'], count: number, expect: TestContext['expect']): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${sandbox.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sandbox-token', 'content-type': 'application/json', [OTHER_CLIENT_HEADER]: '1' },
      body: JSON.stringify({ status: `Admin-Notiz ${i + 1}`, visibility: 'private' }),
    });
    expect(response.status).toBe(200);
  }
}

/** Mastodon's limits with every period 600 times shorter: the statuses family's 3 h window lasts 18 s. */
const SCALE = 600;
const STATUSES_WINDOW_MS = (3 * 3_600_000) / SCALE;
const windowEnd = (at: number) => (Math.floor(at / STATUSES_WINDOW_MS) + 1) * STATUSES_WINDOW_MS;

// Each test needs a window of its own from the start, and most of its time is waiting for one to begin
// and end: the two run side by side (their own sandboxes and prefixes), so they wait for the same one.

test.concurrent('300 edits against the statuses family (300 per 3 h, edits count), while the admins toot too: the milestones and the completion still go out in the same window, with no 429', async ({ expect, onTestFinished }) => {
  // HEROLD_RATE_SCALE, as for `herold run` against `herold sandbox --rate-scale 600`.
  const r = await rigForTest(onTestFinished, { rateLimit: { scale: SCALE } }, { coalesceMs: 5, rateScale: SCALE });
  const { sandbox } = r;
  const schedule = { ...rebasedWienRocks(100, 60), announcements: [], reminders: [] };
  // Start right after a statuses window began, so the whole run lies in one window.
  await sleepUntil(windowEnd(Date.now()) + 20);
  const windowStart = Date.now();
  const end = windowEnd(windowStart);
  const service = await r.start([schedule], { replies: false });
  const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 3000);

  // The admins toot and answer by hand from their own app meanwhile: 90 statuses of the same account's 300.
  await postAsOtherClient(sandbox, 90, expect);
  // 300 changes spread over most of the window, cycling running → failed → skipped, so that even two changes
  // shown in one edit change the text: 300 edits wanted.
  // Each change waits (until its slot at most) for an edit to go out, so that changes are not merged by chance.
  const first = schedule.tasks[0]!.id;
  const changes = 300;
  const spacing = (end - Date.now() - 2500) / changes;
  const begin = Date.now();
  const puts = () => sandbox.requests().filter((q) => q.method === 'PUT').length;
  // On a slow machine fewer changes fit: the last 2.5 s of the window are for finishing.
  let made = 0;
  for (let i = 0; i < changes && Date.now() < end - 2500; i += 1, made += 1) {
    const before = puts();
    await service.operations.taskChange(schedule.id, first, (['failed', 'skipped', 'running'] as const)[i % 3]!, `Versuch ${i + 1}`);
    const slot = begin + (i + 1) * spacing;
    while (puts() === before && Date.now() < slot) await sleep(2);
    await sleepUntil(slot);
  }
  for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');
  const finishedAt = Date.now();

  const key = (tootId: string) => postKey(schedule, tootId);
  const complete = await waitFor('completion', () => sandbox.statuses().find((s) => s.idempotencyKey === key('complete')), end - Date.now() + 3000);
  // Before the budget, the edits used up the 300 statuses and the completion met a 429 and waited for the next window.
  expect(Date.parse(complete.createdAt)).toBeLessThan(end);
  expect(Date.parse(complete.createdAt) - finishedAt).toBeLessThan(1500);
  expect(complete.inReplyToId).toBe(start.id);
  for (const m of ['milestone-dns', 'milestone-upgrade']) expect(sandbox.statuses().filter((s) => s.idempotencyKey === key(m))).toHaveLength(1);

  const inWindow = sandbox.requests().filter((q) => q.at >= windowStart && q.at < end && q.path.startsWith('/api/'));
  const edits = inWindow.filter((q) => q.method === 'PUT' && q.status === 200);
  // The pressure was real: the edits took half of what was left and more (the pacing starts there), paced instead of refused.
  expect(edits.length, `${made} changes made`).toBeGreaterThan(100);
  expect(edits.length).toBeLessThanOrEqual(300 - 90 - 4);
  expect(sandbox.requests().filter((q) => q.status === 429)).toEqual([]);
  expect(requestsWhileBlocked(sandbox.requests())).toEqual([]);
  const statuses = (await service.gate.report()).find((b) => b.bucket === 'statuses')!;
  expect(statuses.limit).toBe(300);
  // The coalescing widened as the budget shrank: the floor is 5 ms, the widest gap between two edits far more.
  const gaps = edits.map((q) => q.at).sort((a, b) => a - b).map((at, i, all) => (i === 0 ? 0 : at - all[i - 1]!));
  expect(Math.max(...gaps)).toBeGreaterThan(100);

  // The progress toot reaches its final state once the next window lets the held edit through.
  await waitFor('final progress', () => showsCompletion(sandbox.status(start.id)!.text), STATUSES_WINDOW_MS + 5000);
  expect((await service.operations.status(schedule.id)).failures).toEqual([]);
}, 60_000);

test.concurrent('answers to questions and edits leave the statuses the remaining toots need: with 3 left, the milestones and the completion take them', async ({ expect, onTestFinished }) => {
  // Rack-attack's request buckets out of the way: only the statuses family matters here.
  const roomy = { token: { limit: 100_000 }, account: { limit: 100_000 } };
  const r = await rigForTest(onTestFinished, { rateLimit: { scale: SCALE, buckets: roomy } }, { coalesceMs: 5 });
  const { sandbox } = r;
  sandbox.addAccount({ username: 'alice' });
  const schedule = { ...rebasedWienRocks(100, 60), announcements: [], reminders: [] };
  await sleepUntil(windowEnd(Date.now()) + 20);
  const end = windowEnd(Date.now());
  const rules = scaleBuckets(MASTODON_BUCKETS, SCALE);
  const service = await r.start([schedule], {
    replies: { pollIntervalMs: 100, settleMs: 10, stream: false },
    rateBuckets: { ...rules, token: { ...rules.token, limit: 100_000 }, account: { ...rules.account, limit: 100_000 } },
  });
  const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 3000);

  // Another client of the account (the admins' app) posts 295 statuses: with the start toot, 296 of 300 are used.
  await postAsOtherClient(sandbox, 295, expect);
  // One edit goes out and its headers tell Herold what is left: 3, exactly what two milestones and the completion need.
  await service.operations.taskChange(schedule.id, schedule.tasks[0]!.id, 'running');
  await waitFor('the edit', () => heroldRequests(sandbox).some((q) => q.method === 'PUT' && q.status === 200), 3000);
  // Now a question and another change: neither may take one of the three.
  const question = sandbox.mention('alice', 'Wie lange dauert der Umzug?');
  await service.operations.taskChange(schedule.id, schedule.tasks[0]!.id, 'failed', 'Platte voll');
  await waitFor('the question queued', () => heroldRequests(sandbox).some((q) => q.path === '/api/v1/notifications' && q.status === 200 && q.at > Date.parse(question.createdAt)), 3000);
  await sleep(300);
  for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');

  const key = (tootId: string) => postKey(schedule, tootId);
  const complete = await waitFor('completion', () => sandbox.statuses().find((s) => s.idempotencyKey === key('complete')), end - Date.now() + 3000);
  expect(Date.parse(complete.createdAt)).toBeLessThan(end);
  for (const m of ['milestone-dns', 'milestone-upgrade']) expect(sandbox.statuses().find((s) => s.idempotencyKey === key(m))!.createdAt < complete.createdAt).toBe(true);
  // Before the reserve the answer (and the edit) took statuses, and the completion met a 429 and waited for the next window.
  expect(sandbox.requests().filter((q) => q.status === 429)).toEqual([]);
  expect(requestsWhileBlocked(sandbox.requests())).toEqual([]);

  // Nothing is dropped: after the reset the answer and the last progress state go out.
  const answer = await waitFor('the answer', () => sandbox.statuses().find((s) => s.inReplyToId === question.id), STATUSES_WINDOW_MS + 5000);
  expect(Date.parse(answer.createdAt)).toBeGreaterThanOrEqual(end);
  await waitFor('final progress', () => showsCompletion(sandbox.status(start.id)!.text), 5000);
}, 60_000);
