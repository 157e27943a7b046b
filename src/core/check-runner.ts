import { DateTime } from 'luxon';
import type { Logger } from './ports/logger.ts';
import type { Clock } from './ports/clock.ts';
import { HeroldError } from '../errors.ts';
import type { Operations } from './operations.ts';
import { stamp } from '../schedule/toot-ids.ts';
import type { Progress } from '../schedule/progress.ts';
import type { Schedule, Task } from '../schedule/schedule.ts';
import type { StateStore } from './ports/state-store.ts';
import type { CheckSpec } from '../schedule/check-spec.ts';
import { emptyRecord, type CheckRecord } from '../checks/check-record.ts';
import type { CheckResults } from './ports/check-results.ts';
import type { CheckRoute } from '../checks/check-route.ts';
import { nextStreak } from '../checks/check-streak.ts';
import type { CheckJob, CheckJobSink } from '../checks/check-job.ts';
import { decide, type CheckDecision } from '../checks/decide.ts';
import { checkTarget, probe } from '../checks/probe.ts';

export interface CheckRunnerDeps {
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly store: StateStore;
  readonly checks: CheckResults;
  readonly operations: Operations;
  readonly jobs: CheckJobSink;
  readonly clock: Clock;
  readonly log?: Logger;
  readonly route?: CheckRoute;
  /** Never run a check more often than this (real ms); a rehearsal's fast clock would otherwise ask for a run every few ms. Default 0. */
  readonly minIntervalMs?: number;
}

const FINAL = ['complete', 'backout', 'cancelled'];

/** Another worker holds the check's lock; the run is retried (an outcome for BullMQ's retry, not a fault). */
export class CheckBusyError extends HeroldError {
  override name = 'CheckBusyError';
}
const NOT_ROUTED = 'Nicht ausgeführt: Herold spricht mit einem Mastodon auf diesem Rechner, und diese Prüfung würde nach außen gehen.';

/**
 * Runs a task's check once, records the result, lets the verdict act on the
 * task through Operations (so coalescing, milestones and exactly-once stay
 * as they are for an operator's change), and schedules the next run.
 */
export class CheckRunner {
  constructor(private readonly deps: CheckRunnerDeps) {}

  /** Starts each check's chain of runs if none is queued; the first run is due at window.start. */
  async ensure(schedule: Schedule): Promise<number> {
    const { jobs, checks, clock } = this.deps;
    const progress = await this.deps.store.progress(schedule);
    if (FINAL.includes(progress.phase)) return 0;
    const start = stamp(schedule.window.start);
    let added = 0;
    for (const task of schedule.tasks) {
      if (!task.check) continue;
      const record = await checks.get(schedule.id, task.id);
      if (record?.stopped) continue;
      if (this.deps.route && !this.deps.route(schedule, task, task.check)) {
        await checks.save(schedule.id, { ...emptyRecord(task.id, task.check.kind, checkTarget(task.check)), stopped: NOT_ROUTED });
        continue;
      }
      const pending = await jobs.pending(schedule.id, task.id);
      for (const p of pending) if (p.job.start !== start) await jobs.remove(p.id);
      const current = pending.filter((p) => p.job.start === start);
      const delayMs = Math.max(0, clock.realDelayMs(schedule.window.start.toMillis() - clock.now().toMillis()));
      // Not run yet and due at another time (the clock moved, as a rehearsal's does after boot): move it.
      const misplaced = !record && current.length === 1 && current[0]!.state === 'delayed' && Math.abs(current[0]!.dueAt - (clock.realNowMs() + delayMs)) > 1000;
      if (misplaced) await jobs.remove(current[0]!.id);
      else if (current.length > 0) continue;
      await jobs.add({ scheduleId: schedule.id, taskId: task.id, start, seq: (record?.seq ?? -1) + 1 }, delayMs);
      added += 1;
    }
    return added;
  }

  async run(job: CheckJob): Promise<string> {
    const schedule = this.deps.schedules.get(job.scheduleId);
    const task = schedule?.tasks.find((t) => t.id === job.taskId);
    if (!schedule || !task?.check) return 'no such check (schedule changed)';
    if (job.start !== stamp(schedule.window.start)) return 'stale: the window has moved';
    const spec = this.deps.route ? this.deps.route(schedule, task, task.check) : task.check;
    if (!spec) {
      await this.deps.checks.save(schedule.id, { ...emptyRecord(task.id, task.check.kind, checkTarget(task.check)), stopped: NOT_ROUTED });
      return 'not routed';
    }
    const lockMs = spec.timeout.toMillis() * 2 + 10_000;
    const outcome = await this.deps.store.withLock(schedule.id, `check-${task.id}`, lockMs, () => this.runLocked(job, schedule, task, spec));
    // Busy: a copy of this run (handed over after a stall) is still going. Fail, so BullMQ tries again
    // shortly; returning would end the chain if the other copy dies too.
    if (outcome === undefined) throw new CheckBusyError(`The check of ${schedule.id}/${task.id} is running elsewhere; this run is tried again.`);
    return outcome;
  }

  private async runLocked(job: CheckJob, schedule: Schedule, task: Task, spec: CheckSpec): Promise<string> {
    const { store, checks, clock, operations, log } = this.deps;
    const before = await checks.get(schedule.id, task.id);
    const record = before ?? emptyRecord(task.id, spec.kind, checkTarget(spec));
    const situation = (progress: Progress, passing: boolean | null, acted = record.acted) => ({
      now: clock.now(),
      windowStart: schedule.window.start,
      phase: progress.phase,
      task: progress.tasks[task.id]!,
      confirm: spec.confirm,
      passing,
      acted: acted ? { action: acted.action, at: DateTime.fromISO(acted.at, { zone: schedule.timezone }) } : null,
    });

    const progress = await store.progress(schedule);
    const pre = decide(situation(progress, record.streak.passing));
    if (pre.action === 'wait') {
      await this.next(job, schedule.window.start.toMillis() - clock.now().toMillis());
      return 'waiting for window.start';
    }
    if (pre.action === 'stop' && !this.keepWatching(spec, record, progress)) {
      await checks.save(schedule.id, { ...record, seq: job.seq, stopped: pre.reason });
      return `stopped: ${pre.reason}`;
    }

    const result = await probe(spec);
    const at = clock.now().toISO()!;
    const { streak, turned } = nextStreak(record.streak, result.ok, spec.passes, at);
    const seenNow = result.resolvers?.some((r) => r.sees) ?? false;
    const after = await store.progress(schedule);
    const decision: CheckDecision = decide(situation(after, streak.passing));
    const saved: CheckRecord = {
      ...record,
      checkedAt: at,
      ok: result.ok,
      summary: result.summary,
      streak,
      resolvers: result.resolvers ?? null,
      firstSeenAt: record.firstSeenAt ?? (seenNow ? at : null),
      seq: job.seq,
    };
    const stop = decision.action === 'stop' && !this.keepWatching(spec, saved, after);
    // What was seen is stored before it acts, so whoever reads a ready or done task finds the verdict behind it.
    await checks.save(schedule.id, stop && decision.action === 'stop' ? { ...saved, stopped: decision.reason } : saved, turned ? { at, passing: streak.passing!, summary: result.summary } : undefined);
    if (decision.action === 'done' || decision.action === 'ready') {
      if (decision.action === 'done') {
        // Through the operator's path: coalesced edit, milestone, completion, exactly once. A crash before
        // the next line re-runs the check, which then finds the task done and stops.
        await operations.taskChange(schedule.id, task.id, 'done', null);
        log?.info({ schedule: schedule.id, task: task.id, seen: result.summary }, `Check confirmed task ${task.id}: ${result.summary}.`);
      } else {
        await operations.taskReady(schedule.id, task.id, result.summary);
      }
      await checks.save(schedule.id, { ...saved, acted: { action: decision.action, at: clock.now().toISO()! } });
    }
    if (!stop) await this.next(job, spec.every.toMillis());
    return `${result.ok ? 'pass' : 'fail'}: ${result.summary}; ${decision.action}`;
  }

  /** A DNS check keeps reporting the propagation after its task is done, until every resolver sees the change or the window is over. */
  private keepWatching(spec: CheckSpec, record: CheckRecord, progress: Progress): boolean {
    if (spec.kind !== 'dns' || FINAL.includes(progress.phase)) return false;
    return !record.resolvers || record.resolvers.some((r) => !r.sees);
  }

  private async next(job: CheckJob, virtualMs: number): Promise<void> {
    const delayMs = Math.max(this.deps.minIntervalMs ?? 0, this.deps.clock.realDelayMs(virtualMs));
    await this.deps.jobs.add({ ...job, seq: job.seq + 1 }, delayMs);
  }
}
