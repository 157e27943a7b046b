import type { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { createClassifier, type LoadedFaq } from '../faq/index.ts';
import type { MastodonAccount, RateLimitState } from '../core/ports/mastodon-account.ts';
import { MastoNotifications } from '../adapters/mastodon/notifications.ts';
import type { RequestGate } from '../adapters/mastodon/request-gate.ts';
import type { JobSink } from '../core/ports/job-queue.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from '../adapters/redis/state-store.ts';
import { CurrentSchedule } from '../core/current-schedule.ts';
import { Intake } from '../core/intake.ts';
import { ReplyListener, type ReplyTuning } from '../adapters/mastodon/reply-listener.ts';
import { postOnceOptions } from '../core/post-once.ts';
import { ReplyProcessor } from '../core/reply-processor.ts';
import type { ReplyStore } from '../adapters/redis/reply-store.ts';
import { DEFAULT_NOTIFY_CAP } from '../adapters/redis/notify-store.ts';
import type { CoreWiring } from './core-wiring.ts';
import { shipped } from '../install-dir.ts';

export type { ReplyTuning } from '../adapters/mastodon/reply-listener.ts';
export { ReplyStore } from '../adapters/redis/reply-store.ts';

export interface RepliesDeps {
  readonly config: Config;
  /** The wiring's stores (src/app/core-wiring.ts) on the worker's connection. */
  readonly stores: Pick<CoreWiring, 'replies' | 'attempts' | 'checks' | 'notify'>;
  readonly jobs: JobSink;
  readonly store: StateStore;
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly primary: MastodonAccount;
  readonly characterLimit: number;
  readonly now: () => DateTime;
  readonly log: Logger;
  /** The service's reaction to rate-limit readings (pausing the queue); polls report theirs too. */
  readonly onRateLimit?: (state: RateLimitState) => void;
  /** The primary account's shared rate budget: polls and answers ask it like posts and edits do. */
  readonly gate?: RequestGate;
  /** Counts each reply sent (metrics). */
  readonly onReplied?: () => void;
  /** The FAQ as loaded once at start (src/app/herold-service.ts), or why it could not be. */
  readonly faq: LoadedFaq | Error;
}

export interface RepliesStartOptions {
  /** Listen for mentions: false, true, or true with tuning. */
  readonly listen: boolean | ReplyTuning;
  /** `herold run --accept-dms`. */
  readonly acceptDms?: boolean;
}

/**
 * Auto-replies, put together for startHerold: the processor for 'reply'
 * jobs exists in every process (so any worker can send a queued reply);
 * the listener only where replies are on.
 */
export class Replies {
  readonly store: ReplyStore;
  readonly processor: ReplyProcessor;
  private readonly current: CurrentSchedule;
  listener: ReplyListener | null = null;

  constructor(private readonly deps: RepliesDeps) {
    this.store = deps.stores.replies;
    this.current = new CurrentSchedule(deps.schedules, deps.store, deps.now);
    this.processor = new ReplyProcessor({
      store: this.store,
      current: this.current,
      account: deps.primary,
      posting: postOnceOptions(deps.stores.attempts, deps.config.requestTimeoutMs),
      // Read at each use: the instance may tell its limit only after the start.
      get characterLimit() {
        return deps.characterLimit;
      },
      cooldownMs: deps.config.replyCooldownMs,
      enabled: deps.config.replies,
      answers: deps.faq instanceof Error ? null : deps.faq.answers,
      now: deps.now,
      log: deps.log,
      onReplied: deps.onReplied,
      checks: deps.stores.checks,
      notify: {
        store: deps.stores.notify,
        jobs: deps.jobs,
        dirs: { de: shipped('templates/de/notify/'), en: shipped('templates/en/notify/') },
        cap: DEFAULT_NOTIFY_CAP,
      },
    });
  }

  async start(options: RepliesStartOptions): Promise<void> {
    const { config, log } = this.deps;
    if (options.listen === false) return;
    if (!config.replies) {
      log.info('HEROLD_REPLIES=off: questions are not answered.');
      return;
    }
    if (this.current.size === 0) {
      log.warn('No schedule is loaded, so questions are not answered.');
      return;
    }
    const { faq } = this.deps;
    if (faq instanceof Error) {
      // The schedule's toots matter more than answers: keep running, loudly.
      log.error(`Questions are not answered, the FAQ cannot be loaded: ${faq.message} Check it with \`herold faq eval\`.`);
      return;
    }
    const matcher = createClassifier(faq);
    const source = new MastoNotifications({
      url: config.mastodonUrl,
      accessToken: config.mastodonAccessToken,
      timeoutMs: config.requestTimeoutMs,
      gate: this.deps.gate,
      onRateLimit: this.deps.onRateLimit,
    });
    let self = { id: '', username: '' };
    const intake = new Intake({ store: this.store, jobs: this.deps.jobs, matcher, current: this.current, self: () => self, log });
    this.listener = new ReplyListener({
      source,
      accessToken: config.mastodonAccessToken,
      store: this.store,
      intake,
      maxAgeMs: config.replyMaxAgeMs,
      acceptDms: options.acceptDms ?? false,
      tuning: options.listen === true ? {} : options.listen,
      log,
      onSelf: (me) => {
        self = me;
      },
    });
    await this.listener.start();
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }
}
