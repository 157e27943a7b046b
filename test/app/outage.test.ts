import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { expectUniqueKeys, iconCount, MARK, sleepUntil, withText } from './support.ts';
import { postKey } from '../../src/schedule/toot-ids.ts';

/**
 * The instance is down across the start and several task changes. Herold
 * keeps retrying with backoff; once the instance is back, the start toot
 * appears once already showing the latest state (no replay of each change),
 * and the milestone follows once, in the thread.
 */

let r: Rig | undefined;
let fallback: Sandbox | undefined;
afterEach(async () => {
  await r?.close();
  await fallback?.close();
  r = undefined;
  fallback = undefined;
});

/** Only the window (deadline 30 s after the start), starting `startInMs` from now. */
const windowOnly = (startInMs: number): Schedule => ({ ...rebasedWienRocks(startInMs, 600), announcements: [], reminders: [] });

describe.each(['refuse', 'html502'] as const)('outage mode %s', (mode) => {
  test('start and task changes during the outage: one start toot with the latest state, few edits, milestone once', async () => {
    r = await rig();
    const { sandbox } = r;
    const schedule = windowOnly(800);
    const service = await r.start([schedule], { replies: false });
    await sandbox.setOutage(mode);

    await sleepUntil(schedule.window.start.plus({ milliseconds: 200 }));
    for (const [task, status] of [
      ['abschaltung', 'done'],
      ['datenuebernahme', 'done'],
      ['datenbank', 'done'],
      ['upgrade', 'done'],
      ['funktionstests', 'running'],
    ] as const) {
      await service.operations.taskChange(schedule.id, task, status);
      await sleep(100);
    }
    await sleep(500);
    // Nothing got through, but the window is open and Herold kept trying.
    expect(sandbox.statuses()).toHaveLength(0);
    expect((await service.operations.status(schedule.id)).phase).toBe('running');
    const tried = sandbox.requests().filter((q) => q.outage === 'html502').length;
    if (mode === 'html502') {
      expect(tried).toBeGreaterThan(0);
      // Backoff, not a busy loop: a handful of attempts per job in about a second.
      expect(tried).toBeLessThan(40);
    }

    await sandbox.setOutage('none');
    const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 10_000);
    // The start toot already shows the state at the time it was finally posted.
    expect(iconCount(start.history[0]!.text, '✅')).toBe(4);
    expect(iconCount(start.history[0]!.text, '⏳')).toBe(1);
    const milestone = await waitFor('milestone', () => withText(sandbox, MARK.milestone)[0], 10_000);
    expect(milestone.inReplyToId).toBe(start.id);
    expect(milestone.text).toContain('Upgrade auf Mastodon 4.0');
    await waitFor('start pinned', () => sandbox.status(start.id)!.pinned, 5000);

    // A change after the outage is one edit on top.
    await service.operations.taskChange(schedule.id, 'funktionstests', 'done');
    await waitFor('edit', () => sandbox.status(start.id)!.text.includes('5 von 9 erledigt'), 5000);
    await sleep(400);

    const final = sandbox.status(start.id)!;
    // Coalesced, not replayed: five changes during the outage cost no edit at all, the one after it a single edit.
    expect(final.history.length - 1).toBeLessThanOrEqual(2);
    expect(withText(sandbox, MARK.start)).toHaveLength(1);
    expect(withText(sandbox, MARK.milestone)).toHaveLength(1);
    expect(expectUniqueKeys(sandbox).sort()).toEqual([postKey(schedule, 'milestone-upgrade'), postKey(schedule, 'start')]);
    const recorded = await service.store.allPosted(schedule.id);
    expect(recorded.map((p) => [p.tootId, p.statusId])).toEqual([
      ['start', start.id],
      ['milestone-upgrade', milestone.id],
    ]);
    expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
  });
});

test('every task finishes while the instance is down: afterwards start, milestones and completion appear once each', async () => {
  r = await rig();
  const { sandbox } = r;
  const schedule = windowOnly(600);
  const service = await r.start([schedule], { replies: false });
  await sandbox.setOutage('refuse');
  await sleepUntil(schedule.window.start.plus({ milliseconds: 200 }));
  for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');
  expect((await service.operations.status(schedule.id)).phase).toBe('complete');
  await sleep(600);

  await sandbox.setOutage('none');
  const complete = await waitFor('completion', () => withText(sandbox, MARK.complete)[0], 10_000);
  const start = withText(sandbox, MARK.start)[0]!;
  expect(start).toBeDefined();
  expect(iconCount(start.history[0]!.text, '✅')).toBe(9);
  expect(complete.inReplyToId).toBe(start.id);
  await waitFor('both milestones', () => withText(sandbox, MARK.milestone).length === 2, 5000);
  await sleep(300);
  // Posted after the outcome: not left pinned.
  expect(sandbox.status(start.id)!.pinned).toBe(false);
  expect(withText(sandbox, MARK.start)).toHaveLength(1);
  expect(withText(sandbox, MARK.complete)).toHaveLength(1);
  expect(withText(sandbox, MARK.milestone)).toHaveLength(2);
  for (const m of withText(sandbox, MARK.milestone)) expect(m.inReplyToId).toBe(start.id);
  expectUniqueKeys(sandbox);
  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
});

test('with a fallback account: start, progress and milestone appear there during the outage, and once on the primary afterwards', async () => {
  fallback = await startSandbox({ rateLimit: null, domain: 'fallback.example' });
  r = await rig({}, { fallback: { url: fallback.url, accessToken: 'sandbox-token' } });
  const { sandbox } = r;
  const fb = fallback;
  const schedule = windowOnly(800);
  const service = await r.start([schedule], { replies: false });
  await sandbox.setOutage('html502');

  const fbStart = await waitFor('start on the fallback', () => withText(fb, MARK.start)[0], 10_000);
  expect(fbStart.idempotencyKey).toBe(postKey(schedule, 'start', 'fallback'));

  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await service.operations.taskChange(schedule.id, 'datenuebernahme', 'done');
  await service.operations.taskChange(schedule.id, 'datenbank', 'done');
  await service.operations.taskChange(schedule.id, 'upgrade', 'done');
  // The fallback's progress toot follows the changes, and the milestone goes into its thread.
  await waitFor('fallback progress edited', () => fb.status(fbStart.id)!.text.includes('4 von 9 erledigt'), 10_000);
  const fbMilestone = await waitFor('milestone on the fallback', () => withText(fb, MARK.milestone)[0], 10_000);
  expect(fbMilestone.inReplyToId).toBe(fbStart.id);
  expect(sandbox.statuses()).toHaveLength(0);

  await sandbox.setOutage('none');
  const start = await waitFor('start on the primary', () => withText(sandbox, MARK.start)[0], 10_000);
  const milestone = await waitFor('milestone on the primary', () => withText(sandbox, MARK.milestone)[0], 10_000);
  expect(milestone.inReplyToId).toBe(start.id);
  expect(iconCount(start.history[0]!.text, '✅')).toBe(4);
  await sleep(400);

  expect(withText(sandbox, MARK.start)).toHaveLength(1);
  expect(withText(sandbox, MARK.milestone)).toHaveLength(1);
  expect(withText(fb, MARK.start)).toHaveLength(1);
  expect(withText(fb, MARK.milestone)).toHaveLength(1);
  expect(expectUniqueKeys(fb).sort()).toEqual([postKey(schedule, 'milestone-upgrade', 'fallback'), postKey(schedule, 'start', 'fallback')]);
  expect(expectUniqueKeys(sandbox).sort()).toEqual([postKey(schedule, 'milestone-upgrade'), postKey(schedule, 'start')]);
  // Few edits on the fallback too: four quick changes, coalesced.
  expect(fb.status(fbStart.id)!.history.length - 1).toBeLessThanOrEqual(2);
  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
});

test('a slow instance: a task change while the start toot is in flight still reaches the toot, with one catch-up edit', async () => {
  r = await rig();
  const { sandbox } = r;
  const schedule = windowOnly(300);
  const service = await r.start([schedule], { replies: false });
  // The instance takes the POST at once but answers a second later.
  await sandbox.setOutage('slow', { delayMs: 1000 });
  const start = await waitFor('start toot created', () => withText(sandbox, MARK.start)[0], 10_000);
  // Rendered and sent, not yet recorded: this change's own edit finds no progress toot to edit.
  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await sandbox.setOutage('none');
  await waitFor('catch-up edit', () => sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 10_000);
  await sleep(300);
  expect(sandbox.status(start.id)!.history).toHaveLength(2);
  expect(withText(sandbox, MARK.start)).toHaveLength(1);
  expect((await service.store.edits(schedule.id)).shown.primary).toBe(1);
});
