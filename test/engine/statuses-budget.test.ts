import { afterEach, expect, test } from 'vitest';
import { MASTODON_BUCKETS, scaleBuckets } from '../../src/mastodon/rate-budget.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from './harness.ts';
import { MARK, requestsWhileBlocked, sleep, tootKey, withText } from './support.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** Mastodon's limits with every period 600 times shorter: the statuses family's 3 h window lasts 18 s. */
const SCALE = 600;
const STATUSES_WINDOW_MS = (3 * 3_600_000) / SCALE;
const windowEnd = (at: number) => (Math.floor(at / STATUSES_WINDOW_MS) + 1) * STATUSES_WINDOW_MS;

test('300 edits against the statuses family (300 per 3 h, edits count): the milestones and the completion still go out in the same window, with no 429', async () => {
  r = await rig({ rateLimit: { scale: SCALE } }, { coalesceMs: 5 });
  const { sandbox } = r;
  const schedule = { ...rebasedWienRocks(100, 60), announcements: [], reminders: [] };
  // Start right after a statuses window began, so the whole run lies in one window.
  await sleep(windowEnd(Date.now()) - Date.now() + 20);
  const windowStart = Date.now();
  const end = windowEnd(windowStart);
  const service = await r.start([schedule], { replies: false, rateBuckets: scaleBuckets(MASTODON_BUCKETS, SCALE) });
  const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 3000);

  // 300 changes spread over most of the window, each one a different text (running ↔ failed): 300 edits wanted.
  const first = schedule.tasks[0]!.id;
  const changes = 300;
  const spacing = (end - Date.now() - 2500) / changes;
  for (let i = 0; i < changes; i += 1) {
    await service.operations.taskChange(schedule.id, first, i % 2 === 0 ? 'failed' : 'running', `Versuch ${i + 1}`);
    await sleep(Math.max(0, windowStart + 300 + (i + 1) * spacing - Date.now()));
  }
  for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');
  const finishedAt = Date.now();

  const key = (tootId: string) => tootKey(schedule, tootId);
  const complete = await waitFor('completion', () => sandbox.statuses().find((s) => s.idempotencyKey === key('complete')), end - Date.now() + 3000);
  // Before the budget, the edits used up the 300 statuses and the completion met a 429 and waited for the next window.
  expect(Date.parse(complete.createdAt)).toBeLessThan(end);
  expect(Date.parse(complete.createdAt) - finishedAt).toBeLessThan(1500);
  expect(complete.inReplyToId).toBe(start.id);
  for (const m of ['milestone-dns', 'milestone-upgrade']) expect(sandbox.statuses().filter((s) => s.idempotencyKey === key(m))).toHaveLength(1);

  const inWindow = sandbox.requests().filter((q) => q.at >= windowStart && q.at < end && q.path.startsWith('/api/'));
  const edits = inWindow.filter((q) => q.method === 'PUT' && q.status === 200);
  // The pressure was real: the edits took half the budget and more (the pacing starts there), paced instead of refused.
  expect(edits.length).toBeGreaterThan(120);
  expect(edits.length).toBeLessThanOrEqual(300 - 4);
  expect(sandbox.requests().filter((q) => q.status === 429)).toEqual([]);
  expect(requestsWhileBlocked(sandbox.requests())).toEqual([]);
  const statuses = (await service.gate.report()).find((b) => b.bucket === 'statuses')!;
  expect(statuses.limit).toBe(300);

  // The progress toot reaches its final state once the next window lets the held edit through.
  await waitFor('final progress', () => sandbox.status(start.id)!.text.includes('9 von 9 erledigt'), STATUSES_WINDOW_MS + 5000);
  expect((await service.operations.status(schedule.id)).failures).toEqual([]);
}, 60_000);
