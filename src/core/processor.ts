import { tootLabel } from './toot-label.ts';
import { DateTime } from 'luxon';
import type { Logger } from './ports/logger.ts';
import { MastodonRejectedError, MastodonUnavailableError, NotHandledHereError, PinLimitError } from '../errors.ts';
import { done, isNotYet, retry, waitFor, type JobNotYet, type JobOutcome } from './job-outcome.ts';
import type { MastodonAccount } from './ports/mastodon-account.ts';
import { fitEdit, fitToot } from '../render/fit-toot.ts';
import type { TemplateRenderer } from '../render/template-renderer.ts';
import { tootContext } from '../render/toot-context.ts';
import { allFinished, type Phase } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from './ports/state-store.ts';
import type { CheckResults } from './ports/check-results.ts';
import { dnsSpread } from '../checks/dns-spread.ts';
import { jobId, tootJob, type HeroldJob, type PostKind } from './jobs.ts';
import { orderWaitMs, plannedBefore } from './posting-order.ts';
import type { JobSink } from './ports/job-queue.ts';
import { postKey, threadPartId } from '../schedule/toot-ids.ts';
import { findEarlierPost, postOnce, type PostOnceOptions } from './post-once.ts';
import type { PostedStatus } from './ports/mastodon-account.ts';
import { lateTootFate } from './late-toot-fate.ts';
import { needsShowing } from './progress-edits.ts';
import { systemClock, type Clock } from './ports/clock.ts';

export interface ProcessorDeps {
  readonly schedules: ReadonlyMap<string, { schedule: Schedule; renderer: TemplateRenderer }>;
  readonly store: StateStore;
  readonly jobs: JobSink;
  readonly primary: MastodonAccount;
  readonly fallback: MastodonAccount | null;
  /** The instance's limit read at start. */
  readonly characterLimit: number;
  readonly graceMs: number;
  readonly now: () => DateTime;
  /** Real time for the edit bookkeeping; default the system clock. */
  readonly clock?: Clock;
  readonly log: Logger;
  /** "Maybe posted" markers and timing for the lookup before any repeated POST (src/core/post-once.ts). */
  readonly posting: PostOnceOptions;
  /** Sends 'reply' and 'notify' jobs (src/core/reply-processor.ts), and queues the notify DMs at the outcome. */
  readonly replies?: {
    process(job: Extract<HeroldJob, { type: 'reply' }>): Promise<JobOutcome>;
    notify(job: Extract<HeroldJob, { type: 'notify' }>): Promise<JobOutcome>;
    queueNotifications(scheduleId: string, outcome: 'complete' | 'backout'): Promise<number>;
  };
  /** Task checks' results: the milestone of a DNS task tells how far the change has spread. */
  readonly checks?: CheckResults;
}

/** A toot (or one part of it) as recorded: its status on the instance. */
type PostedRef = { readonly statusId: string | null; readonly url: string | null };

/** Life of the progress-edit lock; renewed while held, so a killed holder blocks edits for at most this long. */
const PROGRESS_LOCK_MS = 5000;

/** Kinds whose text is about the live window: mirrored to the fallback account while the primary is down. */
const MIRRORED: readonly PostKind[] = ['start', 'milestone'];
/** Kinds posted as replies in the progress toot's thread. */
const THREADED: readonly PostKind[] = ['milestone', 'complete', 'backout', 'deadline-moved', 'correction'];

/**
 * What each job does. Pure of BullMQ: it returns the job's outcome (done,
 * wait until a time, retry; src/core/job-outcome.ts) and throws Herold's
 * errors for real failures; the worker adapter maps both (unavailable →
 * retry with backoff, rate-limited → pause the queue, rejected → fail for good).
 */
export class Processor {
  constructor(private readonly deps: ProcessorDeps) {}

  async process(job: HeroldJob): Promise<JobOutcome> {
    switch (job.type) {
      case 'toot':
        return this.toot(job);
      case 'progress':
        return this.progress(job.scheduleId, job.version);
      case 'deadline':
        return this.deadline(job.scheduleId, job.deadline);
      case 'reply':
        if (!this.deps.replies) throw new NotHandledHereError('This process cannot send replies to questions.');
        return this.deps.replies.process(job);
      case 'notify':
        if (!this.deps.replies) throw new NotHandledHereError('This process cannot send replies to questions.');
        return this.deps.replies.notify(job);
    }
  }

  private entry(scheduleId: string) {
    const entry = this.deps.schedules.get(scheduleId);
    if (!entry) throw new NotHandledHereError(`No loaded schedule has the id "${scheduleId}". Start herold run with its file.`);
    return entry;
  }

  private async toot(job: Extract<HeroldJob, { type: 'toot' }>): Promise<JobOutcome> {
    const { schedule, renderer } = this.entry(job.scheduleId);
    const { store, log } = this.deps;
    let existing = await store.posted(schedule.id, job.tootId);
    if (existing?.skipped) return done(`skipped earlier: ${existing.skipped}`);

    // Runs only at or after its planned time, whoever promoted it.
    const now = this.deps.now();
    const early = DateTime.fromISO(job.at).toMillis() - now.toMillis();
    if (early > 0) return waitFor(early, `The ${job.kind} toot ${job.tootId} is due at ${job.at}; it waits until then.`);

    // A job handed back after a crash: its POST may have gone out unrecorded. Look on the server first.
    if (!existing) {
      const adopted = await this.adoptUnrecorded(schedule, job);
      if (adopted && isNotYet(adopted)) return adopted;
      existing = adopted;
    }

    // The rendered state and the version recorded for it come from one read.
    const { progress, version } = await store.snapshot(schedule);
    if (!existing) {
      // Checks for a toot not yet posted; once posted, a retry only finishes the follow-ups (pin, unpin, thread).
      const skip = lateTootFate(job, progress, now, this.deps.graceMs, schedule);
      if (skip) {
        await store.recordPosted(schedule.id, job.tootId, { statusId: null, url: null, at: now.toISO()!, account: 'primary', skipped: skip });
        log.warn({ schedule: schedule.id, toot: job.tootId, kind: job.kind }, `Skipped ${tootLabel(job.kind, job.tootId, job.ref)}: ${skip}.`);
        return done(`skipped: ${skip}`);
      }
      const overtaking = await this.earlierUnsettled(schedule, job, now);
      if (overtaking) return waitFor(orderWaitMs(job, now), `The ${job.kind} toot ${job.tootId} waits for ${overtaking}, planned before it, to go out first.`, 'debug');
      // The window is open from now on, even while the instance cannot be reached to say so.
      if (job.kind === 'start') await store.transition(schedule.id, 'running', ['announced']);
    }

    const template = this.template(schedule, job);
    const context = tootContext(schedule, progress, now, {
      entry: job.kind === 'announcement' || job.kind === 'reminder' ? { id: job.ref!, at: DateTime.fromISO(job.at) } : undefined,
      taskId: job.kind === 'milestone' || job.kind === 'correction' ? job.ref! : undefined,
      previousStart: job.previousStart ? DateTime.fromISO(job.previousStart) : undefined,
      dns: job.kind === 'milestone' && this.deps.checks ? dnsSpread(schedule, await this.deps.checks.all(schedule.id), now, job.ref!) : null,
      plannedAt: DateTime.fromISO(job.at),
      announced: (await store.announcedStart(schedule.id)) !== null,
    });
    const parts = fitToot(renderer, template, context, this.deps.characterLimit);

    let inReplyToId: string | null = null;
    if (THREADED.includes(job.kind)) {
      inReplyToId = (await store.posted(schedule.id, 'start'))?.statusId ?? null;
      if (!inReplyToId) {
        // The primary has no thread yet (it has been down since the start); the fallback may have one.
        if (this.deps.fallback && MIRRORED.includes(job.kind)) await this.mirror(schedule, job.kind, job.tootId, parts, version);
        return retry(`The ${job.kind} toot waits for the progress toot to be posted first.`);
      }
    }

    let first;
    try {
      first = await this.postThread(schedule, job.tootId, parts, inReplyToId, this.deps.primary);
    } catch (error) {
      if (error instanceof MastodonUnavailableError && this.deps.fallback && MIRRORED.includes(job.kind)) {
        await this.mirror(schedule, job.kind, job.tootId, parts, version);
      }
      throw error;
    }
    if (isNotYet(first)) {
      // Not posted yet on the primary (an earlier POST may still commit there): the fallback shows it meanwhile.
      if (this.deps.fallback && MIRRORED.includes(job.kind)) await this.mirror(schedule, job.kind, job.tootId, parts, version);
      return first;
    }
    // Logged as it happened: before the follow-ups (pin, unpin, "we're back" DMs), which log their own lines.
    if (!existing) log.info({ schedule: schedule.id, toot: job.tootId, kind: job.kind, status: first.statusId, url: first.url }, `Posted ${tootLabel(job.kind, job.tootId, job.ref)}: ${first.url ?? first.statusId}`);

    if (job.kind === 'start') {
      if (!existing) await store.recordShown(schedule.id, 'primary', version);
      // Posted late, after the outcome (the instance was down): the reply that follows unpins nothing, so don't pin.
      if (['announced', 'running'].includes((await store.progress(schedule)).phase)) await this.pinOrReport(schedule, first);
      // A task may have changed between rendering and recording: catch up with one edit. Its own job id,
      // because the change's job with this version has most likely run already ("no progress toot yet").
      const latest = await store.version(schedule.id);
      if (needsShowing(await store.edits(schedule.id), 'primary', latest)) {
        await this.deps.jobs.add({ type: 'progress', scheduleId: schedule.id, version: latest, after: 'start' });
      }
    }
    if (job.kind === 'announcement' || job.kind === 'reminder' || job.kind === 'date-changed') {
      await store.recordAnnouncedStart(schedule.id, schedule.window.start.toISO()!);
    }
    if (job.kind === 'complete' || job.kind === 'backout') {
      const start = await store.posted(schedule.id, 'start');
      if (start?.statusId && (await this.unpinQuietly(start.statusId))) {
        log.info({ schedule: schedule.id, toot: 'start', status: start.statusId, url: start.url }, `Unpinned the start toot: ${start.url ?? start.statusId}`);
      }
      // "Sag Bescheid": one DM job per follower who asked (job ids make a retry add none twice).
      const queued = await this.deps.replies?.queueNotifications(schedule.id, job.kind);
      if (queued) log.info({ schedule: schedule.id, followers: queued }, `Queued ${queued} "we're back" DMs.`);
    }
    return done(existing ? `already posted ${first.statusId}; follow-ups done` : `posted ${first.statusId}`);
  }

  /**
   * The toot id of an announcement or reminder planned before this one that has not gone out yet, or null.
   * Gone out: posted or skipped, failed for good, or its POST sent with the answer still open (a "maybe
   * posted" marker): the instance has it before anything sent now, if it has it at all, and waiting for
   * the answer could take this toot past the start of the window, where it is skipped.
   */
  private async earlierUnsettled(schedule: Schedule, job: Extract<HeroldJob, { type: 'toot' }>, now: DateTime): Promise<string | null> {
    let failures: Set<string> | undefined;
    for (const { job: earlier } of plannedBefore(schedule, job, now, this.deps.graceMs)) {
      if (earlier.type !== 'toot' || (await this.deps.store.posted(schedule.id, earlier.tootId))) continue;
      if (await this.deps.posting.attempts.get(postKey(schedule, earlier.tootId, 'primary'))) continue;
      failures ??= new Set((await this.deps.store.failures(schedule.id)).map((f) => f.tootId));
      if (!failures.has(jobId(earlier))) return earlier.tootId;
    }
    return null;
  }

  private template(schedule: Schedule, job: Extract<HeroldJob, { type: 'toot' }>): string {
    if (job.kind === 'announcement') return schedule.announcements.find((a) => a.id === job.ref)!.template;
    if (job.kind === 'reminder') return schedule.reminders.find((r) => r.id === job.ref)!.template;
    return schedule.templates[job.kind];
  }

  /**
   * Posts the parts as a thread, each part exactly once (src/core/post-once.ts
   * says how, and which windows remain): a part whose earlier POST went
   * unanswered is looked for on the server and adopted before anything is
   * posted again; its status id is recorded before the marker is dropped.
   * Returns the first part, or what keeps a part from being posted yet.
   */
  private async postThread(schedule: Schedule, tootId: string, parts: string[], inReplyToId: string | null, account: MastodonAccount): Promise<PostedRef | JobNotYet> {
    const { store } = this.deps;
    let replyTo = inReplyToId;
    let first: PostedRef | null = null;
    for (const [index, text] of parts.entries()) {
      const partId = threadPartId(tootId, index);
      let posted = await store.posted(schedule.id, partId, account.role);
      if (!posted) {
        const idempotencyKey = postKey(schedule, partId, account.role);
        const sent = await postOnce(
          account,
          { text, visibility: 'public', language: schedule.locale.split('-')[0]!, inReplyToId: replyTo, idempotencyKey },
          this.deps.posting,
        );
        if (sent.kind !== 'posted') return sent;
        const { status, adopted } = sent;
        posted = { statusId: status.id, url: status.url, at: this.deps.now().toISO()!, account: account.role, text };
        await store.recordPosted(schedule.id, partId, posted);
        await this.deps.posting.attempts.forget(idempotencyKey);
        if (adopted) this.deps.log.warn({ schedule: schedule.id, toot: partId, status: status.id }, `Found ${partId} on the ${account.role} instance (an earlier POST had created it without Herold seeing the answer); recorded it instead of posting again.`);
      }
      first ??= posted;
      replyTo = posted.statusId;
    }
    return first!;
  }

  /**
   * The first part of a toot whose POST went out before a crash but was never
   * recorded: found on the server, recorded, and returned; null when there was
   * no such POST or the server shows none; not yet while it may still commit.
   */
  private async adoptUnrecorded(schedule: Schedule, job: Extract<HeroldJob, { type: 'toot' }>) {
    const idempotencyKey = postKey(schedule, job.tootId, 'primary');
    const inReplyToId = THREADED.includes(job.kind) ? ((await this.deps.store.posted(schedule.id, 'start'))?.statusId ?? null) : null;
    const earlier = await findEarlierPost(this.deps.primary, { idempotencyKey, inReplyToId, visibility: 'public' }, this.deps.posting);
    if (earlier.kind === 'none') return null;
    if (earlier.kind !== 'found') return earlier;
    const status: PostedStatus = earlier.status;
    const posted = { statusId: status.id, url: status.url, at: this.deps.now().toISO()!, account: 'primary' as const };
    await this.deps.store.recordPosted(schedule.id, job.tootId, posted);
    await this.deps.posting.attempts.forget(idempotencyKey);
    this.deps.log.warn({ schedule: schedule.id, toot: job.tootId, status: status.id }, `Found ${job.tootId} on the instance, posted before a crash without being recorded; recorded it now.`);
    return posted;
  }

  /** A full pin list leaves the toot posted but unpinned: say so in the log and in `herold status`, don't fail the toot. */
  private async pinOrReport(schedule: Schedule, start: { statusId: string | null; url: string | null }) {
    const statusId = start.statusId!;
    try {
      await this.deps.primary.pin(statusId);
      this.deps.log.info({ schedule: schedule.id, toot: 'start', status: statusId, url: start.url }, `Pinned the start toot: ${start.url ?? statusId}`);
    } catch (error) {
      if (!(error instanceof PinLimitError)) throw error;
      await this.deps.store.recordFailure(schedule.id, { tootId: 'start (pin)', at: this.deps.now().toISO()!, message: error.message });
      this.deps.log.error({ schedule: schedule.id, status: statusId }, error.message);
    }
  }

  /** While the primary is down, the start and milestones go out on the fallback account. */
  private async mirror(schedule: Schedule, kind: PostKind, tootId: string, parts: string[], version: number) {
    const fallback = this.deps.fallback!;
    try {
      const start = await this.deps.store.posted(schedule.id, 'start', 'fallback');
      if (kind !== 'start' && !start) return;
      const posted = await this.postThread(schedule, tootId, parts, kind === 'start' ? null : start!.statusId, fallback);
      if (isNotYet(posted)) {
        this.deps.log.warn({ schedule: schedule.id, err: posted.reason }, 'The fallback account could not post either.');
        return;
      }
      this.deps.log.info({ schedule: schedule.id, toot: tootId, kind, account: 'fallback', status: posted.statusId, url: posted.url }, `Posted ${tootLabel(kind, tootId)} on the fallback account: ${posted.url ?? posted.statusId}`);
      if (kind === 'start') await this.deps.store.recordShown(schedule.id, 'fallback', version);
    } catch (error) {
      this.deps.log.warn({ schedule: schedule.id, err: (error as Error).message }, 'The fallback account could not post either.');
    }
  }

  /** True when it was unpinned; false when the instance refused (it was not pinned, or is gone). */
  private async unpinQuietly(statusId: string): Promise<boolean> {
    try {
      await this.deps.primary.unpin(statusId);
      return true;
    } catch (error) {
      if (!(error instanceof MastodonRejectedError)) throw error;
      return false;
    }
  }

  /**
   * Edits the progress toot to the latest state, whichever job runs first;
   * a job finding the current version already shown has nothing to do. That
   * is the coalescing: many changes, one edit.
   */
  private async progress(scheduleId: string, jobVersion: number): Promise<JobOutcome> {
    const { schedule, renderer } = this.entry(scheduleId);
    const { store } = this.deps;
    // No early "superseded" exit: the newer job may not be due yet, and this
    // one renders the latest state anyway; the check inside the lock stops repeats.
    const edited = await store.withLock(schedule.id, 'progress', PROGRESS_LOCK_MS, async (stillHeld) => {
      const { progress, version } = await store.snapshot(schedule);
      const start = await store.posted(schedule.id, 'start');
      const text = fitEdit(renderer, schedule.templates.progress, tootContext(schedule, progress, this.deps.now()), this.deps.characterLimit);
      if (!start?.statusId) {
        // The primary is still down since the start: keep the fallback's progress toot current meanwhile.
        if (this.deps.fallback) await this.mirrorEdit(schedule, text, version);
        return done('no progress toot yet; the start toot will show this state');
      }
      if (!needsShowing(await store.edits(schedule.id), 'primary', version)) return done(`version ${version} already shown (job was for ${jobVersion})`);
      try {
        await this.deps.primary.edit(start.statusId, text, schedule.locale.split('-')[0]!);
      } catch (error) {
        if (error instanceof MastodonUnavailableError && this.deps.fallback) await this.mirrorEdit(schedule, text, version);
        throw error;
      }
      if (!stillHeld()) {
        // Stalled past the lock's life: another worker may have edited a newer state meanwhile. Show the latest once more.
        await this.deps.jobs.add({ type: 'progress', scheduleId: schedule.id, version: await store.version(schedule.id), after: 'start' });
        return done(`edited to version ${version}, but the lock expired meanwhile; another edit of the latest state is queued`);
      }
      await store.recordShown(schedule.id, 'primary', version, (this.deps.clock ?? systemClock).realNowMs());
      await store.recordEditedText(schedule.id, 'primary', { text, at: this.deps.now().toISO()! });
      this.deps.log.info({ schedule: schedule.id, toot: 'start', kind: 'progress', version, status: start.statusId, url: start.url }, `Edited ${tootLabel('progress', 'start')} to version ${version}: ${start.url ?? start.statusId}`);
      return done(`edited to version ${version}`);
    });
    // Lock busy: not an attempt, not a failure; look again in a second (a dead holder's lock expires within PROGRESS_LOCK_MS).
    return edited ?? waitFor(1000, 'Another worker is editing the progress toot; trying again in a second.');
  }

  private async mirrorEdit(schedule: Schedule, text: string, version: number) {
    const { store } = this.deps;
    const start = await store.posted(schedule.id, 'start', 'fallback');
    if (!start?.statusId || !needsShowing(await store.edits(schedule.id), 'fallback', version)) return;
    try {
      await this.deps.fallback!.edit(start.statusId, text, schedule.locale.split('-')[0]!);
      await store.recordShown(schedule.id, 'fallback', version);
      await store.recordEditedText(schedule.id, 'fallback', { text, at: this.deps.now().toISO()! });
      this.deps.log.info({ schedule: schedule.id, toot: 'start', kind: 'progress', account: 'fallback', version, status: start.statusId, url: start.url }, `Edited the progress toot on the fallback account to version ${version}: ${start.url ?? start.statusId}`);
    } catch (error) {
      this.deps.log.warn({ schedule: schedule.id, err: (error as Error).message }, 'The fallback account could not edit either.');
    }
  }

  /** At the deadline with tasks still open, and no outcome declared: back out. */
  private async deadline(scheduleId: string, deadline: string): Promise<JobOutcome> {
    const { schedule } = this.entry(scheduleId);
    const { store } = this.deps;
    const progress = await store.progress(schedule);
    if (progress.deadline.toMillis() !== DateTime.fromISO(deadline).toMillis()) return done('deadline was moved');
    // Whoever promoted it: a back-out is decided only at or after the deadline.
    const early = progress.deadline.toMillis() - this.deps.now().toMillis();
    if (early > 0) return waitFor(early, `The deadline job of ${schedule.id} ran before ${progress.deadline.toISO()}; it waits until then.`);
    if (allFinished(schedule, progress)) return done('all tasks finished in time');
    // Only a window that actually started can be backed out of.
    // Backed out at the deadline: that is when it ended, even if this job runs late.
    if (!(await store.transition(schedule.id, 'backout', ['running'], progress.deadline))) {
      return done(`nothing to do: the maintenance is ${progress.phase}`);
    }
    await this.deps.jobs.add(tootJob(schedule, 'backout', 'backout', null, progress.deadline));
    // The progress toot shows the back-out, not "… ist wieder da" forever.
    await this.deps.jobs.add({ type: 'progress', scheduleId: schedule.id, version: await store.version(schedule.id) });
    return done('deadline passed with open tasks: backing out');
  }
}
