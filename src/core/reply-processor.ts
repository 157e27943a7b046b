import type { DateTime } from 'luxon';
import type { Logger } from './ports/logger.ts';
import { MastodonRejectedError } from '../errors.ts';
import { answerRenderer, FALLBACK_ID, NOTIFY_CANCEL_ID, NOTIFY_ID, THANKS_ID, type Language, type LoadedFaq } from '../faq/index.ts';
import type { NotifyRequests } from './ports/notify-requests.ts';
import type { JobSink } from './ports/job-queue.ts';
import type { MastodonAccount } from './ports/mastodon-account.ts';
import { PRIORITY, type HeroldJob } from './jobs.ts';
import { postOnce, type PostOnceOptions } from './post-once.ts';
import { done, type JobOutcome } from './job-outcome.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import { tootContext } from '../render/toot-context.ts';
import { notifyPostKey, replyPostKey } from '../schedule/toot-ids.ts';
import type { CurrentSchedule } from './current-schedule.ts';
import { composeReply } from '../replies/reply-text.ts';
import type { ReplyStore } from './ports/reply-store.ts';
import type { CheckResults } from './ports/check-results.ts';
import { dnsSpread } from '../checks/dns-spread.ts';

export type ReplyJob = Extract<HeroldJob, { type: 'reply' }>;

export interface ReplyProcessorDeps {
  readonly store: ReplyStore;
  readonly current: CurrentSchedule;
  readonly account: MastodonAccount;
  /** "Maybe posted" markers: a reply whose answer was lost is looked for in the question's thread before it is sent again. */
  readonly posting: PostOnceOptions;
  /** The instance's limit read at start. */
  readonly characterLimit: number;
  /** Same FAQ id to the same account at most once per this many ms. */
  readonly cooldownMs: number;
  /** HEROLD_REPLIES: off drops reply jobs instead of sending them. */
  readonly enabled: boolean;
  /**
   * The answer templates per language, as loaded at start (German always, English when there is one);
   * null when the FAQ could not be loaded: this process then cannot render an answer, and the job is retried.
   */
  readonly answers: LoadedFaq['answers'] | null;
  readonly now: () => DateTime;
  readonly log: Logger;
  readonly onReplied?: () => void;
  /** Task checks' results: the reachability answer tells how far the DNS change has spread. */
  readonly checks?: CheckResults;
  /** "Sag Bescheid" requests and the DMs sent for them; without it, such requests are recorded as not kept. */
  readonly notify?: {
    readonly store: NotifyRequests;
    readonly jobs: JobSink;
    /** Directories of the DM templates per language (templates/<language>/notify: complete.hbs, backout.hbs). */
    readonly dirs: Readonly<Partial<Record<Language, string>>> & { readonly de: string };
    /** Followers one schedule keeps at most. */
    readonly cap: number;
  };
}

export type NotifyJob = Extract<HeroldJob, { type: 'notify' }>;

/**
 * Sends one reply job: the FAQ answer rendered with the live state of the
 * current schedule, as a direct message in the question's thread. Exactly
 * once like the toots (src/core/post-once.ts): the job id, the
 * Idempotency-Key `herold.reply.<notificationId>`, a look into the
 * question's thread and the account's own statuses before any repeated POST,
 * and the status id stored with HSETNX right after the POST.
 */
export class ReplyProcessor {
  /** The notify DMs' templates, by directory. */
  private readonly notifyRenderers = new Map<string, TemplateRenderer>();

  constructor(private readonly deps: ReplyProcessorDeps) {}

  async process(job: ReplyJob): Promise<JobOutcome> {
    const { store, log, account } = this.deps;
    const answered = await store.answered(job.notificationId);
    if (!this.deps.enabled && !answered) {
      // Queued before the kill switch was thrown: recorded and logged, never dropped in silence.
      await store.recordAnswered(job.notificationId, { statusId: null, faqId: job.faqId, at: this.deps.now().toISO()!, acct: job.acct, skipped: 'replies off (HEROLD_REPLIES=off)' });
      log.warn({ notification: job.notificationId, from: job.acct, faq: job.faqId }, `Not answering @${job.acct}: replies are off (HEROLD_REPLIES=off).`);
      return done('skipped: replies are off (HEROLD_REPLIES=off)');
    }
    if (answered) return done(answered.statusId ? `already answered with ${answered.statusId}` : `already handled: ${answered.skipped}`);

    if (job.faqId === THANKS_ID) return this.favourite(job);
    if (job.faqId === NOTIFY_ID || job.faqId === NOTIFY_CANCEL_ID) return this.notifyRequest(job);

    // What replies must leave to the schedule's toots (requests per window, the statuses they need)
    // the account's rate gate decides when the answer is posted (use: 'reply').
    if (!(await store.claimCooldown(job.accountId, job.faqId, job.notificationId, this.deps.cooldownMs))) {
      await store.recordAnswered(job.notificationId, { statusId: null, faqId: job.faqId, at: this.deps.now().toISO()!, acct: job.acct, skipped: 'cooldown' });
      log.info({ notification: job.notificationId, from: job.acct, faq: job.faqId }, 'Not answering: the same answer went to this account a moment ago.');
      return done(`skipped: @${job.acct} got the ${job.faqId} answer within the cooldown`);
    }

    const state = await this.deps.current.pick();
    if (!state) throw new Error('No schedule is loaded; a reply cannot be rendered.');
    const language: Language = job.language && this.deps.answers?.[job.language] ? job.language : 'de';
    const renderer = this.renderer(state.schedule.templateDirs, language);
    const faqId = renderer.has(job.faqId) ? job.faqId : FALLBACK_ID;
    const now = this.deps.now();
    const dns = this.deps.checks ? dnsSpread(state.schedule, await this.deps.checks.all(state.schedule.id), now) : null;
    const answer = renderer.render(faqId, tootContext(state.schedule, state.progress, now, { dns })).text;
    const text = composeReply(job.acct, answer, this.deps.characterLimit);

    let sent;
    const idempotencyKey = replyPostKey(job.notificationId);
    try {
      sent = await postOnce(account, { text, visibility: 'direct', language, inReplyToId: job.statusId, idempotencyKey, use: 'reply' }, this.deps.posting);
    } catch (error) {
      if (error instanceof MastodonRejectedError) {
        await store.releaseCooldown(job.accountId, job.faqId, job.notificationId);
        if (error.status === 404 || error.status === 422) {
          // The question was deleted (or the reply is invalid): nothing a retry can fix, and no failure of the schedule.
          await store.recordAnswered(job.notificationId, { statusId: null, faqId, at: this.deps.now().toISO()!, acct: job.acct, skipped: `refused with HTTP ${error.status}` });
          log.warn({ notification: job.notificationId, from: job.acct }, `Reply dropped: ${error.message}`);
          return done(`dropped: HTTP ${error.status}`);
        }
      }
      throw error;
    }
    // An earlier POST may still commit, or its status was claimed a moment ago: the job waits or retries.
    if (sent.kind !== 'posted') return sent;
    const { status, adopted } = sent;
    await store.recordAnswered(job.notificationId, { statusId: status.id, faqId, at: this.deps.now().toISO()!, acct: job.acct });
    await this.deps.posting.attempts.forget(idempotencyKey);
    if (adopted) log.warn({ notification: job.notificationId, status: status.id }, 'Found the reply on the instance (an earlier POST had created it without Herold seeing the answer); recorded it instead of sending it again.');
    this.deps.onReplied?.();
    log.info({ notification: job.notificationId, from: job.acct, faq: faqId, status: status.id, url: status.url }, `Replied to @${job.acct} (${faqId}): ${status.url ?? status.id}`);
    return done(`answered ${faqId} with ${status.id}`);
  }

  /** The default FAQ's answers with the schedule's own overrides (src/faq/answer-templates.ts). */
  private renderer(templateDirs: readonly string[], language: Language): TemplateRenderer {
    const answers = this.deps.answers;
    if (!answers) throw new Error('The FAQ could not be loaded when this process started, so it cannot render an answer; another process (or a restart with a fixed FAQ) sends it. Check the FAQ with `herold faq eval`.');
    return answerRenderer({ answers }, templateDirs, language).renderer;
  }

  /**
   * "Sag Bescheid" / "doch nicht": stored (once per account, within the cap)
   * or taken back, and confirmed with a favourite. A full list is logged and
   * the message kept for the admins, never dropped in silence.
   */
  private async notifyRequest(job: ReplyJob): Promise<JobOutcome> {
    const { store, log } = this.deps;
    const notify = this.deps.notify;
    if (!notify) {
      await store.recordAnswered(job.notificationId, { statusId: null, faqId: job.faqId, at: this.deps.now().toISO()!, acct: job.acct, skipped: 'notify requests are not kept by this process' });
      return done('skipped: notify requests are not kept by this process');
    }
    if (job.faqId === NOTIFY_CANCEL_ID) {
      const had = await notify.store.cancel(job.scheduleId, job.accountId);
      log.info({ notification: job.notificationId, from: job.acct }, had ? `@${job.acct} no longer wants a DM at the end.` : `@${job.acct} cancelled a DM they had not asked for.`);
      return this.favourite(job);
    }
    const added = await notify.store.add(
      job.scheduleId,
      { accountId: job.accountId, acct: job.acct, statusId: job.statusId, language: job.language ?? 'de', at: job.receivedAt },
      notify.cap,
    );
    if (added === 'full') {
      const reason = `the list of followers to tell is full (${notify.cap})`;
      await store.keepQuestion({ notificationId: job.notificationId, statusId: job.statusId, url: null, acct: job.acct, visibility: 'direct', text: 'Sag Bescheid, wenn ihr wieder da seid (Liste voll)', score: 0, createdAt: job.receivedAt });
      await store.recordAnswered(job.notificationId, { statusId: null, faqId: NOTIFY_ID, at: this.deps.now().toISO()!, acct: job.acct, skipped: reason });
      log.warn({ notification: job.notificationId, from: job.acct }, `Not keeping @${job.acct}'s request to be told: ${reason}. Kept for \`herold questions\`.`);
      return done(`skipped: ${reason}`);
    }
    log.info({ notification: job.notificationId, from: job.acct }, added === 'added' ? `@${job.acct} gets a DM when the maintenance is over.` : `@${job.acct} had asked already.`);
    return this.favourite(job);
  }

  /** Queues one 'notify' job per follower who asked; returns how many. */
  async queueNotifications(scheduleId: string, outcome: 'complete' | 'backout'): Promise<number> {
    const notify = this.deps.notify;
    if (!notify) return 0;
    const requests = await notify.store.requests(scheduleId);
    for (const request of requests) {
      await notify.jobs.add({ type: 'notify', scheduleId, accountId: request.accountId, outcome }, { priority: PRIORITY.reply });
    }
    return requests.length;
  }

  /**
   * The one DM to a follower who asked: in reply to their own request (so
   * Mastodon 4.3+'s filter for private mentions lets it through), exactly
   * once like every answer (job id, Idempotency-Key, lookup before a repeated
   * POST, HSETNX record), within the replies' share of the statuses budget.
   */
  async notify(job: NotifyJob): Promise<JobOutcome> {
    const { log, account } = this.deps;
    const notify = this.deps.notify;
    if (!notify) throw new Error('This process keeps no notify requests.');
    const sentBefore = await notify.store.sent(job.scheduleId, job.accountId);
    if (sentBefore) return done(sentBefore.statusId ? `already sent ${sentBefore.statusId}` : `already handled: ${sentBefore.skipped}`);
    const request = await notify.store.request(job.scheduleId, job.accountId);
    if (!request) return done('skipped: the follower cancelled');
    const state = await this.deps.current.pick();
    const schedule = state?.schedule.id === job.scheduleId ? state : null;
    if (!schedule) throw new Error(`Schedule ${job.scheduleId} is not loaded; the DM cannot be rendered.`);
    const language: Language = notify.dirs[request.language] ? request.language : 'de';
    const body = this.notifyRenderer(language, notify.dirs).render(job.outcome, tootContext(schedule.schedule, schedule.progress, this.deps.now())).text;
    const text = composeReply(request.acct, body, this.deps.characterLimit);
    const idempotencyKey = notifyPostKey(job.scheduleId, job.accountId);
    let sent;
    try {
      sent = await postOnce(account, { text, visibility: 'direct', language, inReplyToId: request.statusId, idempotencyKey, use: 'reply' }, this.deps.posting);
    } catch (error) {
      if (error instanceof MastodonRejectedError && (error.status === 404 || error.status === 422)) {
        await notify.store.recordSent(job.scheduleId, job.accountId, { statusId: null, at: this.deps.now().toISO()!, skipped: `refused with HTTP ${error.status}` });
        log.warn({ schedule: job.scheduleId, to: request.acct }, `DM to @${request.acct} dropped: ${error.message}`);
        return done(`dropped: HTTP ${error.status}`);
      }
      throw error;
    }
    if (sent.kind !== 'posted') return sent;
    const { status } = sent;
    await notify.store.recordSent(job.scheduleId, job.accountId, { statusId: status.id, at: this.deps.now().toISO()! });
    await this.deps.posting.attempts.forget(idempotencyKey);
    log.info({ schedule: job.scheduleId, to: request.acct, status: status.id }, `Told @${request.acct} that the maintenance is over (${job.outcome}).`);
    return done(`sent ${status.id}`);
  }

  private notifyRenderer(language: Language, dirs: Readonly<Partial<Record<Language, string>>> & { readonly de: string }): TemplateRenderer {
    const dir = dirs[language] ?? dirs.de;
    let renderer = this.notifyRenderers.get(dir);
    if (!renderer) {
      renderer = new TemplateRenderer(dir);
      this.notifyRenderers.set(dir, renderer);
    }
    return renderer;
  }

  /**
   * Thanks, praise and good wishes get a favourite instead of an answer.
   * Favouriting is idempotent on Mastodon (one favourite per account and
   * status), so a retry after a lost answer just favourites again; the
   * record (HSETNX) says it was done.
   */
  private async favourite(job: ReplyJob): Promise<JobOutcome> {
    const { store, log, account } = this.deps;
    const faqId = job.faqId;
    try {
      await account.favourite(job.statusId);
    } catch (error) {
      if (error instanceof MastodonRejectedError && (error.status === 404 || error.status === 422 || error.status === 403)) {
        await store.recordAnswered(job.notificationId, { statusId: null, faqId, at: this.deps.now().toISO()!, acct: job.acct, skipped: `favourite refused with HTTP ${error.status}` });
        log.warn({ notification: job.notificationId, from: job.acct }, `Favourite dropped: ${error.message}`);
        return done(`dropped: HTTP ${error.status}`);
      }
      throw error;
    }
    await store.recordAnswered(job.notificationId, { statusId: null, faqId, at: this.deps.now().toISO()!, acct: job.acct, favourited: true });
    log.info({ notification: job.notificationId, from: job.acct, faq: faqId }, `Favourited the message of @${job.acct} (${faqId}).`);
    return done(`favourited ${job.statusId}`);
  }
}
