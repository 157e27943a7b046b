import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { MastodonRejectedError, MastodonUnavailableError, NotFoundError } from '../errors.ts';
import type { MastodonAccount } from '../mastodon/mastodon-account.ts';
import { fitEdit, fitToot } from '../render/fit-toot.ts';
import type { TemplateRenderer } from '../render/template-renderer.ts';
import { tootContext } from '../render/toot-context.ts';
import { allFinished, type Phase } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from '../state/state-store.ts';
import { tootJob, type HeroldJob, type JobSink, type PostKind } from './jobs.ts';

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
  readonly log: Logger;
  /** Sends 'reply' jobs (src/replies/reply-processor.ts). */
  readonly replies?: { process(job: Extract<HeroldJob, { type: 'reply' }>): Promise<JobOutcome> };
}

export type JobOutcome = { readonly result: string };

/** Kinds whose text is about the live window: mirrored to the fallback account while the primary is down. */
const MIRRORED: readonly PostKind[] = ['start', 'milestone'];
/** Kinds posted as replies in the progress toot's thread. */
const THREADED: readonly PostKind[] = ['milestone', 'complete', 'backout'];
/** The phase each kind belongs to; a toot is dropped once the schedule has moved past it. */
const ALLOWED_PHASES: Record<PostKind, readonly Phase[]> = {
  announcement: ['announced'],
  reminder: ['announced'],
  'date-changed': ['announced'],
  // Also after the outcome: the completion or back-out reply needs the start toot as its thread root.
  start: ['announced', 'running', 'complete', 'backout'],
  milestone: ['running', 'complete'],
  complete: ['complete'],
  backout: ['backout'],
  cancelled: ['cancelled'],
};

/**
 * What each job does. Pure of BullMQ: it throws Herold's errors and the
 * worker adapter maps them (unavailable → retry with backoff, rate-limited →
 * pause the queue, rejected → fail for good).
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
        if (!this.deps.replies) throw new NotFoundError('This process cannot send replies to questions.');
        return this.deps.replies.process(job);
    }
  }

  private entry(scheduleId: string) {
    const entry = this.deps.schedules.get(scheduleId);
    if (!entry) throw new NotFoundError(`No loaded schedule has the id "${scheduleId}". Start herold run with its file.`);
    return entry;
  }

  private async toot(job: Extract<HeroldJob, { type: 'toot' }>): Promise<JobOutcome> {
    const { schedule, renderer } = this.entry(job.scheduleId);
    const { store, log } = this.deps;
    const existing = await store.posted(schedule.id, job.tootId);
    if (existing?.skipped) return { result: `skipped earlier: ${existing.skipped}` };

    // The rendered state and the version recorded for it come from one read.
    const { progress, version } = await store.snapshot(schedule);
    const now = this.deps.now();
    if (!existing) {
      // Checks for a toot not yet posted; once posted, a retry only finishes the follow-ups (pin, unpin, thread).
      if (!ALLOWED_PHASES[job.kind].includes(progress.phase)) {
        return { result: `dropped: the maintenance is ${progress.phase}` };
      }
      const late = now.toMillis() - DateTime.fromISO(job.at).toMillis();
      const tooLate =
        ((job.kind === 'announcement' || job.kind === 'reminder') && late > this.deps.graceMs) ||
        // A window Herold never opened (it was not running) is not opened after its deadline.
        (job.kind === 'start' && progress.phase === 'announced' && now >= progress.deadline);
      if (tooLate) {
        const reason = job.kind === 'start' ? 'the window was already over' : `${Math.round(late / 60_000)} min late, more than the grace period`;
        await store.recordPosted(schedule.id, job.tootId, { statusId: null, url: null, at: now.toISO()!, account: 'primary', skipped: reason });
        log.warn({ schedule: schedule.id, toot: job.tootId }, `Skipped ${job.kind} ${job.ref ?? job.tootId}: ${reason}.`);
        return { result: `skipped: ${reason}` };
      }
      // The window is open from now on, even while the instance cannot be reached to say so.
      if (job.kind === 'start') await store.transition(schedule.id, 'running', ['announced']);
    }

    const template = this.template(schedule, job);
    const context = tootContext(schedule, progress, now, {
      entry: job.kind === 'announcement' || job.kind === 'reminder' ? { id: job.ref!, at: DateTime.fromISO(job.at) } : undefined,
      taskId: job.kind === 'milestone' ? job.ref! : undefined,
      previousStart: job.previousStart ? DateTime.fromISO(job.previousStart) : undefined,
    });
    const parts = fitToot(renderer, template, context, this.deps.characterLimit);

    let inReplyToId: string | null = null;
    if (THREADED.includes(job.kind)) {
      inReplyToId = (await store.posted(schedule.id, 'start'))?.statusId ?? null;
      if (!inReplyToId) {
        // The primary has no thread yet (it has been down since the start); the fallback may have one.
        if (this.deps.fallback && MIRRORED.includes(job.kind)) await this.mirror(schedule, job.kind, job.tootId, parts, version);
        throw new MastodonUnavailableError(`The ${job.kind} toot waits for the progress toot to be posted first.`);
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

    if (job.kind === 'start') {
      if (!existing) await store.setMeta(schedule.id, 'editedVersion', String(version));
      // Posted late, after the outcome (the instance was down): the reply that follows unpins nothing, so don't pin.
      if (['announced', 'running'].includes((await store.progress(schedule)).phase)) await this.deps.primary.pin(first.statusId!);
      // A task may have changed between rendering and recording: catch up with one edit. Its own job id,
      // because the change's job with this version has most likely run already ("no progress toot yet").
      const latest = await store.version(schedule.id);
      if (latest > Number((await store.meta(schedule.id, 'editedVersion')) ?? -1)) {
        await this.deps.jobs.add({ type: 'progress', scheduleId: schedule.id, version: latest, after: 'start' });
      }
    }
    if (job.kind === 'announcement' || job.kind === 'reminder' || job.kind === 'date-changed') {
      await store.setMeta(schedule.id, 'announcedStart', schedule.window.start.toISO()!);
    }
    if (job.kind === 'complete' || job.kind === 'backout') {
      const start = await store.posted(schedule.id, 'start');
      if (start?.statusId) await this.unpinQuietly(start.statusId);
    }
    log.info({ schedule: schedule.id, toot: job.tootId, status: first.statusId }, `Posted ${job.kind} ${job.tootId}.`);
    return { result: existing ? `already posted ${first.statusId}; follow-ups done` : `posted ${first.statusId}` };
  }

  private template(schedule: Schedule, job: Extract<HeroldJob, { type: 'toot' }>): string {
    if (job.kind === 'announcement') return schedule.announcements.find((a) => a.id === job.ref)!.template;
    if (job.kind === 'reminder') return schedule.reminders.find((r) => r.id === job.ref)!.template;
    return schedule.templates[job.kind];
  }

  /**
   * Posts the parts as a thread. Exactly once rests on three layers: the stable
   * job id, the Idempotency-Key (Mastodon answers a repeat within about an hour
   * with the original status), and the status id stored right after the POST.
   * The window left open: a worker killed between the POST returning and the
   * HSETNX, whose job is then retried more than an hour later. BullMQ notices a
   * stalled job within 30 s, so in practice the key still covers the retry.
   */
  private async postThread(schedule: Schedule, tootId: string, parts: string[], inReplyToId: string | null, account: MastodonAccount) {
    const { store } = this.deps;
    let replyTo = inReplyToId;
    let first: { statusId: string | null } | null = null;
    for (const [index, text] of parts.entries()) {
      const partId = index === 0 ? tootId : `${tootId}.${index + 1}`;
      let posted = await store.posted(schedule.id, partId, account.role);
      if (!posted) {
        const status = await account.post({
          text,
          visibility: 'public',
          language: schedule.locale.split('-')[0]!,
          inReplyToId: replyTo,
          idempotencyKey: `herold.${schedule.id}.${partId}.${account.role}`,
        });
        posted = { statusId: status.id, url: status.url, at: this.deps.now().toISO()!, account: account.role };
        await store.recordPosted(schedule.id, partId, posted);
      }
      first ??= posted;
      replyTo = posted.statusId;
    }
    return first!;
  }

  /** While the primary is down, the start and milestones go out on the fallback account. */
  private async mirror(schedule: Schedule, kind: PostKind, tootId: string, parts: string[], version: number) {
    const fallback = this.deps.fallback!;
    try {
      const start = await this.deps.store.posted(schedule.id, 'start', 'fallback');
      if (kind !== 'start' && !start) return;
      await this.postThread(schedule, tootId, parts, kind === 'start' ? null : start!.statusId, fallback);
      if (kind === 'start') await this.deps.store.setMeta(schedule.id, 'fallbackEditedVersion', String(version));
    } catch (error) {
      this.deps.log.warn({ schedule: schedule.id, err: (error as Error).message }, 'The fallback account could not post either.');
    }
  }

  private async unpinQuietly(statusId: string) {
    try {
      await this.deps.primary.unpin(statusId);
    } catch (error) {
      if (!(error instanceof MastodonRejectedError)) throw error;
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
    const done = await store.withLock(schedule.id, 'progress', 30_000, async () => {
      const { progress, version } = await store.snapshot(schedule);
      const start = await store.posted(schedule.id, 'start');
      const text = fitEdit(renderer, schedule.templates.progress, tootContext(schedule, progress, this.deps.now()), this.deps.characterLimit);
      if (!start?.statusId) {
        // The primary is still down since the start: keep the fallback's progress toot current meanwhile.
        if (this.deps.fallback) await this.mirrorEdit(schedule, text, version);
        return { result: 'no progress toot yet; the start toot will show this state' };
      }
      const edited = Number((await store.meta(schedule.id, 'editedVersion')) ?? -1);
      if (edited >= version) return { result: `version ${version} already shown (job was for ${jobVersion})` };
      try {
        await this.deps.primary.edit(start.statusId, text, schedule.locale.split('-')[0]!);
      } catch (error) {
        if (error instanceof MastodonUnavailableError && this.deps.fallback) await this.mirrorEdit(schedule, text, version);
        throw error;
      }
      await store.setMeta(schedule.id, 'editedVersion', String(version));
      await store.setMeta(schedule.id, 'lastEditAt', String(Date.now()));
      return { result: `edited to version ${version}` };
    });
    if (!done) throw new MastodonUnavailableError('Another worker is editing the progress toot; trying again shortly.');
    return done;
  }

  private async mirrorEdit(schedule: Schedule, text: string, version: number) {
    const { store } = this.deps;
    const start = await store.posted(schedule.id, 'start', 'fallback');
    if (!start?.statusId || Number((await store.meta(schedule.id, 'fallbackEditedVersion')) ?? -1) >= version) return;
    try {
      await this.deps.fallback!.edit(start.statusId, text, schedule.locale.split('-')[0]!);
      await store.setMeta(schedule.id, 'fallbackEditedVersion', String(version));
    } catch (error) {
      this.deps.log.warn({ schedule: schedule.id, err: (error as Error).message }, 'The fallback account could not edit either.');
    }
  }

  /** At the deadline with tasks still open, and no outcome declared: back out. */
  private async deadline(scheduleId: string, deadline: string): Promise<JobOutcome> {
    const { schedule } = this.entry(scheduleId);
    const { store } = this.deps;
    const progress = await store.progress(schedule);
    if (progress.deadline.toMillis() !== DateTime.fromISO(deadline).toMillis()) return { result: 'deadline was moved' };
    if (allFinished(schedule, progress)) return { result: 'all tasks finished in time' };
    // Only a window that actually started can be backed out of.
    if (!(await store.transition(schedule.id, 'backout', ['running']))) {
      return { result: `nothing to do: the maintenance is ${progress.phase}` };
    }
    await this.deps.jobs.add(tootJob(schedule, 'backout', 'backout', null, progress.deadline));
    return { result: 'deadline passed with open tasks: backing out' };
  }
}
