import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { HeroldError, MastodonRateLimitedError, MastodonRejectedError } from '../../errors.ts';
import { NotificationStream, type StreamState } from './notification-stream.ts';
import { MAX_PAGE, type MastoNotifications } from './notifications.ts';
import type { Intake } from '../../core/intake.ts';
import type { ReplyStore } from '../redis/reply-store.ts';
import { filteringSettings, newestId, oldestFirst } from '../../replies/triage.ts';
import type { IncomingNotification, NotificationPolicy } from '../../replies/types.ts';
import { cappedBackoffMs } from '../../backoff.ts';

/** Knobs of the listener; the defaults suit production, tests shorten them. */
export interface ReplyTuning {
  /** Poll this often while the stream is down. Default 5000 ms. */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls while the instance does not answer. Default 60000 ms. */
  readonly pollMaxBackoffMs?: number;
  /** Catch up this often even while the stream is up, as a safety net. Default 10 min. */
  readonly reconcileMs?: number;
  /** Wait after the stream opens before catching up, so the subscription reaches the server first. Default 250 ms. */
  readonly settleMs?: number;
  /** Polling budget of all processes together; Mastodon allows 300 paging requests per 15 minutes. */
  readonly pollBudget?: { readonly limit: number; readonly windowMs: number };
  /** Use the streaming API. false: poll only. Default true. */
  readonly stream?: boolean;
  /** Instead of configuration.urls.streaming. */
  readonly streamingUrl?: string;
  /** Websocket ping interval. Default 30000 ms. */
  readonly heartbeatMs?: number;
}

export interface ListenerDeps {
  readonly source: MastoNotifications;
  readonly accessToken: string;
  readonly store: ReplyStore;
  readonly intake: Intake;
  /** On the first start (no cursor yet), mentions older than this are left alone. */
  readonly maxAgeMs: number;
  /** `herold run --accept-dms`: make the notification policy let DMs from strangers through. */
  readonly acceptDms: boolean;
  readonly tuning: ReplyTuning;
  readonly log: Logger;
  /** Called once the bot's own account is known. */
  readonly onSelf: (self: { id: string; acct: string; username: string }) => void;
}

export interface PolicyReport {
  /** Null when the instance has no policy API (before Mastodon 4.3) or the token may not read it. */
  readonly policy: NotificationPolicy | null;
  /** Settings that keep mentions or DMs away from Herold, e.g. ['for_private_mentions']. */
  readonly filtering: readonly string[];
  /** True when --accept-dms changed the policy at this start. */
  readonly changed: boolean;
}

export interface ListenerStats {
  streamed: number;
  polled: number;
  pollRequests: number;
  catchUps: number;
  lastPollError: string | null;
}

const TICK_MS = 100;

/**
 * Receives mentions: the streaming API while it is up, polling with a
 * cursor whenever it is not, so nothing is missed across reconnects and
 * restarts.
 *
 * The cursor (Redis) is the newest notification id up to which every
 * mention has been queued; only polling moves it, page by page, after the
 * page's mentions are queued. Streamed mentions are queued at once but do
 * not move it: a mention the stream missed (sent while it reconnected) has
 * a smaller id than one it delivered, and the next catch-up still finds it.
 * Catching up runs at the start, each time the stream (re)connects, every
 * `pollIntervalMs` while it is down, and every `reconcileMs` regardless.
 */
export class ReplyListener {
  private self: { id: string; acct: string; username: string } | null = null;
  private stream: NotificationStream | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private ready = false;
  private initializing: Promise<void> | null = null;
  private nextInitAt = 0;
  private initFailures = 0;
  private catchingUp: Promise<void> | null = null;
  private again = false;
  private nextPollAt = 0;
  private pollFailures = 0;
  private lastCatchUpAt = 0;
  private budgetWarned = false;
  private closed = false;
  private readonly token = randomUUID();
  private readonly pending = new Set<Promise<unknown>>();
  policy: PolicyReport | null = null;
  readonly stats: ListenerStats = { streamed: 0, polled: 0, pollRequests: 0, catchUps: 0, lastPollError: null };

  constructor(private readonly deps: ListenerDeps) {}

  private get tuning() {
    const t = this.deps.tuning;
    return {
      pollIntervalMs: t.pollIntervalMs ?? 5000,
      pollMaxBackoffMs: t.pollMaxBackoffMs ?? 60_000,
      reconcileMs: t.reconcileMs ?? 10 * 60_000,
      settleMs: t.settleMs ?? 250,
      pollBudget: t.pollBudget ?? { limit: 300, windowMs: 15 * 60_000 },
    };
  }

  get streamState(): StreamState | 'off' {
    return this.stream?.state ?? 'off';
  }

  /** Starts receiving; resolves once the first attempt to reach the instance is over (it keeps trying if that failed). */
  async start(): Promise<void> {
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
    await this.init();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    await this.stream?.close();
    await Promise.allSettled([...this.pending, this.initializing, this.catchingUp]);
  }

  /** Catches up now (tests, and the stream's hints); resolves when done. */
  catchUp(reason = 'requested'): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      do {
        this.again = false;
        await this.catchUpOnce(reason);
      } while (this.again && !this.closed);
    })().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private track<T>(promise: Promise<T>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
  }

  private init(): Promise<void> {
    this.initializing ??= this.initOnce().finally(() => {
      this.initializing = null;
    });
    return this.initializing;
  }

  private async initOnce(): Promise<void> {
    const { source, log } = this.deps;
    try {
      if (!this.self) {
        this.self = await source.me();
        this.deps.onSelf(this.self);
      }
      if (!this.policy) await this.checkPolicy();
      if (this.deps.tuning.stream !== false && !this.stream && !this.closed) {
        const streamingUrl = this.deps.tuning.streamingUrl ?? (await source.streamingUrl());
        if (this.closed) return;
        this.stream = new NotificationStream({
          streamingUrl,
          accessToken: this.deps.accessToken,
          heartbeatMs: this.deps.tuning.heartbeatMs,
          log,
          onNotification: (n) => this.onStreamed(n),
          onUp: () => {
            const timer = setTimeout(() => void this.catchUp('stream up'), this.tuning.settleMs);
            timer.unref();
          },
          onDown: () => {
            this.nextPollAt = Math.max(this.nextPollAt, Date.now() + this.tuning.pollIntervalMs);
          },
          onRefresh: () => void this.catchUp('notifications merged'),
        });
        this.stream.start();
      }
      this.ready = true;
      this.initFailures = 0;
      log.info({ stream: this.deps.tuning.stream !== false }, `Answering questions to @${this.self.acct}.`);
      void this.catchUp('start');
    } catch (error) {
      this.initFailures += 1;
      this.nextInitAt = Date.now() + cappedBackoffMs(this.tuning.pollIntervalMs, this.initFailures - 1, this.tuning.pollMaxBackoffMs);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof MastodonRejectedError) log.error(`Cannot answer questions: ${message}`);
      else log.warn(`Cannot start answering questions yet: ${message}`);
    }
  }

  /**
   * Mastodon 4.3 filters private mentions from accounts the bot does not
   * follow by default: such DMs never reach the API or the stream. Say so
   * once, clearly; with --accept-dms, change it.
   */
  private async checkPolicy(): Promise<void> {
    const { source, log } = this.deps;
    let policy: NotificationPolicy;
    try {
      policy = await source.policy();
    } catch (error) {
      if (!(error instanceof MastodonRejectedError)) throw error;
      this.policy = { policy: null, filtering: [], changed: false };
      if (error.status === 404) log.info('The instance has no notification policy (Mastodon before 4.3); mentions are not filtered.');
      else log.warn(`Cannot read the notification policy, so Herold cannot tell whether DMs reach it: ${error.message}`);
      return;
    }
    let changed = false;
    if (this.deps.acceptDms && (policy.forPrivateMentions !== 'accept' || policy.forNotFollowing !== 'accept')) {
      try {
        policy = await source.updatePolicy({ forPrivateMentions: 'accept', forNotFollowing: 'accept' });
        changed = true;
        log.info('--accept-dms: the notification policy now accepts private mentions and mentions from accounts the bot does not follow.');
      } catch (error) {
        if (!(error instanceof MastodonRejectedError)) throw error;
        log.warn(`--accept-dms could not change the notification policy: ${error.message} The token needs the scope write:notifications.`);
      }
    }
    const filtering = filteringSettings(policy);
    this.policy = { policy, filtering: filtering.map((f) => f.setting), changed };
    if (filtering.length > 0) {
      const what = filtering.map((f) => `${f.setting}: ${f.value} hides ${f.hides}`).join('; ');
      log.warn(
        `The notification policy of @${this.self?.acct ?? 'the bot'} keeps questions from Herold (${what}). Mastodon files these under notification requests, so Herold never sees them and cannot answer. ` +
          'Fix: start once with `herold run --accept-dms` (sets for_private_mentions and for_not_following to accept; the token needs write:notifications), ' +
          'or in the web interface open Notifications → the filter settings and accept private mentions and people you don\'t follow.',
      );
    }
  }

  private onStreamed(n: IncomingNotification): void {
    if (this.closed || !this.self) return;
    this.stats.streamed += 1;
    this.track(
      this.deps.intake.handle(n).catch((error: unknown) => {
        this.deps.log.warn({ notification: n.id, err: (error as Error).message }, 'Could not queue a streamed mention; the next catch-up brings it again.');
        this.nextPollAt = 0;
      }),
    );
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.ready) {
      if (!this.initializing && now >= this.nextInitAt) void this.init();
      return;
    }
    if (this.catchingUp) return;
    const streamUp = this.stream?.state === 'up';
    if (!streamUp && now >= this.nextPollAt) void this.catchUp('stream down');
    else if (now - this.lastCatchUpAt >= this.tuning.reconcileMs) void this.catchUp('reconcile');
  }

  private async catchUpOnce(reason: string): Promise<void> {
    const { log } = this.deps;
    const { pollIntervalMs, pollMaxBackoffMs } = this.tuning;
    if (!this.self) return;
    this.stats.catchUps += 1;
    try {
      const deferredUntil = await this.poll();
      this.lastCatchUpAt = Date.now();
      if (this.pollFailures > 0) log.info('The instance answers again; caught up on mentions.');
      this.pollFailures = 0;
      this.stats.lastPollError = null;
      this.nextPollAt = Math.max(Date.now() + pollIntervalMs, deferredUntil ?? 0);
      // It answers REST again; no need for the stream to wait out its back-off.
      this.stream?.nudge();
    } catch (error) {
      if (error instanceof MastodonRateLimitedError) {
        // Not a failure: the instance says when to come back.
        this.nextPollAt = error.retryAt;
        log.warn({ reason }, error.message);
        return;
      }
      this.pollFailures += 1;
      const message = error instanceof Error ? error.message : String(error);
      this.stats.lastPollError = message;
      this.nextPollAt = Date.now() + cappedBackoffMs(pollIntervalMs, this.pollFailures - 1, pollMaxBackoffMs);
      if (error instanceof HeroldError && !(error instanceof MastodonRejectedError)) {
        (this.pollFailures === 1 ? log.warn.bind(log) : log.debug.bind(log))({ reason, attempt: this.pollFailures }, `Polling for mentions failed: ${message}`);
      } else {
        log.error({ reason, err: message }, 'Polling for mentions failed.');
      }
    }
  }

  /**
   * One catch-up under the poll lock. Returns a time to wait for when the
   * rate limit or the polling budget says stop, else null.
   */
  private async poll(): Promise<number | null> {
    const { store } = this.deps;
    // The lock lives long enough for a big catch-up; it is released at the end.
    if (!(await store.tryPollLock(this.token, 60_000))) return null;
    try {
      const cursor = await store.cursor();
      return cursor === null ? await this.firstStart() : await this.forward(cursor);
    } finally {
      await store.releasePollLock(this.token).catch(() => undefined);
    }
  }

  /** Whether one more request may go out now; else the time to try again. */
  private async mayRequest(): Promise<number | null> {
    // The account's rate gate (in the notifications client) holds a poll back while the instance
    // refuses the account or when only the schedule's share is left; this is the paging budget of polling.
    const { limit, windowMs } = this.tuning.pollBudget;
    if (await this.deps.store.takePollRequest(limit, windowMs)) {
      this.stats.pollRequests += 1;
      return null;
    }
    if (!this.budgetWarned) this.deps.log.warn(`The polling budget (${limit} requests per ${Math.round(windowMs / 60_000)} min) is used up; polling waits for the next window.`);
    this.budgetWarned = true;
    return (Math.floor(Date.now() / windowMs) + 1) * windowMs;
  }

  /** Pages forward from the cursor (min_id, oldest page first) until caught up. */
  private async forward(from: string): Promise<number | null> {
    let cursor = from;
    for (;;) {
      const wait = await this.mayRequest();
      if (wait !== null) return wait;
      const page = await this.deps.source.mentions({ minId: cursor });
      if (page.length === 0) return null;
      for (const n of oldestFirst(page)) {
        this.stats.polled += 1;
        await this.deps.intake.handle(n);
      }
      cursor = newestId(page)!;
      await this.deps.store.advanceCursor(cursor);
      if (page.length < MAX_PAGE || this.closed) return null;
    }
  }

  /**
   * No cursor yet: Herold answers for the first time on this instance (or
   * this prefix). Questions from the last `maxAgeMs` are answered, older
   * ones are left alone; then the cursor starts at the newest mention.
   */
  private async firstStart(): Promise<number | null> {
    const notBefore = Date.now() - this.deps.maxAgeMs;
    const fresh: IncomingNotification[] = [];
    let newest: string | null = null;
    let maxId: string | undefined;
    let old = 0;
    for (;;) {
      const wait = await this.mayRequest();
      if (wait !== null) return wait;
      const page = await this.deps.source.mentions({ maxId });
      if (page.length === 0) break;
      newest ??= newestId(page);
      for (const n of page) {
        if (Date.parse(n.createdAt) >= notBefore) fresh.push(n);
        else old += 1;
      }
      const oldest = oldestFirst(page)[0]!;
      if (page.length < MAX_PAGE || Date.parse(oldest.createdAt) < notBefore) break;
      maxId = oldest.id;
    }
    for (const n of oldestFirst(fresh)) {
      this.stats.polled += 1;
      await this.deps.intake.handle(n);
    }
    await this.deps.store.advanceCursor(newest ?? '0');
    this.deps.log.info(
      { answering: fresh.length, leftAlone: old },
      `First start: answering ${fresh.length} mention(s) from the last ${Math.round(this.deps.maxAgeMs / 60_000)} min${old > 0 ? `, leaving ${old} older one(s) alone` : ''}.`,
    );
    return null;
  }
}
