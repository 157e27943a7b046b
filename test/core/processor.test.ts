/** The Processor on in-memory adapters: every phase of the progress edit and every failure kind. Runs in milliseconds. */
import { describe, expect, test } from 'vitest';
import type { JobOutcome } from '../../src/core/job-outcome.ts';
import { jobId, tootJob, type HeroldJob } from '../../src/core/jobs.ts';
import { orderWaitMs } from '../../src/core/posting-order.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { DateTime } from 'luxon';
import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError } from '../../src/errors.ts';
import { postKey, reminderTootId } from '../../src/schedule/toot-ids.ts';
import { schedule, useCaseRig } from './use-case-rig.ts';
import type { FailureKind } from './memory-account.ts';

type Rig = ReturnType<typeof useCaseRig>;

/** The result of a job that is done; fails the test on a wait or a retry. */
async function resultOf(outcome: Promise<JobOutcome>): Promise<string> {
  const settled = await outcome;
  expect(settled.kind).toBe('done');
  return settled.kind === 'done' ? settled.result : '';
}

async function started(rig: Rig) {
  const start = tootJob(schedule, 'start', 'start', null, schedule.window.start);
  expect(await resultOf(rig.processor.process(start))).toMatch(/^posted /);
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
    expect(await resultOf(rig.processor.process(tootJob(schedule, 'start', 'start', null, schedule.window.start)))).toMatch(/^already posted/);
    expect(rig.primary.posts).toHaveLength(1);
  });

  test('before its time it waits (a wait outcome with the time left), posting nothing', async () => {
    const rig = useCaseRig();
    const early = tootJob(schedule, 'start', 'start', null, rig.clock.now().plus({ minutes: 5 }));
    expect(await rig.processor.process(early)).toMatchObject({ kind: 'wait', dueInMs: 300_000 });
    expect(rig.primary.posts).toEqual([]);
  });

  test('a milestone before the start toot exists waits for it, and says so', async () => {
    const rig = useCaseRig();
    await rig.store.transition(schedule.id, 'running', ['announced']);
    const task = schedule.tasks.find((t) => t.milestone !== null)!;
    await rig.store.setTask(schedule.id, { taskId: task.id, status: 'done', at: rig.clock.now().toISO()!, note: null });
    const milestone = tootJob(schedule, 'milestone', `milestone-${task.id}`, task.id, rig.clock.now());
    expect(await rig.processor.process(milestone)).toEqual({ kind: 'retry', reason: expect.stringMatching(/waits for the progress toot/) });
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
    expect(await resultOf(rig.processor.process({ type: 'progress', scheduleId: schedule.id, version }))).toMatch(result);
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
    expect(await resultOf(rig.processor.process({ type: 'progress', scheduleId: schedule.id, version }))).toMatch(/edited to version 1/);
  });

  test('the primary down: the fallback account shows the state meanwhile', async () => {
    const rig = useCaseRig({ fallback: true });
    rig.primary.failNext('unavailable');
    await expect(rig.processor.process(tootJob(schedule, 'start', 'start', null, schedule.window.start))).rejects.toBeInstanceOf(MastodonUnavailableError);
    expect(rig.fallback!.posts).toHaveLength(1);
    const version = await changed(rig);
    expect(await resultOf(rig.processor.process({ type: 'progress', scheduleId: schedule.id, version }))).toMatch(/no progress toot yet/);
    expect(rig.fallback!.edits).toHaveLength(1);
    expect((await rig.store.edits(schedule.id)).shown).toEqual({ primary: null, fallback: 1 });
  });

  test('the primary may still commit an earlier POST of the start: the job waits until it settles, posting on neither account (as before outcomes)', async () => {
    const rig = useCaseRig({ fallback: true });
    await rig.attempts.begin(postKey(schedule, 'start', 'primary'), 'Die Wartung beginnt.', rig.clock.realNowMs(), rig.clock.realNowMs() + 2000);
    expect(await rig.processor.process(tootJob(schedule, 'start', 'start', null, schedule.window.start))).toMatchObject({ kind: 'wait', untilMs: rig.clock.realNowMs() + 2000 });
    expect(rig.primary.posts).toEqual([]);
    expect(rig.fallback!.posts).toHaveLength(0);
    // Past the settle time, an empty lookup is trusted: posted on the primary once.
    rig.clock.advance(2000);
    expect(await resultOf(rig.processor.process(tootJob(schedule, 'start', 'start', null, schedule.window.start)))).toMatch(/^posted /);
    expect(rig.primary.posts).toHaveLength(1);
  });

  test('another worker holds the edit lock: this one waits a second, editing nothing', async () => {
    const rig = useCaseRig();
    await started(rig);
    const version = await changed(rig);
    await rig.store.withLock(schedule.id, 'progress', 5000, async () => {
      expect(await rig.processor.process({ type: 'progress', scheduleId: schedule.id, version })).toMatchObject({ kind: 'wait', dueInMs: 1000 });
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
    const outcome = await rig.processor.process(deadlineJob);
    if (result) expect(outcome).toEqual({ kind: 'done', result: expect.stringMatching(result) });
    else expect(outcome).toMatchObject({ kind: 'wait', dueInMs: schedule.window.deadline.toMillis() - rig.clock.now().toMillis() });
    expect((await rig.store.progress(schedule)).phase).toBe(phaseAfter);
    const backout = (await rig.jobs.pending(schedule.id)).filter((j) => j.data.type === 'toot' && j.data.kind === 'backout');
    expect(backout).toHaveLength(phaseAfter === 'backout' ? 1 : 0);
  });
});

describe('every outcome, and how the queue takes it', () => {
  const startJob = () => tootJob(schedule, 'start', 'start', null, schedule.window.start);
  const startKey = postKey(schedule, 'start', 'primary');
  /** A task with a milestone reported done; its milestone job. */
  const doneMilestone = async (rig: Rig) => {
    const task = schedule.tasks.find((t) => t.milestone !== null)!;
    await rig.store.setTask(schedule.id, { taskId: task.id, status: 'done', at: rig.clock.now().toISO()!, note: null });
    return tootJob(schedule, 'milestone', `milestone-${task.id}`, task.id, rig.clock.now());
  };
  /** A milestone whose start toot is not there yet: retried after the back-off, logged as a warning. */
  const waitsForItsThread = {
    outcome: { kind: 'retry', reason: expect.stringMatching(/waits for the progress toot to be posted first/) },
    queued: /: retry in 250 ms$/,
    logged: { level: 'warn', message: /waits for the progress toot to be posted first/ },
    dueAgainInMs: 250,
  } as const;
  /** Each row sets the scene and returns the job; `lockHeld` runs it while another worker edits. */
  const rows: {
    name: string;
    arrange: (rig: Rig) => Promise<HeroldJob>;
    lockHeld?: boolean;
    outcome: { kind: JobOutcome['kind'] } & Record<string, unknown>;
    queued: RegExp;
    logged: { level: string; message: RegExp };
    /** Real ms after which the job is due again; null: it is done. */
    dueAgainInMs: number | null;
  }[] = [
    {
      name: 'not due yet: waits the time left, no attempt used',
      arrange: async (rig) => tootJob(schedule, 'start', 'start', null, rig.clock.now().plus({ minutes: 5 })),
      outcome: { kind: 'wait', dueInMs: 300_000, logLevel: 'info' },
      queued: /: wait 300000 ms$/,
      logged: { level: 'info', message: /is due at .*; it waits until then/ },
      dueAgainInMs: 300_000,
    },
    {
      name: 'lock busy: waits a second, no attempt used',
      arrange: async (rig) => {
        await started(rig);
        return { type: 'progress', scheduleId: schedule.id, version: await changed(rig) };
      },
      lockHeld: true,
      outcome: { kind: 'wait', dueInMs: 1000, logLevel: 'info' },
      queued: /: wait 1000 ms$/,
      logged: { level: 'info', message: /Another worker is editing the progress toot/ },
      dueAgainInMs: 1000,
    },
    {
      name: 'not posted yet (a milestone before the start toot): retries after the back-off',
      arrange: async (rig) => {
        await rig.store.transition(schedule.id, 'running', ['announced']);
        return doneMilestone(rig);
      },
      ...waitsForItsThread,
    },
    {
      name: 'a task done before the start job opened the window: the milestone retries (not skipped) until its thread is there',
      arrange: doneMilestone,
      ...waitsForItsThread,
    },
    {
      name: 'an earlier attempt may still commit: waits until it no longer can, posting nothing',
      arrange: async (rig) => {
        await rig.attempts.begin(startKey, 'Die Wartung beginnt.', rig.clock.realNowMs() - 500, rig.clock.realNowMs() + 2000);
        return startJob();
      },
      outcome: { kind: 'wait', untilMs: 1_700_000_002_000, logLevel: 'warn' },
      queued: /: wait 2000 ms$/,
      logged: { level: 'warn', message: /may still be committed by the instance; Herold looks again after/ },
      dueAgainInMs: 2000,
    },
    {
      name: 'claimed by another toot a moment ago: retries after the back-off, posting nothing',
      arrange: async (rig) => {
        const other = await rig.primary.post({ text: 'Die Wartung beginnt.', visibility: 'public', language: 'de', inReplyToId: null, idempotencyKey: 'herold.other' });
        await rig.attempts.claim(other.id, 'herold.other');
        await rig.attempts.begin(startKey, 'Die Wartung beginnt.', rig.clock.realNowMs() - 500, rig.clock.realNowMs() - 100);
        return startJob();
      },
      outcome: { kind: 'retry', reason: expect.stringMatching(/claimed by another toot a moment ago/) },
      queued: /: retry in 250 ms$/,
      logged: { level: 'warn', message: /claimed by another toot a moment ago/ },
      dueAgainInMs: 250,
    },
    {
      name: 'done: posted, and the job is gone from the queue',
      arrange: async () => startJob(),
      outcome: { kind: 'done', result: expect.stringMatching(/^posted /) },
      queued: /: posted \d+$/,
      logged: { level: 'debug', message: /^job done$/ },
      dueAgainInMs: null,
    },
  ];

  test.each(rows)('$name', async ({ arrange, lockHeld, outcome, queued, logged, dueAgainInMs }) => {
    // The processor's answer itself.
    const direct = useCaseRig();
    const job = await arrange(direct);
    const postsBefore = direct.primary.posts.length;
    const run = () => direct.processor.process(job);
    expect(await (lockHeld ? direct.store.withLock(schedule.id, 'progress', 5000, run) : run())).toMatchObject(outcome);
    if (outcome.kind !== 'done') expect(direct.primary.posts).toHaveLength(postsBefore);

    // The same scene run by the memory queue, mapped as the worker maps it.
    const rig = useCaseRig();
    const queuedJob = await arrange(rig);
    await rig.jobs.add(queuedJob);
    const id = (await rig.jobs.pending(schedule.id)).find((pending) => pending.data === queuedJob)!.id;
    const results = lockHeld ? await rig.store.withLock(schedule.id, 'progress', 5000, () => rig.runDue()) : await rig.runDue();
    expect(results!.find((line) => line.startsWith(`${id}: `))).toMatch(queued);
    expect(rig.log).toContainEqual({ level: logged.level, message: expect.stringMatching(logged.message) });
    const again = (await rig.jobs.pending(schedule.id)).find((pending) => pending.id === id);
    if (dueAgainInMs === null) expect(again).toBeUndefined();
    else expect(again?.dueAt).toBe(rig.clock.realNowMs() + dueAgainInMs);
  });

  test('a retry backs off further with each attempt; a wait uses none', async () => {
    const rig = useCaseRig();
    const job = await rows[2]!.arrange(rig);
    await rig.jobs.add(job);
    const delays: string[] = [];
    for (const step of [0, 250, 500]) {
      rig.clock.advance(step);
      delays.push(...(await rig.runDue()));
    }
    expect(delays.map((line) => line.replace(/^.*: /, ''))).toEqual(['retry in 250 ms', 'retry in 500 ms', 'retry in 1000 ms']);
    expect(rig.log.filter((line) => line.level === 'warn')).toHaveLength(3);
  });
});

describe('announcements and reminders due at once go out in their planned order', () => {
  // The seed's two announcements ten minutes apart, both overdue at 18:30 (Herold started late, or the
  // instance was down when they were due); the rig's grace period is an hour.
  const at = (time: string) => DateTime.fromISO(`2023-02-06T${time}`, { zone: schedule.timezone });
  const [move, date] = schedule.announcements;
  const close = (moveAt: DateTime, dateAt: DateTime): Schedule => ({ ...schedule, announcements: [{ ...move!, at: moveAt }, { ...date!, at: dateAt }] });
  const job = (s: Schedule, index: 0 | 1) => tootJob(s, 'announcement', s.announcements[index]!.id, s.announcements[index]!.id, s.announcements[index]!.at);
  const texts = (rig: Rig) => rig.primary.posts.map((p) => p.idempotencyKey);

  test('the later one, run first, waits for the earlier one; once that is posted it goes out', async () => {
    const s = close(at('18:00'), at('18:10'));
    const rig = useCaseRig({ schedule: s, now: at('18:30') });
    expect(await rig.processor.process(job(s, 1))).toEqual({ kind: 'wait', dueInMs: 5000, logLevel: 'debug', reason: `The announcement toot ${date!.id} waits for ${move!.id}, planned before it, to go out first.` });
    expect(rig.primary.posts).toEqual([]);
    expect(await resultOf(rig.processor.process(job(s, 0)))).toMatch(/^posted /);
    expect(await resultOf(rig.processor.process(job(s, 1)))).toMatch(/^posted /);
    expect(texts(rig)).toEqual([postKey(s, move!.id), postKey(s, date!.id)]);
  });

  test('through the queue: added in the wrong order, posted in the right one, the later a wait later', async () => {
    const s = close(at('18:00'), at('18:00'));
    const rig = useCaseRig({ schedule: s, now: at('18:30') });
    await rig.jobs.add(job(s, 1));
    await rig.jobs.add(job(s, 0));
    // Planned at the same minute: the schedule's order decides.
    expect(await rig.runDue()).toEqual([`toot.${s.id}.${date!.id}: wait 5000 ms`, expect.stringMatching(new RegExp(`^toot\\.${s.id}\\.${move!.id}: posted `))]);
    rig.clock.advance(5000);
    expect(await rig.runDue()).toEqual([expect.stringMatching(new RegExp(`^toot\\.${s.id}\\.${date!.id}: posted `))]);
    expect(texts(rig)).toEqual([postKey(s, move!.id), postKey(s, date!.id)]);
  });

  test.each([
    ['skipped', async (rig: Rig, s: Schedule) => rig.store.recordPosted(s.id, move!.id, { statusId: null, url: null, at: at('18:20').toISO()!, account: 'primary', skipped: 'test' })],
    ['failed for good', async (rig: Rig, s: Schedule) => rig.store.recordFailure(s.id, { tootId: jobId(job(s, 0)), at: at('18:20').toISO()!, message: 'rejected' })],
  ] as const)('an earlier one %s holds nothing up', async (_, settle) => {
    const s = close(at('18:00'), at('18:10'));
    const rig = useCaseRig({ schedule: s, now: at('18:30') });
    await settle(rig, s);
    expect(await resultOf(rig.processor.process(job(s, 1)))).toMatch(/^posted /);
    expect(texts(rig)).toEqual([postKey(s, date!.id)]);
  });

  test("an earlier one whose POST went out with the answer still open holds nothing up: the instance has it first, if at all", async () => {
    const s = close(at('18:00'), at('18:10'));
    const rig = useCaseRig({ schedule: s, now: at('18:30') });
    await rig.attempts.begin(postKey(s, move!.id), 'Wir ziehen um', rig.clock.realNowMs(), rig.clock.realNowMs() + 30_000);
    expect(await resultOf(rig.processor.process(job(s, 1)))).toMatch(/^posted /);
    expect(texts(rig)).toEqual([postKey(s, date!.id)]);
  });

  test('an earlier one past its grace period is not waited for (it is skipped when it runs)', async () => {
    const s = close(at('17:20'), at('18:00'));
    const rig = useCaseRig({ schedule: s, now: at('18:30') });
    expect(await resultOf(rig.processor.process(job(s, 1)))).toMatch(/^posted /);
    expect(await resultOf(rig.processor.process(job(s, 0)))).toMatch(/^skipped: 70 min late/);
    expect(texts(rig)).toEqual([postKey(s, date!.id)]);
  });

  test('a toot in the last minute of its own grace period waits for nothing: it is never lost for the order', async () => {
    const s = close(at('18:00'), at('18:00'));
    const rig = useCaseRig({ schedule: s, now: at('18:59:30') });
    expect(await resultOf(rig.processor.process(job(s, 1)))).toMatch(/^posted /);
  });

  test('the wait is a tenth of how late the toot is, from 250 ms just after it fell due to 5 s after a long outage', () => {
    const s = close(at('18:00'), at('18:10'));
    expect([at('18:10'), at('18:10:01'), at('18:10:10'), at('18:10:40'), at('18:40')].map((now) => orderWaitMs({ at: s.announcements[1]!.at.toISO()! }, now))).toEqual([250, 250, 1000, 4000, 5000]);
  });

  test('the start toot waits for no reminder: one still unposted at the start is skipped when it runs', async () => {
    const start = schedule.window.start;
    const s: Schedule = { ...schedule, reminders: [{ ...schedule.reminders[1]!, at: start.minus({ minutes: 5 }) }] };
    const rig = useCaseRig({ schedule: s, now: start.plus({ minutes: 1 }) });
    expect(await resultOf(rig.processor.process(tootJob(s, 'start', 'start', null, start)))).toMatch(/^posted /);
    const reminder = tootJob(s, 'reminder', reminderTootId(s.reminders[0]!.id, start), s.reminders[0]!.id, s.reminders[0]!.at);
    expect(await resultOf(rig.processor.process(reminder))).toMatch(/^skipped: the maintenance had already started/);
  });
});
