/** Operations on in-memory adapters: task changes, coalescing, budgets, refusals. Runs in milliseconds. */
import { describe, expect, test } from 'vitest';
import { editDueAt } from '../../src/core/progress-edits.ts';
import { NotFoundError, UsageError } from '../../src/errors.ts';
import { COALESCE_MS, schedule, useCaseRig } from './use-case-rig.ts';

const NOW = 1_000_000;

describe('when the progress edit for a task change goes out (editDueAt)', () => {
  test.each([
    { name: 'the first change ever: at once', lastEditAt: null, planned: null, interval: 3000, due: NOW },
    { name: 'after a quiet spell: at once', lastEditAt: NOW - 10_000, planned: NOW - 10_000, interval: 3000, due: NOW },
    { name: '1 s after an edit: at the end of its interval', lastEditAt: NOW - 1000, planned: NOW - 1000, interval: 3000, due: NOW + 2000 },
    { name: 'while an edit is planned: that same edit', lastEditAt: NOW - 5000, planned: NOW + 1500, interval: 3000, due: NOW + 1500 },
    { name: 'a burst before the first edit went out: the planned slot, not a new one', lastEditAt: null, planned: NOW - 500, interval: 3000, due: NOW + 2500 },
    { name: 'a widened interval (budget): later', lastEditAt: NOW - 1000, planned: NOW - 1000, interval: 60_000, due: NOW + 59_000 },
  ])('$name', ({ lastEditAt, planned, interval, due }) => {
    expect(editDueAt({ shown: { primary: 0, fallback: null }, lastEditAt, editDueAt: planned }, NOW, interval)).toBe(due);
  });
});

type Args = [scheduleId: string, taskId: string, status: string];

describe('Operations.taskChange', () => {
  const [first, second] = schedule.tasks;
  const progressDelays = async (rig: ReturnType<typeof useCaseRig>) =>
    (await rig.jobs.pending(schedule.id)).filter((j) => j.data.type === 'progress').map((j) => j.dueAt - rig.clock.realNowMs());

  test('a change records a version and queues one edit at once; a second change close behind waits for the interval', async () => {
    const rig = useCaseRig();
    expect(await rig.operations.taskChange(schedule.id, first!.id, 'running')).toMatchObject({ version: 1, completed: false });
    expect(await progressDelays(rig)).toEqual([0]);
    expect(await rig.runDue()).toEqual([expect.stringContaining('no progress toot yet')]);
    await rig.store.recordShown(schedule.id, 'primary', 1, rig.clock.realNowMs());
    rig.clock.advance(1000);
    await rig.operations.taskChange(schedule.id, second!.id, 'running');
    expect(await progressDelays(rig)).toEqual([COALESCE_MS - 1000]);
    expect((await rig.store.edits(schedule.id)).editDueAt).toBe(rig.clock.realNowMs() + COALESCE_MS - 1000);
  });

  test('a burst of changes becomes one planned slot', async () => {
    const rig = useCaseRig();
    for (const task of schedule.tasks.slice(0, 4)) {
      await rig.operations.taskChange(schedule.id, task.id, 'running');
      rig.clock.advance(100);
    }
    // The first goes at once; the three close behind it share the slot at the end of its interval.
    const delays = await progressDelays(rig);
    const dueAts = new Set(delays.map((d) => d + rig.clock.realNowMs()));
    expect(dueAts.size).toBe(2);
  });

  test('a shrinking statuses budget widens the interval; the completion does not wait for it', async () => {
    const rig = useCaseRig({ rateBudget: { report: async () => [], editIntervalMs: async (floor) => floor * 20 } });
    await rig.operations.taskChange(schedule.id, first!.id, 'running');
    rig.clock.advance(1000);
    await rig.operations.taskChange(schedule.id, first!.id, 'done');
    expect(await progressDelays(rig)).toEqual([-1000, COALESCE_MS * 20 - 1000]);
  });

  test('the last task finished: complete, and the completion toot after the floor interval', async () => {
    const rig = useCaseRig();
    let result: { completed: boolean } = { completed: false };
    for (const task of schedule.tasks) result = await rig.operations.taskChange(schedule.id, task.id, 'done');
    expect(result.completed).toBe(true);
    expect((await rig.store.progress(schedule)).phase).toBe('complete');
    const complete = (await rig.jobs.pending(schedule.id)).find((j) => j.data.type === 'toot' && j.data.kind === 'complete');
    expect(complete!.dueAt - rig.clock.realNowMs()).toBe(COALESCE_MS);
    const milestones = (await rig.jobs.pending(schedule.id)).filter((j) => j.data.type === 'toot' && j.data.kind === 'milestone');
    expect(milestones).toHaveLength(schedule.tasks.filter((t) => t.milestone !== null).length);
  });

  test.each([
    { name: 'an unknown schedule', args: ['nope', first!.id, 'done'] as Args, error: NotFoundError },
    { name: 'an unknown task', args: [schedule.id, 'nope', 'done'] as Args, error: NotFoundError },
    { name: 'a status that is none', args: [schedule.id, first!.id, 'xyzzy'] as Args, error: UsageError },
    { name: '"pending"', args: [schedule.id, first!.id, 'pending'] as Args, error: UsageError },
  ])('$name is refused and nothing is recorded', async ({ args, error }) => {
    const rig = useCaseRig();
    await expect(rig.operations.taskChange(...args)).rejects.toBeInstanceOf(error);
    expect(await rig.store.version(schedule.id)).toBe(0);
    expect(await rig.jobs.pending(schedule.id)).toEqual([]);
  });

  test.each(['backout', 'complete', 'cancel'] as const)('after "%s" a task change is refused, recorded nowhere', async (outcome) => {
    const rig = useCaseRig();
    await rig.store.transition(schedule.id, 'running', ['announced']);
    await rig.operations.declare(schedule.id, outcome);
    const before = await rig.store.version(schedule.id);
    await expect(rig.operations.taskChange(schedule.id, first!.id, 'done')).rejects.toBeInstanceOf(UsageError);
    expect(await rig.store.version(schedule.id)).toBe(before);
    expect(await rig.store.events(schedule.id)).toEqual([]);
  });
});
