import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'vitest';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { FAST, repliesTo } from '../replies/helpers.ts';
import { rebasedWienRocks, rig, waitFor } from '../support/harness.ts';
import { MARK, showsCompletion, spacedBeforeStart, statusPosts, withText } from './support.ts';

/**
 * POSTs whose outcome Herold does not see, against Mastodon 4.6, which
 * answers a repeated Idempotency-Key with HTTP 500 for an hour and then posts
 * again (#37879). Herold must look on the server instead of trusting the key:
 * every toot, thread part, milestone, completion and answer exists once.
 */

/** How many statuses with each marker the wien.rocks day posts (announcements, reminders, start, 2 milestones, completion). */
const DAY = { move: 1, termin: 1, reminder: 2, start: 1, milestone: 2, complete: 1 } as const;

async function runDay(sandbox: Sandbox, service: HeroldService, schedule: Schedule) {
  const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 20_000);
  for (const task of schedule.tasks) {
    await service.operations.taskChange(schedule.id, task.id, 'done');
    await sleep(60);
  }
  await waitFor('completion', () => withText(sandbox, MARK.complete)[0], 30_000);
  await waitFor('progress edited to the end', () => showsCompletion(sandbox.status(start.id)!.text), 20_000);
  return start;
}

function expectDayOnce(expect: typeof import('vitest').expect, sandbox: Sandbox, startId: string, day: Partial<Record<keyof typeof DAY, number>> = DAY) {
  for (const [kind, count] of Object.entries(day)) expect(withText(sandbox, MARK[kind as keyof typeof DAY]), kind).toHaveLength(count);
  for (const reply of [...withText(sandbox, MARK.milestone), ...withText(sandbox, MARK.complete)]) expect(reply.inReplyToId).toBe(startId);
  const keys = sandbox.statuses().filter((s) => s.username === 'b2c').map((s) => s.idempotencyKey);
  expect(keys.every((k) => k !== null)).toBe(true);
  expect(new Set(keys).size).toBe(keys.length);
}

test.concurrent('4.6, every first POST answer lost: 0 duplicates, the thread intact, the progress edited to the end, the question answered once', async ({ expect, onTestFinished }) => {
  const r = await rig({ mastodonVersion: '4.6', fault: { kind: 'lost-answer', firstPerKey: true }, notificationPolicy: { forPrivateMentions: 'accept' } });
  onTestFinished(() => r.close());
  r.sandbox.addAccount({ username: 'alice' });
  const schedule = spacedBeforeStart(rebasedWienRocks(6000), 1000);
  const service = await r.start([schedule], { http: false, replies: FAST });
  await r.sandbox.waitForStream();
  const question = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?', { visibility: 'direct' });

  const start = await runDay(r.sandbox, service, schedule);
  const answer = await waitFor('the answer', () => repliesTo(r.sandbox, question.id)[0], 20_000);
  await sleep(500);

  expectDayOnce(expect, r.sandbox, start.id);
  expect(repliesTo(r.sandbox, question.id)).toEqual([answer]);
  // Every status was created by a POST whose answer never arrived, and none was POSTed twice.
  const created = r.sandbox.statuses().filter((s) => s.username === 'b2c');
  const lost = statusPosts(r.sandbox).filter((p) => p.fault === 'lost-answer');
  expect(lost.map((p) => p.idempotencyKey).sort()).toEqual(created.map((s) => s.idempotencyKey).sort());
  expect(statusPosts(r.sandbox)).toHaveLength(created.length);
  // Herold recorded what it found: the ids in its state are the statuses on the instance.
  const own = created.filter((s) => s.inReplyToId !== question.id).map((s) => s.id).sort();
  const recorded = async () => (await service.store.allPosted(schedule.id)).flatMap((p) => (p.statusId === null ? [] : [p.statusId])).sort();
  await waitFor('every toot recorded', async () => JSON.stringify(await recorded()) === JSON.stringify(own), 10_000).catch(async () => {
    expect(await recorded()).toEqual(own);
  });
  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
  expect(await service.operations.status(schedule.id).then((s) => s.failures)).toEqual([]);
});

for (const version of ['4.5', '4.6'] as const) test.concurrent(`${version}, each first POST commits 1 s after Herold gave up waiting: 0 duplicates`, async ({ expect, onTestFinished }) => {
  // HEROLD_REQUEST_TIMEOUT_MS is 2000 in tests: the status appears a second after the client's timeout.
  const r = await rig({ mastodonVersion: version, fault: { kind: 'slow-commit', delayMs: 3000, firstPerKey: true } });
  onTestFinished(() => r.close());
  const schedule = { ...rebasedWienRocks(300), announcements: [], reminders: [] };
  const service = await r.start([schedule], { http: false, replies: false });

  const start = await runDay(r.sandbox, service, schedule);
  await sleep(500);
  expectDayOnce(expect, r.sandbox, start.id, { start: 1, milestone: 2, complete: 1 });
  expect((await service.store.posted(schedule.id, 'start'))?.statusId).toBe(start.id);
  // The first POST of each toot was slow; Herold did not send a second one while it could still commit.
  const keys = statusPosts(r.sandbox).map((p) => p.idempotencyKey);
  expect(new Set(keys).size).toBe(r.sandbox.statuses().length);
  expect(statusPosts(r.sandbox).filter((p) => p.fault === 'slow-commit')).toHaveLength(r.sandbox.statuses().length);
  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
});
