import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { jobId } from '../../src/core/jobs.ts';
import { tootJob } from '../../src/core/jobs.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import type { SandboxStatus } from '../../src/sandbox/index.ts';
import { expectUniqueKeys, MARK, showsCompletion, statusPosts, withText } from './support.ts';
import { postKey, postKeyPrefix } from '../../src/schedule/toot-ids.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

test('a 429 storm: every toot and edit still goes out once, Herold pauses instead of hammering', async () => {
  const windowMs = 1000;
  r = await rig({ rateLimit: { limit: 5, windowMs } });
  const { sandbox } = r;
  // Two maintenances on the same account at once: about 20 requests against a budget of 5 a second.
  const schedules = [0, 1].map(() => ({ ...rebasedWienRocks(700, 600), announcements: [], reminders: [] }));
  // Replies off: their notification polling would share the budget and blur the counts.
  const service = await r.start(schedules, { replies: false });
  const key = (schedule: Schedule, tootId: string) => postKey(schedule, tootId);
  const byKey = (k: string) => sandbox.statuses().find((s) => s.idempotencyKey === k);
  const starts = await waitFor('both start toots', () => {
    const found = schedules.map((s) => byKey(key(s, 'start')));
    return found.every(Boolean) ? (found as SandboxStatus[]) : null;
  }, 10_000);

  // The tasks finish in three bursts, in both maintenances at once.
  for (const burst of [[0, 1, 2, 3], [4, 5, 6], [7, 8]]) {
    for (const i of burst) for (const schedule of schedules) await service.operations.taskChange(schedule.id, schedule.tasks[i]!.id, 'done');
    await sleep(300);
  }

  for (const [n, schedule] of schedules.entries()) {
    const start = starts[n]!;
    const complete = await waitFor('completion', () => byKey(key(schedule, 'complete')), 25_000);
    await waitFor('unpinned and final', () => !sandbox.status(start.id)!.pinned && showsCompletion(sandbox.status(start.id)!.text), 15_000);
    expect(complete.inReplyToId).toBe(start.id);
    // No job lost: start, two milestones, completion; each once. Under the storm a milestone queued 300 ms
    // before the last burst may go out after the completion (both wait out the same refusals; ordering holds
    // only for toots further apart than one retry interval), so wait for all four, then check there are no more.
    const wanted = ['complete', 'milestone-dns', 'milestone-upgrade', 'start'].map((t) => key(schedule, t));
    const ownKeys = () => sandbox.statuses().filter((s) => s.idempotencyKey?.startsWith(postKeyPrefix(schedule.id))).map((s) => s.idempotencyKey).sort();
    await waitFor('start, both milestones and the completion', () => wanted.every((k) => ownKeys().includes(k)), 25_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${ownKeys().join(', ')}`);
    });
    expect(ownKeys()).toEqual(wanted);
    const own = sandbox.statuses().filter((s) => s.idempotencyKey?.startsWith(postKeyPrefix(schedule.id)));
    for (const m of own.filter((s) => s.text.includes(MARK.milestone))) expect(m.inReplyToId).toBe(start.id);
    expect((await service.operations.status(schedule.id)).failures).toEqual([]);
  }
  expect(expectUniqueKeys(sandbox)).toHaveLength(8);

  const requests = sandbox.requests().filter((q) => q.path.startsWith('/api/'));
  const refused = requests.filter((q) => q.status === 429);
  const perWindow = new Map<number, { allowed: number; refused: number }>();
  for (const q of requests) {
    const w = perWindow.get(Math.floor(q.at / windowMs)) ?? { allowed: 0, refused: 0 };
    if (q.status === 429) w.refused += 1;
    else w.allowed += 1;
    perWindow.set(Math.floor(q.at / windowMs), w);
  }
  // The limit really was in the way: the work needed several windows, and used up at least one.
  expect(requests.length - refused.length).toBeGreaterThan(12);
  expect([...perWindow.values()].some((w) => w.allowed === 5)).toBe(true);
  // Herold reads X-RateLimit-Remaining, pauses the queue and holds back requests until the reset;
  // only requests already under way (four jobs run at once) when the budget ran out meet a 429.
  expect(refused.length).toBeLessThanOrEqual(6);
  for (const w of perWindow.values()) expect(w.refused).toBeLessThanOrEqual(3);
  // And a refused request is repeated soon after the window resets, not left waiting in the queue.
  for (const q of refused) {
    // A pin refused so late that the window closed meanwhile is rightly not repeated: the toot is unpinned now.
    const unpinnedLater = q.path.endsWith('/pin') && requests.some((later) => later.at > q.at && later.path === q.path.replace(/\/pin$/, '/unpin'));
    if (unpinnedLater) continue;
    const retried = requests.find((later) => later.at > q.at && later.method === q.method && later.path === q.path && later.status < 300);
    expect(retried, `${q.method} ${q.path}`).toBeDefined();
    expect(retried!.at - q.at).toBeLessThan(windowMs + 1500);
  }

  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
});

test('a token without write scope: the job fails for good with the server message, visible in status failures', async () => {
  r = await rig({ accounts: [{ username: 'reader', token: 'read-only-token', scopes: ['read'] }] }, { mastodonAccessToken: 'read-only-token' });
  const { sandbox } = r;
  const schedule = { ...rebasedWienRocks(300, 600), announcements: [], reminders: [] };
  // Reading works, so the service starts; posting is refused with 403.
  const service = await r.start([schedule], { replies: false });

  const startJob = jobId(tootJob(schedule, 'start', 'start', null, schedule.window.start));
  const failures = await waitFor('failure recorded', async () => {
    const list = (await service.operations.status(schedule.id)).failures;
    return list.length > 0 ? list : null;
  });
  expect(failures).toHaveLength(1);
  expect(failures[0]!.tootId).toBe(startJob);
  expect(failures[0]!.message).toContain('HTTP 403');
  expect(failures[0]!.message).toContain('This action is outside the authorized scopes');

  const job = await waitFor('job failed', async () => {
    const j = await service.jobs.queue.getJob(startJob);
    return (await j?.getState()) === 'failed' ? j : null;
  });
  expect(job!.failedReason).toContain('This action is outside the authorized scopes');
  // Failed for good: one attempt, no retry storm against the instance.
  expect(job!.attemptsMade).toBe(1);
  await sleep(300);
  const posts = sandbox.requests().filter((q) => q.method === 'POST' && q.path === '/api/v1/statuses');
  expect(posts.map((p) => p.status)).toEqual([403]);
  expect(sandbox.statuses()).toHaveLength(0);
});

test('a toot refused with 429 goes out as soon as the window has reset, not after the queue’s block timeout', async () => {
  r = await rig();
  const { sandbox } = r;
  // Nothing else is due for 30 s: no other job would wake a worker that waits for one.
  const schedule = { ...rebasedWienRocks(800, 600), announcements: [], reminders: [] };
  await r.start([schedule], { replies: false });
  sandbox.setRateLimit({ limit: 0, windowMs: 1000 });

  const refused = await waitFor('a refused POST', () => statusPosts(sandbox).find((q) => q.status === 429), 10_000);
  sandbox.setRateLimit(null);
  const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 15_000);
  // Herold waits for the reset (at most a second here) and a little more, never ten seconds.
  expect(Date.parse(start.createdAt) - refused.at).toBeLessThan(2500);
  expect(withText(sandbox, MARK.start)).toHaveLength(1);
});
