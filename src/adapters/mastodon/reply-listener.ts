import type { Logger } from 'pino';
import { HeroldError, MastodonRateLimitedError, MastodonRejectedError } from '../../errors.ts';
import type { Intake } from '../../core/intake.ts';
import type { ReplyStore } from '../redis/reply-store.ts';
import type { IncomingNotification } from '../../replies/types.ts';
import { MentionPoller } from './mention-poller.ts';
import { NotificationStream, type StreamState } from './notification-stream.ts';
import type { MastoNotifications } from './notifications.ts';
import { checkNotificationPolicy, type PolicyReport } from './notification-policy-check.ts';
import { RetryClock } from './retry-clock.ts';
import { SingleFlight } from './single-flight.ts';

export type { PolicyReport } from './notification-policy-check.ts';

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
  readonly onSelf: (self: Self) => void;
}

export interface ListenerStats {
  streamed: number;
  polled: number;
  pollRequests: number;
  catchUps: number;
  lastPollError: string | null;
}

type Self = { id: string; acct: string; username: string };

/**
 * The listener's life: `starting` until the instance has told who the bot
 * is, its policy and its streaming URL (retried with back-off), then
 * `listening`, until `closed`.
 */
type Phase = 'starting' | 'listening' | 'closed';

const TICK_MS = 100;

/**
 * Receives mentions: the streaming API while it is up, polling with a
 * cursor whenever it is not, so nothing is missed across reconnects and
 * restarts.
 *
 * The cursor (Redis) is the newest notification id up to which every
 * mention has been queued; only polling moves it (MentionPoller), page by
 * page, after the page's mentions are queued. Streamed mentions are queued
 * at once but do not move it: a mention the stream missed (sent while it
 * reconnected) has a smaller id than one it delivered, and the next
 * catch-up still finds it. Catching up runs at the start, each time the
 * stream (re)connects, every `pollIntervalMs` while it is down, and every
 * `reconcileMs` regardless.
 */
export class ReplyListener {
  private phase: Phase = 'starting';
  private self: Self | null = null;
  private stream: NotificationStream | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private lastCatchUpAt = 0;
  private readonly tuning;
  /** When the next attempt to start may run. */
  private readonly starts: RetryClock;
  /** When the next catch-up is due while the stream is down. */
  private readonly polls: RetryClock;
  private readonly starting: SingleFlight<void>;
  private readonly catchingUp: SingleFlight<string>;
  private readonly poller: MentionPoller;
  /** Streamed mentions being queued; close() waits for them. */
  private readonly queueing = new Set<Promise<unknown>>();
  policy: PolicyReport | null = null;
  readonly stats: ListenerStats = { streamed: 0, polled: 0, pollRequests: 0, catchUps: 0, lastPollError: null };

  constructor(private readonly deps: ListenerDeps) {
    const t = deps.tuning;
    this.tuning = {
      pollIntervalMs: t.pollIntervalMs ?? 5000,
      pollMaxBackoffMs: t.pollMaxBackoffMs ?? 60_000,
      reconcileMs: t.reconcileMs ?? 10 * 60_000,
      settleMs: t.settleMs ?? 250,
      pollBudget: t.pollBudget ?? { limit: 300, windowMs: 15 * 60_000 },
    };
    this.starts = new RetryClock(this.tuning.pollIntervalMs, this.tuning.pollMaxBackoffMs);
    this.polls = new RetryClock(this.tuning.pollIntervalMs, this.tuning.pollMaxBackoffMs);
    const stopped = () => this.closed;
    this.starting = new SingleFlight(() => this.startOnce(), { rerun: false });
    this.catchingUp = new SingleFlight((reason) => this.catchUpOnce(reason), { rerun: true, stopped });
    this.poller = new MentionPoller({
      source: deps.source,
      store: deps.store,
      intake: deps.intake,
      maxAgeMs: deps.maxAgeMs,
      budget: this.tuning.pollBudget,
      log: deps.log,
      counts: this.stats,
      stopped,
    });
  }

  private get closed(): boolean {
    return this.phase === 'closed';
  }

  get streamState(): StreamState | 'off' {
    return this.stream?.state ?? 'off';
  }

  /** Starts receiving; resolves once the first attempt to reach the instance is over (it keeps trying if that failed). */
  async start(): Promise<void> {
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
    await this.starting.run();
  }

  async close(): Promise<void> {
    this.phase = 'closed';
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    await this.stream?.close();
    await Promise.allSettled([...this.queueing, this.starting.settled(), this.catchingUp.settled()]);
  }

  /** Catches up now (tests, and the stream's hints); resolves when done. */
  catchUp(reason = 'requested'): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.catchingUp.run(reason);
  }

  /** Every TICK_MS: start again when due, else catch up when the stream is down or a reconcile is due. */
  private tick(): void {
    const now = Date.now();
    switch (this.phase) {
      case 'closed':
        return;
      case 'starting':
        if (!this.starting.busy && this.starts.due(now)) void this.starting.run();
        return;
      case 'listening':
        if (this.catchingUp.busy) return;
        if (this.stream?.state !== 'up' && this.polls.due(now)) void this.catchUp('stream down');
        else if (now - this.lastCatchUpAt >= this.tuning.reconcileMs) void this.catchUp('reconcile');
    }
  }

  /** Who the bot is, its notification policy, the stream; each asked until known. */
  private async startOnce(): Promise<void> {
    const { source, log } = this.deps;
    try {
      if (!this.self) {
        this.self = await source.me();
        this.deps.onSelf(this.self);
      }
      this.policy ??= await checkNotificationPolicy(source, { acceptDms: this.deps.acceptDms, acct: this.self.acct, log });
      if (this.deps.tuning.stream !== false && !this.stream && !this.closed) {
        const streamingUrl = this.deps.tuning.streamingUrl ?? (await source.streamingUrl());
        if (this.closed) return;
        this.stream = this.openStream(streamingUrl);
      }
      if (this.phase === 'starting') this.phase = 'listening';
      this.starts.succeeded();
      log.info({ stream: this.deps.tuning.stream !== false }, `Answering questions to @${this.self.acct}.`);
      void this.catchUp('start');
    } catch (error) {
      this.starts.failed(Date.now());
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof MastodonRejectedError) log.error(`Cannot answer questions: ${message}`);
      else log.warn(`Cannot start answering questions yet: ${message}`);
    }
  }

  private openStream(streamingUrl: string): NotificationStream {
    const stream = new NotificationStream({
      streamingUrl,
      accessToken: this.deps.accessToken,
      heartbeatMs: this.deps.tuning.heartbeatMs,
      log: this.deps.log,
      onNotification: (n) => this.onStreamed(n),
      onUp: () => {
        const timer = setTimeout(() => void this.catchUp('stream up'), this.tuning.settleMs);
        timer.unref();
      },
      onDown: () => this.polls.notBefore(Date.now() + this.tuning.pollIntervalMs),
      onRefresh: () => void this.catchUp('notifications merged'),
    });
    stream.start();
    return stream;
  }

  private onStreamed(n: IncomingNotification): void {
    if (this.closed || !this.self) return;
    this.stats.streamed += 1;
    const queued = this.deps.intake.handle(n).catch((error: unknown) => {
      this.deps.log.warn({ notification: n.id, err: (error as Error).message }, 'Could not queue a streamed mention; the next catch-up brings it again.');
      this.polls.at(0);
    });
    this.queueing.add(queued);
    void queued.finally(() => this.queueing.delete(queued));
  }

  private async catchUpOnce(reason: string): Promise<void> {
    const { log } = this.deps;
    if (!this.self) return;
    this.stats.catchUps += 1;
    try {
      const deferredUntil = await this.poller.catchUp();
      this.lastCatchUpAt = Date.now();
      if (this.polls.succeeded(Math.max(Date.now() + this.tuning.pollIntervalMs, deferredUntil ?? 0)) > 0) log.info('The instance answers again; caught up on mentions.');
      this.stats.lastPollError = null;
      // It answers REST again; no need for the stream to wait out its back-off.
      this.stream?.nudge();
    } catch (error) {
      if (error instanceof MastodonRateLimitedError) {
        // Not a failure: the instance says when to come back.
        this.polls.at(error.retryAt);
        log.warn({ reason }, error.message);
        return;
      }
      const attempt = this.polls.failed(Date.now());
      const message = error instanceof Error ? error.message : String(error);
      this.stats.lastPollError = message;
      if (error instanceof HeroldError && !(error instanceof MastodonRejectedError)) {
        (attempt === 1 ? log.warn.bind(log) : log.debug.bind(log))({ reason, attempt }, `Polling for mentions failed: ${message}`);
      } else {
        log.error({ reason, err: message }, 'Polling for mentions failed.');
      }
    }
  }
}
