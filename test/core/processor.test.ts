/** The Processor on in-memory adapters: every phase of the progress edit and every failure kind. Runs in milliseconds. */
import { describe, expect, test } from 'vitest';
import { tootJob } from '../../src/core/jobs.ts';
import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError, NotDueYetError } from '../../src/errors.ts';
import { schedule, useCaseRig } from './use-case-rig.ts';
import type { FailureKind } from './memory-account.ts';

type Rig = ReturnType<typeof useCaseRig>;

async function started(rig: Rig) {
  const start = tootJob(schedule, 'start', 'start', null, schedule.window.start);
  expect((await rig.processor.process(start)).result).toMatch(/^posted /);
  return (await rig.store.posted(schedule.id, 'start'))!.statusId!;
}

async function changed(rig: Rig) {
  return (await rig.store.setTask(schedule.id, { taskId: schedule.tasks[0]!.id, status: 'done', at: rig.clock.now().toISO()!, note: null }))!;
}

describe('the start toot', () => {
  test('posted once, pinned, and recorded as showing the version it rendered', async () => {
    const rig = useCaseRig();
    const id = await started(rig);
    expect(rig.primary.posts).toHaveLength(1);
    expect(rig.primary.pinned.has(id)).toBe(true);
    expect((await rig.store.edits(schedule.id)).shown.primary).toBe(0);
    expect((await rig.store.progress(schedule)).phase).toBe('running');
    // A retry finds it recorded and only finishes the follow-ups.
    expect((await rig.processor.process(tootJob(schedule, 'start', 'start', null, schedule.window.start))).result).toMatch(/^already posted/);
    expect(rig.primary.posts).toHaveLength(1);
  });

  test('before its time it waits (NotDueYetError with the time left), posting nothing', async () => {
    const rig = useCaseRig();
    const early = tootJob(schedule, 'start', 'start', null, rig.clock.now().plus({ minutes: 5 }));
    await expect(rig.processor.process(early)).rejects.toMatchObject({ name: 'NotDueYetError', dueInMs: 300_000 });
    expect(rig.primary.posts).toEqual([]);
  });

  test('a milestone before the start toot exists waits for it, and says so', async () => {
    const rig = useCaseRig();
    await rig.store.transition(schedule.id, 'running', ['announced']);
    const task = schedule.tasks.find((t) => t.milestone !== null)!;
    await rig.store.setTask(schedule.id, { taskId: task.id, status: 'done', at: rig.clock.now().toISO()!, note: null });
    const milestone = tootJob(schedule, 'milestone', `milestone-${task.id}`, task.id, rig.clock.now());
    await expect(rig.processor.process(milestone)).rejects.toThrow(/waits for the progress toot/);
    expect(rig.primary.posts).toEqual([]);
  });
});

describe('the progress edit', () => {
  test.each([
    { name: 'no start toot yet: nothing edited', start: false, change: true, result: /no progress toot yet/, edits: 0, shown: null },
    { name: 'a newer version: edited, recorded with the real time', start: true, change: true, result: /edited to version 1/, edits: 1, shown: 1 },
    { name: 'the version already shown: nothing edited', start: true, change: false, result: /version 0 already shown/, edits: 0, shown: 0 },
  ])('$name', async ({ start, change, result, edits, shown }) => {
    const rig = useCaseRig();
    if (start) await started(rig);
    const version = change ? await changed(rig) : 0;
    expect((await rig.processor.process({ type: 'progress', scheduleId: schedule.id, version })).result).toMatch(result);
    expect(rig.primary.edits).toHaveLength(edits);
    const bookkeeping = await rig.store.edits(schedule.id);
    expect(bookkeeping.shown.primary).toBe(shown);
    expect(bookkeeping.lastEditAt).toBe(edits > 0 ? rig.clock.realNowMs() : null);
  });

  test.each([
    { kind: 'unavailable', error: MastodonUnavailableError },
    { kind: 'rate-limited', error: MastodonRateLimitedError },
    { kind: 'rejected', error: MastodonRejectedError },
  ] as { kind: FailureKind; error: new (...args: never[]) => Error }[])('the instance answers "$kind": the error reaches the worker, the version stays unshown', async ({ kind, error }) => {
    const rig = useCaseRig();
    await started(rig);
    const version = await changed(rig);
    rig.primary.failNext(kind);
    await expect(rig.processor.process({ type: 'progress', scheduleId: schedule.id, version })).rejects.toBeInstanceOf(error);
    expect((await rig.store.edits(schedule.id)).shown.primary).toBe(0);
    // The retry shows it.
    expect((await rig.processor.process({ type: 'progress', scheduleId: schedule.id, version })).result).toMatch(/edited to version 1/);
  });

  test('the primary down: the fallback account shows the state meanwhile', async () => {
    const rig = useCaseRig({ fallback: true });
    rig.primary.failNext('unavailable');
    await expect(rig.processor.process(tootJob(schedule, 'start', 'start', null, schedule.window.start))).rejects.toBeInstanceOf(MastodonUnavailableError);
    expect(rig.fallback!.posts).toHaveLength(1);
    const version = await changed(rig);
    expect((await rig.processor.process({ type: 'progress', scheduleId: schedule.id, version })).result).toMatch(/no progress toot yet/);
    expect(rig.fallback!.edits).toHaveLength(1);
    expect((await rig.store.edits(schedule.id)).shown).toEqual({ primary: null, fallback: 1 });
  });

  test('another worker holds the edit lock: this one waits a second (NotDueYetError), editing nothing', async () => {
    const rig = useCaseRig();
    await started(rig);
    const version = await changed(rig);
    await rig.store.withLock(schedule.id, 'progress', 5000, async () => {
      await expect(rig.processor.process({ type: 'progress', scheduleId: schedule.id, version })).rejects.toBeInstanceOf(NotDueYetError);
    });
    expect(rig.primary.edits).toEqual([]);
  });
});

describe('the deadline', () => {
  const deadlineJob = { type: 'deadline' as const, scheduleId: schedule.id, deadline: schedule.window.deadline.toISO()! };

  test.each([
    { name: 'before it: waits until then', before: 0, phase: 'running' as const, allDone: false, result: null, phaseAfter: 'running' },
    { name: 'open tasks at it: backs out and queues the back-out toot', before: 1, phase: 'running' as const, allDone: false, result: /backing out/, phaseAfter: 'backout' },
    { name: 'all tasks finished in time: nothing', before: 1, phase: 'running' as const, allDone: true, result: /all tasks finished/, phaseAfter: 'running' },
    { name: 'never started: nothing to back out of', before: 1, phase: 'announced' as const, allDone: false, result: /nothing to do/, phaseAfter: 'announced' },
  ])('$name', async ({ before, phase, allDone, result, phaseAfter }) => {
    const rig = useCaseRig();
    if (phase === 'running') await rig.store.transition(schedule.id, 'running', ['announced']);
    if (allDone) for (const task of schedule.tasks) await rig.store.setTask(schedule.id, { taskId: task.id, status: 'done', at: rig.clock.now().toISO()!, note: null });
    if (before) rig.clock.advance(schedule.window.deadline.toMillis() - rig.clock.now().toMillis());
    const run = rig.processor.process(deadlineJob);
    if (result) expect((await run).result).toMatch(result);
    else await expect(run).rejects.toBeInstanceOf(NotDueYetError);
    expect((await rig.store.progress(schedule)).phase).toBe(phaseAfter);
    const backout = (await rig.jobs.pending(schedule.id)).filter((j) => j.data.type === 'toot' && j.data.kind === 'backout');
    expect(backout).toHaveLength(phaseAfter === 'backout' ? 1 : 0);
  });
});
