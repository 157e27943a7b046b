import { setTimeout as sleep } from 'node:timers/promises';
import type { DateTime } from 'luxon';
import { test, type TestContext } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import type { HeroldService } from '../../src/app/herold-service.ts';
import { jobId } from '../../src/core/jobs.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { MARK, sleepUntil, withText } from './support.ts';

// Independent rigs (own sandbox, own prefix): the three run at the same time.
async function setUp({ onTestFinished }: TestContext): Promise<Rig> {
  const r = await rig();
  onTestFinished(() => r.close());
  return r;
}

/** Start `startInMs` from now, the deadline `deadlineAfterMs` after the start; no announcements or reminders. */
function window(startInMs: number, deadlineAfterMs: number): Schedule {
  // The original deadline is five hours after the start.
  const schedule = rebasedWienRocks(startInMs, (5 * 3_600_000) / deadlineAfterMs);
  return { ...schedule, announcements: [], reminders: [] };
}

const deadlineJob = (schedule: Schedule, deadline: DateTime) => jobId({ type: 'deadline', scheduleId: schedule.id, deadline: deadline.toISO()! });

async function returned(service: HeroldService, id: string): Promise<string> {
  return waitFor(`job ${id}`, async () => (await service.jobs.queue.getJob(id))?.returnvalue as string | undefined, 10_000);
}

/** A window opening in 300 ms with its deadline 4 s later; the start toot is up and pinned, two tasks are done. */
async function startedWithTwoDone(context: TestContext) {
  const r = await setUp(context);
  const schedule = window(300, 4000);
  const service = await r.start([schedule], { replies: false });
  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
  await waitFor('start pinned', () => r.sandbox.status(start.id)!.pinned, 5000);
  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await service.operations.taskChange(schedule.id, 'datenuebernahme', 'done');
  return { sandbox: r.sandbox, schedule, service, start };
}

test.concurrent('the deadline passes with open tasks: back-out reply naming the deadline, progress toot unpinned', async (context) => {
  const { expect } = context;
  const { sandbox, schedule, service, start } = await startedWithTwoDone(context);

  const backout = await waitFor('back-out reply', () => withText(sandbox, MARK.backout)[0], 10_000);
  const deadline = schedule.window.deadline;
  expect(Date.parse(backout.createdAt)).toBeGreaterThanOrEqual(deadline.toMillis());
  expect(backout.inReplyToId).toBe(start.id);
  expect(backout.text).toContain(`Um ${deadline.toFormat('HH:mm')} Uhr haben wir die Wartung von wien.rocks abgebrochen`);
  expect(backout.text).toContain('2 von 9 Schritten erledigt');
  await waitFor('unpinned', () => !sandbox.status(start.id)!.pinned, 5000);
  // The progress toot's final state: backed out, at the deadline; no "Spätestens um …" left standing.
  const final = await waitFor('progress toot in its back-out state', () => (sandbox.status(start.id)!.text.startsWith('↩️') ? sandbox.status(start.id)!.text : undefined), 5000);
  expect(final.split('\n')[0]).toBe(`↩️ Wartung von wien.rocks um ${deadline.toFormat('HH:mm')} Uhr abgebrochen: 2 von 9 Schritten waren erledigt.`);
  expect(final).not.toContain('Spätestens');
  expect(await returned(service, deadlineJob(schedule, deadline))).toBe('deadline passed with open tasks: backing out');
  expect((await service.operations.status(schedule.id)).phase).toBe('backout');

  // Late task changes are refused with a clear message; nothing completes a backed-out window.
  const edited = sandbox.status(start.id)!.history.length;
  for (const task of schedule.tasks) {
    await expect(service.operations.taskChange(schedule.id, task.id, 'done')).rejects.toThrow(/already backed out; task changes are no longer shown/);
  }
  await sleep(400);
  expect(sandbox.status(start.id)!.history.length).toBe(edited);
  expect(withText(sandbox, MARK.complete)).toHaveLength(0);
  expect(withText(sandbox, MARK.backout)).toHaveLength(1);
  expect(withText(sandbox, MARK.milestone)).toHaveLength(0);
});

test.concurrent('extending before the deadline holds the back-out off until the new deadline', async (context) => {
  const { expect } = context;
  const { sandbox, schedule, service, start } = await startedWithTwoDone(context);

  const oldDeadline = schedule.window.deadline;
  const newDeadline = oldDeadline.plus({ milliseconds: 1500 });
  await waitFor('the two task edits', async () => (await service.store.edits(schedule.id)).shown.primary === (await service.store.version(schedule.id)), 5000);
  const edits = () => sandbox.requests().filter((q) => q.method === 'PUT' && q.path === `/api/v1/statuses/${start.id}`).length;
  const editsBefore = edits();
  const extended = await service.operations.extend(schedule.id, newDeadline.toISO()!);
  expect(extended.toMillis()).toBe(newDeadline.toMillis());
  // The progress toot names the deadline, so extending it edits the toot once.
  await waitFor('progress edit for the new deadline', () => edits() === editsBefore + 1, 5000);
  expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(newDeadline.toMillis());

  // The old deadline passes: nothing happens.
  expect(await returned(service, deadlineJob(schedule, oldDeadline))).toBe('deadline was moved');
  await sleep(300);
  expect(withText(sandbox, MARK.backout)).toHaveLength(0);
  expect((await service.operations.status(schedule.id)).phase).toBe('running');

  // The new one backs out, naming the new deadline.
  const backout = await waitFor('back-out reply', () => withText(sandbox, MARK.backout)[0], 10_000);
  expect(Date.parse(backout.createdAt)).toBeGreaterThanOrEqual(newDeadline.toMillis());
  expect(backout.text).toContain(`Um ${newDeadline.setZone(schedule.timezone).toFormat('HH:mm')} Uhr haben wir die Wartung`);
  expect(await returned(service, deadlineJob(schedule, extended))).toBe('deadline passed with open tasks: backing out');
  expect(withText(sandbox, MARK.backout)).toHaveLength(1);
  // Past the outcome there is nothing left to extend.
  await expect(service.operations.extend(schedule.id, newDeadline.plus({ hours: 1 }).toISO()!)).rejects.toBeInstanceOf(UsageError);
});

test.concurrent('declaring the maintenance complete before the deadline prevents a back-out', async (context) => {
  const { expect } = context;
  const { sandbox, schedule, service, start } = await startedWithTwoDone(context);

  await service.operations.declare(schedule.id, 'complete');
  const complete = await waitFor('completion reply', () => withText(sandbox, MARK.complete)[0], 10_000);
  expect(complete.inReplyToId).toBe(start.id);
  await waitFor('unpinned', () => !sandbox.status(start.id)!.pinned, 5000);
  // Declared complete with tasks open: the progress toot says it is done, not "2 von 9 erledigt" forever.
  const final = await waitFor('progress toot in its final state', () => (sandbox.status(start.id)!.text.startsWith('✅ Wartung') ? sandbox.status(start.id)!.text : undefined), 5000);
  expect(final).toMatch(/^✅ Wartung von wien\.rocks abgeschlossen um \d\d:\d\d Uhr, nach /);
  expect(final).not.toContain('Spätestens');
  // A second declaration is refused.
  await expect(service.operations.declare(schedule.id, 'backout')).rejects.toBeInstanceOf(UsageError);

  await sleepUntil(schedule.window.deadline);
  expect(await returned(service, deadlineJob(schedule, schedule.window.deadline))).toBe('nothing to do: the maintenance is complete');
  await sleep(200);
  expect(withText(sandbox, MARK.backout)).toHaveLength(0);
  expect(withText(sandbox, MARK.complete)).toHaveLength(1);
  expect((await service.operations.status(schedule.id)).phase).toBe('complete');
});
