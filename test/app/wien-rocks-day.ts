import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { jobId } from '../../src/core/jobs.ts';
import { plannedCompletions } from '../../src/render/timeline.ts';
import { rebasedWienRocks, waitFor, type Rig } from '../support/harness.ts';
import { expectUniqueKeys, MARK, showsCompletion, sleepUntil, spacedBeforeStart, statusPosts, withText } from './support.ts';
import { postKey, postKeyPrefix, reminderTootId } from '../../src/schedule/toot-ids.ts';

/**
 * The whole wien.rocks day on a rig, compressed, with every assertion about
 * it: announcements, reminders, start, edits, milestones, completion, the
 * quiet deadline. Played on plain Redis (wien-rocks.test.ts) and on a Redis
 * Cluster (redis-cluster.test.ts).
 */
export async function playWienRocksDay(r: Rig): Promise<void> {
  const { sandbox } = r;
  // The window: 1 h → 600 ms (tasks within 1.35 s, deadline 3 s after the start).
  // Announcements and reminders keep their order, 400 ms apart before the start; the first is
  // 4.4 s ahead, as Herold's start can take seconds while the suite's files run side by side.
  const schedule = spacedBeforeStart(rebasedWienRocks(6000, 6000), 400);
  const service = await r.start([schedule]);
  const start = schedule.window.start;

  const preStart = [
    ...schedule.announcements.map((a) => ({ key: postKey(schedule, a.id), at: a.at })),
    ...schedule.reminders.map((rm) => ({ key: postKey(schedule, reminderTootId(rm.id, start)), at: rm.at })),
  ].sort((a, b) => a.at.toMillis() - b.at.toMillis());
  expect(preStart.map((p) => p.key)).toEqual([
    postKey(schedule, 'umzug-nach-wien'),
    postKey(schedule, 'termin'),
    postKey(schedule, reminderTootId('ein-tag-vorher', start)),
    postKey(schedule, reminderTootId('eine-stunde-vorher', start)),
  ]);

  const startToot = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 10_000);
  await waitFor('start pinned', () => sandbox.status(startToot.id)!.pinned, 5000);

  // Each task is marked done at its compressed planned time.
  const completions = plannedCompletions(schedule, 'complete').sort((a, b) => a.at.toMillis() - b.at.toMillis());
  for (const { task, at } of completions) {
    await sleepUntil(at);
    await service.operations.taskChange(schedule.id, task.id, 'done');
  }

  const complete = await waitFor('completion reply', () => withText(sandbox, MARK.complete)[0], 10_000);
  await waitFor('progress toot unpinned', () => !sandbox.status(startToot.id)!.pinned, 5000);
  await waitFor('final edit', () => showsCompletion(sandbox.status(startToot.id)!.text), 5000);

  // Announcements and reminders: each once, in order, none before its time.
  const live = sandbox.statuses().filter((s) => !s.deletedAt);
  const byKey = new Map(live.map((s) => [s.idempotencyKey, s]));
  const posted = preStart.map((p) => byKey.get(p.key));
  expect(posted.every(Boolean)).toBe(true);
  for (const [i, p] of preStart.entries()) expect(Date.parse(posted[i]!.createdAt)).toBeGreaterThanOrEqual(p.at.toMillis() - 5);
  const creation = live.map((s) => s.id);
  const order = [...posted.map((s) => s!.id), startToot.id].map((id) => creation.indexOf(id));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(withText(sandbox, MARK.move)).toHaveLength(1);
  expect(withText(sandbox, MARK.termin)).toHaveLength(1);
  expect(withText(sandbox, MARK.reminder)).toHaveLength(2);
  expect(withText(sandbox, MARK.start)).toHaveLength(1);
  expect(Date.parse(startToot.createdAt)).toBeGreaterThanOrEqual(start.toMillis() - 5);

  // The progress toot was edited in place, never re-posted, and only ever moved forward.
  const final = sandbox.status(startToot.id)!;
  expect(final.history.length).toBeGreaterThanOrEqual(3);
  expect(final.history[0]!.text).toContain(MARK.start);
  // The final state says "abgeschlossen" instead of a count: all 9.
  const counts = final.history.slice(1).map((h) => (showsCompletion(h.text) ? 9 : Number(/(\d) von 9 erledigt/.exec(h.text)?.[1] ?? -1)));
  expect(counts.every((c) => c >= 0)).toBe(true);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  expect(counts.at(-1)).toBe(9);

  // Milestones for upgrade and dns, and the completion, as replies in the thread.
  const milestones = withText(sandbox, MARK.milestone);
  expect(milestones.map((m) => m.idempotencyKey).sort()).toEqual([postKey(schedule, 'milestone-dns'), postKey(schedule, 'milestone-upgrade')]);
  for (const m of milestones) expect(m.inReplyToId).toBe(startToot.id);
  expect(byKey.get(postKey(schedule, 'milestone-upgrade'))!.text).toContain('Wir laufen jetzt auf Mastodon 4.0.');
  expect(byKey.get(postKey(schedule, 'milestone-dns'))!.text).toContain('Die neue Adresse spricht sich gerade im Netz herum.');
  expect(complete.inReplyToId).toBe(startToot.id);
  expect(withText(sandbox, MARK.complete)).toHaveLength(1);

  // Exactly one status per toot id, and the state knows each of them.
  const keys = expectUniqueKeys(sandbox);
  const recorded = await service.store.allPosted(schedule.id);
  expect(recorded.every((p) => p.statusId !== null && !p.skipped)).toBe(true);
  expect(recorded.map((p) => postKey(schedule, p.tootId)).sort()).toEqual([...keys].sort());
  for (const p of recorded) expect(byKey.get(postKey(schedule, p.tootId))!.id).toBe(p.statusId);
  // Every status POST carried an Idempotency-Key.
  const posts = statusPosts(sandbox);
  expect(posts.length).toBeGreaterThanOrEqual(keys.length);
  expect(posts.every((p) => typeof p.idempotencyKey === 'string' && p.idempotencyKey.startsWith(postKeyPrefix(schedule.id)))).toBe(true);

  // The deadline passes quietly: everything was finished in time.
  await sleepUntil(schedule.window.deadline);
  const deadlineJob = jobId({ type: 'deadline', scheduleId: schedule.id, deadline: schedule.window.deadline.toISO()! });
  const returned = await waitFor('deadline check', async () => (await service.jobs.queue.getJob(deadlineJob))?.returnvalue as string | undefined, 5000);
  expect(returned).toBe('all tasks finished in time');
  await sleep(100);
  expect(withText(sandbox, MARK.backout)).toHaveLength(0);
  expect((await service.operations.status(schedule.id)).phase).toBe('complete');
  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
}
