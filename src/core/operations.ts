import type { DateTime } from 'luxon';
import type { Logger } from './ports/logger.ts';
import { EarlierDeadlineError, NotFoundError, UsageError } from '../errors.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { BucketReport } from './rate-budget.ts';
import { jobId } from './jobs.ts';
import type { JobSink, PendingJob } from './ports/job-queue.ts';
import { tootJob } from './jobs.ts';
import { correctionTootId, dateChangedTootId, deadlineMovedTootId, milestoneTootId, postKeyPrefix } from '../schedule/toot-ids.ts';
import { parseScheduleTime } from '../schedule/local-time.ts';
import { deadlineExamples, parseDeadlineInput } from '../schedule/deadline-input.ts';
import { didYouMean } from '../schedule/closest-id.ts';
import { parseTaskStatus, TASK_STATUS_WORDS } from '../schedule/task-status-input.ts';
import { allFinished, type Phase, type TaskStatus } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { PostAttempt, PostAttempts } from './ports/post-attempts.ts';
import type { FailureRecord, PostedToot, StateStore, TaskEvent } from './ports/state-store.ts';
import { planJobs } from './plan-jobs.ts';
import { editDueAt, isNewSlot } from './progress-edits.ts';
import type { CheckRecord } from '../checks/check-record.ts';
import type { CheckResults } from './ports/check-results.ts';
import { shownStatus, type ShownStatus } from '../checks/shown-status.ts';

/** Phases after the outcome: task changes are refused. */
const FINISHED_PHASES = ['complete', 'backout', 'cancelled'] as const;

export interface OperationsDeps {
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly store: StateStore;
  readonly jobs: JobSink;
  readonly now: () => DateTime;
  /** Task changes within this window become one edit. */
  readonly coalesceMs: number;
  readonly log?: Logger;
  /** Converts planned times into BullMQ delays; default: real time (a rehearsal's clock runs faster). */
  readonly clock?: Clock;
  /** Task checks' results, for `status`; absent where nothing runs checks. */
  readonly checks?: CheckResults;
  /** The primary account's rate budget: widens the coalescing as the statuses budget shrinks, and is shown in status. */
  readonly rateBudget?: RateBudgetView;
  /** "Maybe posted" markers (src/adapters/redis/post-attempts.ts), for `status`. */
  readonly attempts?: Pick<PostAttempts, 'all'>;
}

/** A POST whose answer Herold has not seen yet: it looks on the instance before posting that toot again. */
export interface UnconfirmedPost {
  readonly key: string;
  /** Epoch ms of the first attempt. */
  readonly firstAt: number;
  /** Until then (epoch ms) the instance may still commit it; an empty lookup is trusted only after. */
  readonly settleAt: number;
}

export interface RateBudgetView {
  report(): Promise<BucketReport[]>;
  /** The coalescing interval now, in real ms, given its floor. */
  editIntervalMs(floorMs: number): Promise<number>;
}

export interface UpsertResult {
  readonly added: number;
  readonly moved: number;
  readonly removed: number;
  readonly dateChanged: boolean;
}

export interface StatusReport {
  readonly schedule: Schedule;
  readonly phase: Phase;
  readonly deadline: DateTime;
  readonly tasks: {
    id: string;
    title: string;
    at: DateTime | null;
    /** "ready": a check saw it done and waits for the operator to confirm. */
    status: ShownStatus;
    changedAt: DateTime | null;
    note: string | null;
    /** The task's check and its last result; null for a task without a check. */
    check: CheckRecord | null;
  }[];
  readonly posted: (PostedToot & { tootId: string })[];
  readonly pending: PendingJob[];
  readonly failures: FailureRecord[];
  readonly events: TaskEvent[];
  /** The primary account's rate budget per bucket; empty where it is not known. */
  readonly budgets: BucketReport[];
  /** POSTs whose outcome is not known yet, oldest first. */
  readonly unconfirmed: UnconfirmedPost[];
}

/**
 * What operators and the scheduler do to a maintenance: upsert its jobs,
 * record task changes, extend the deadline, declare the outcome. The CLI and
 * the webhook both call these, so both behave the same.
 */
export class Operations {
  constructor(private readonly deps: OperationsDeps) {}

  /** Real milliseconds until `virtualMs` have passed on the schedule's clock. */
  private realDelay(virtualMs: number): number {
    return this.deps.clock ? this.deps.clock.realDelayMs(virtualMs) : virtualMs;
  }

  schedule(scheduleId: string): Schedule {
    const schedule = this.deps.schedules.get(scheduleId);
    if (!schedule) {
      const ids = [...this.deps.schedules.keys()];
      throw new NotFoundError(`There is no schedule "${scheduleId}".${didYouMean(scheduleId, ids)} Known schedules: ${ids.join(', ') || 'none'}.`);
    }
    return schedule;
  }

  /** Brings the queue in line with the schedule file: new, moved and dropped jobs, and a date-changed toot. */
  async upsert(schedule: Schedule): Promise<UpsertResult> {
    const { store, jobs, now } = this.deps;
    const progress = await store.progress(schedule);
    const pending = await jobs.pending(schedule.id);
    if (progress.phase === 'cancelled') {
      let removed = 0;
      for (const job of pending) if (job.data.type !== 'reply' && (await jobs.remove(job.id))) removed += 1;
      return { added: 0, moved: 0, removed, dateChanged: false };
    }
    if (progress.phase === 'announced' && now() >= progress.deadline) {
      this.deps.log?.warn({ schedule: schedule.id }, `The window of ${schedule.id} is over and was never opened; nothing is scheduled.`);
      return { added: 0, moved: 0, removed: 0, dateChanged: false };
    }
    const planned = planJobs(schedule, progress.deadline);
    const wanted = new Set(planned.map((p) => jobId(p.job)));
    let added = 0;
    let moved = 0;
    let removed = 0;
    for (const { job, at } of planned) {
      const existing = pending.find((p) => p.id === jobId(job));
      if (existing && Math.abs(existing.dueAt - at.toMillis()) < 1000) continue;
      if (existing) {
        await jobs.remove(existing.id);
        moved += 1;
      } else {
        added += 1;
      }
      await jobs.add(job, { delayMs: this.realDelay(at.toMillis() - now().toMillis()) });
    }
    for (const job of pending) {
      const replaceable = job.data.type === 'deadline' || (job.data.type === 'toot' && ['announcement', 'reminder', 'start'].includes(job.data.kind));
      if (replaceable && !wanted.has(job.id) && (await jobs.remove(job.id))) removed += 1;
    }

    let dateChanged = false;
    const announced = await store.announcedStart(schedule.id);
    const start = schedule.window.start;
    if (announced && progress.phase === 'announced' && announced !== start.toISO()) {
      const previous = parseScheduleTime(announced, schedule.timezone);
      if (previous.ok && !previous.value.equals(start)) {
        await jobs.add(tootJob(schedule, 'date-changed', dateChangedTootId(start), null, now(), previous.value));
        dateChanged = true;
      }
    }
    this.deps.log?.info({ schedule: schedule.id, added, moved, removed, dateChanged }, 'Schedule jobs are up to date.');
    return { added, moved, removed, dateChanged };
  }

  /**
   * Records a task change; the progress toot is edited (coalesced), milestones and completion follow.
   * `status` may be German (erledigt, läuft, …). A repeated `done` keeps the first completion time unless `at` is given.
   */
  async taskChange(scheduleId: string, taskId: string, typedStatus: string, note: string | null = null, options: { at?: DateTime } = {}): Promise<{ version: number; completed: boolean; at: DateTime; status: TaskStatus }> {
    const schedule = this.schedule(scheduleId);
    const task = schedule.tasks.find((t) => t.id === taskId);
    if (!task) {
      const ids = schedule.tasks.map((t) => t.id);
      throw new NotFoundError(`Schedule "${scheduleId}" has no task "${taskId}".${didYouMean(taskId, ids)} Its tasks are: ${ids.join(', ')}.`);
    }
    const status = parseTaskStatus(typedStatus);
    if (status === null) {
      throw new UsageError(
        `"${typedStatus}" is not a task status.${didYouMean(typedStatus, TASK_STATUS_WORDS)} Use running, done, failed or skipped (or läuft, erledigt/fertig, fehlgeschlagen, übersprungen).`,
      );
    }
    if (note !== null && note.length > 200) throw new UsageError(`The note is ${note.length} characters long; keep it under 200.`);
    const { store, jobs, now } = this.deps;
    const before = (await store.progress(schedule)).tasks[task.id];
    const at = options.at ?? (status === 'done' && before?.status === 'done' && before.changedAt ? before.changedAt : now());
    const floorMs = this.realDelay(this.deps.coalesceMs);
    // Wider as the 3-hour statuses budget shrinks: every edit counts like a toot there. Read alongside the change.
    const pacing = this.deps.rateBudget ? this.deps.rateBudget.editIntervalMs(floorMs) : Promise.resolve(floorMs);
    pacing.catch(() => undefined);
    // Refused in the same step after the outcome (complete, backout, cancelled): never edited into a finished thread.
    const version = await store.setTask(schedule.id, { taskId, status, at: at.toISO()!, note }, FINISHED_PHASES);
    if (version === null) {
      const phase = (await store.progress(schedule)).phase;
      const outcome = { complete: 'declared complete', backout: 'backed out', cancelled: 'cancelled' }[phase as (typeof FINISHED_PHASES)[number]] ?? phase;
      throw new UsageError(
        `The maintenance ${scheduleId} is already ${outcome}; task changes are no longer shown, so "${taskId} ${status}" was not recorded. Tell followers in a toot of your own if something changed after the outcome.`,
      );
    }
    // Coalesced with the edits before it (src/core/progress-edits.ts).
    const nowMs = (this.deps.clock ?? systemClock).realNowMs();
    const coalesceMs = await pacing;
    const edits = await store.edits(schedule.id);
    const dueAt = editDueAt(edits, nowMs, coalesceMs);
    if (isNewSlot(edits, dueAt)) await store.planEdit(schedule.id, dueAt);
    await jobs.add({ type: 'progress', scheduleId: schedule.id, version }, { delayMs: dueAt - nowMs });
    if (status === 'done' && task.milestone !== null) {
      await jobs.add(tootJob(schedule, 'milestone', milestoneTootId(task.id), task.id, at));
    }
    // A milestone reply already said "erledigt": a failure after it is corrected in the thread, never left to stand.
    if (status === 'failed' && task.milestone !== null) {
      const milestone = await store.posted(schedule.id, milestoneTootId(task.id));
      if (milestone?.statusId) await jobs.add(tootJob(schedule, 'correction', correctionTootId(task.id), task.id, at));
    }
    let completed = false;
    if (allFinished(schedule, await store.progress(schedule)) && (await store.transition(schedule.id, 'complete', ['announced', 'running'], at))) {
      // After the last edit has had its chance, so the thread reads in order.
      // Not after a widened interval: the completion must not wait for the budget of the edits.
      await jobs.add(tootJob(schedule, 'complete', 'complete', null, at), { delayMs: floorMs });
      // The progress toot's final state ("abgeschlossen um …"), in case the edit above showed the last task running.
      await jobs.add({ type: 'progress', scheduleId: schedule.id, version: await store.version(schedule.id) }, { delayMs: floorMs });
      completed = true;
    }
    return { version, completed, at, status };
  }

  /**
   * A check saw the task done and the schedule says `confirm: ask`: the task
   * is "bereit" until the operator confirms it with `herold task … done`.
   * Nothing is posted and the progress toot is not edited.
   */
  async taskReady(scheduleId: string, taskId: string, seen: string): Promise<void> {
    const schedule = this.schedule(scheduleId);
    await this.deps.store.markReady(schedule.id, taskId, this.deps.now().toISO()!);
    this.deps.log?.warn(
      { schedule: schedule.id, task: taskId, seen },
      `Task ${taskId} looks done (${seen}). Confirm it with: herold task ${schedule.id} ${taskId} done`,
    );
  }

  /**
   * `herold window <id> extend <time>`: a new back-out deadline. `time` is `21:00` (on the window's day),
   * `+30m` (after the deadline in force) or a full local time. Moving it earlier needs `allowEarlier`.
   */
  async extend(scheduleId: string, time: string, options: { allowEarlier?: boolean } = {}): Promise<DateTime> {
    const schedule = this.schedule(scheduleId);
    const { store, jobs, now } = this.deps;
    const progress = await store.progress(schedule);
    const context = { zone: schedule.timezone, windowStart: schedule.window.start, deadline: progress.deadline };
    const parsed = parseDeadlineInput(time, context);
    if (!parsed.ok) throw new UsageError(`${parsed.problem.message} ${parsed.problem.hint}`);
    const deadline = parsed.value;
    if (progress.phase !== 'announced' && progress.phase !== 'running') {
      throw new UsageError(`The maintenance is already ${progress.phase}; there is no deadline left to extend.`);
    }
    if (deadline <= now() || deadline <= schedule.window.start) {
      throw new UsageError(`The new deadline ${deadline.toFormat('yyyy-MM-dd HH:mm')} must lie in the future and after the start. ${deadlineExamples(context)}`);
    }
    if (deadline < progress.deadline && !options.allowEarlier) {
      const requested = deadline.setZone(schedule.timezone).toFormat('dd.MM.yyyy HH:mm');
      const inForce = progress.deadline.setZone(schedule.timezone).toFormat('dd.MM.yyyy HH:mm');
      throw new EarlierDeadlineError(
        `${requested} is earlier than the deadline in force (${inForce}), which followers were told. Add --yes to move it earlier.`,
        requested,
        inForce,
      );
    }
    const version = await store.setDeadline(schedule.id, deadline);
    // The progress toot names the deadline: show the new one.
    await jobs.add({ type: 'progress', scheduleId: schedule.id, version });
    await jobs.add({ type: 'deadline', scheduleId: schedule.id, deadline: deadline.toISO()! }, { delayMs: this.realDelay(deadline.toMillis() - now().toMillis()) });
    // Once the window is open, followers hear it in the thread, not only from a silent edit.
    if (progress.phase === 'running') await jobs.add(tootJob(schedule, 'deadline-moved', deadlineMovedTootId(deadline), null, now()));
    return deadline;
  }

  /** `herold window <id> backout|complete|cancel`: the operator decides the outcome now. */
  async declare(scheduleId: string, outcome: 'backout' | 'complete' | 'cancel'): Promise<void> {
    const schedule = this.schedule(scheduleId);
    const { store, jobs, now } = this.deps;
    const phase: Phase = outcome === 'cancel' ? 'cancelled' : outcome;
    if (!(await store.transition(schedule.id, phase, ['announced', 'running'], outcome === 'cancel' ? null : now()))) {
      const current = (await store.progress(schedule)).phase;
      throw new UsageError(`The maintenance is already ${current}; it cannot become ${phase} now.`);
    }
    if (outcome === 'cancel') {
      // Questions already queued still get their answer.
      for (const job of await jobs.pending(schedule.id)) if (job.data.type !== 'reply') await jobs.remove(job.id);
      // Only worth a toot if followers heard about it.
      if ((await store.allPosted(schedule.id)).some((p) => !p.skipped)) {
        await jobs.add(tootJob(schedule, 'cancelled', 'cancelled', null, now()));
      }
      return;
    }
    await jobs.add(tootJob(schedule, outcome, outcome, null, now()));
    // The progress toot shows the outcome (a no-op while it has not been posted: the start toot renders the latest state).
    await jobs.add({ type: 'progress', scheduleId: schedule.id, version: await store.version(schedule.id) });
  }

  async status(scheduleId: string): Promise<StatusReport> {
    const schedule = this.schedule(scheduleId);
    const { store, jobs } = this.deps;
    const [progress, posted, pending, failures, events, ready, checks, budgets, attempts] = await Promise.all([
      store.progress(schedule),
      store.allPosted(schedule.id),
      jobs.pending(schedule.id),
      store.failures(schedule.id),
      store.events(schedule.id),
      store.ready(schedule.id),
      this.deps.checks?.all(schedule.id) ?? new Map<string, CheckRecord>(),
      this.deps.rateBudget?.report() ?? Promise.resolve([]),
      this.deps.attempts?.all() ?? Promise.resolve<Record<string, PostAttempt>>({}),
    ]);
    const unconfirmed = Object.entries(attempts)
      .filter(([key]) => key.startsWith(postKeyPrefix(schedule.id)))
      .map(([key, a]) => ({ key, firstAt: a.firstAt, settleAt: a.settleAt }))
      .sort((a, b) => a.firstAt - b.firstAt);
    return {
      schedule,
      phase: progress.phase,
      deadline: progress.deadline,
      tasks: schedule.tasks.map((t) => {
        const state = progress.tasks[t.id]!;
        return { id: t.id, title: t.title, at: t.at, ...state, status: shownStatus(state, ready[t.id]), check: checks.get(t.id) ?? null };
      }),
      posted,
      pending,
      failures,
      events,
      budgets,
      unconfirmed,
    };
  }
}
