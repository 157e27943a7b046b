import type { Hono } from 'hono';
import { Counter, Gauge, Registry } from 'prom-client';
import { PHASES, type Phase } from '../../schedule/progress.ts';
import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError } from '../../errors.ts';
import type { ReachabilityView } from '../../core/instance-reachability.ts';
import type { MastodonAccount } from '../../core/ports/mastodon-account.ts';
import type { BucketReport } from '../../core/rate-budget.ts';
import { observedAccount } from '../../core/observed-account.ts';

type Role = 'primary' | 'fallback';
export type FailureReason = 'rejected' | 'unavailable' | 'rate_limited' | 'other';

/**
 * What the engine reports to monitoring. Small on purpose, so the processor,
 * the reply worker and tests can take it without knowing prom-client.
 */
export interface Metrics {
  /** A status was posted (announcement, start, milestone, …). */
  posted(account: Role): void;
  /** The progress toot was edited. */
  edited(account: Role): void;
  /** A user's question was answered. */
  replied(): void;
  /** A call to Mastodon failed. */
  failed(account: Role, reason: FailureReason): void;
}

/** BullMQ job counts by state, read at scrape time. */
export type QueueCounts = () => Promise<Record<string, number>>;

export interface MetricsSources {
  /** Queue depth; usually `queue.getJobCounts(...)`. */
  readonly queueCounts?: QueueCounts;
  /** Accounts whose last rate-limit reading is exported. */
  readonly accounts?: readonly Pick<MastodonAccount, 'role' | 'rateLimit'>[];
  /** The primary account's shared rate budget, per bucket (read from Redis at scrape time). */
  readonly budget?: () => Promise<BucketReport[]>;
  /** Task checks and their verdicts (null before the first). */
  readonly checks?: () => Promise<readonly { schedule: string; task: string; passing: boolean | null }[]>;
  /** Whether the primary instance answers (src/core/instance-reachability.ts). */
  readonly reachability?: () => ReachabilityView;
  /** Where each maintenance stands (read from Redis at scrape time). */
  readonly schedules?: () => Promise<readonly ScheduleReading[]>;
}

/** One maintenance as the gauges show it. */
export interface ScheduleReading {
  readonly schedule: string;
  readonly phase: Phase;
  /** Tasks done or skipped, and all tasks. */
  readonly done: number;
  readonly total: number;
  /** The deadline in force, Unix ms. */
  readonly deadline: number;
  /** The last edit of the progress toot, Unix ms; null before the first. */
  readonly lastEditAt: number | null;
}

const QUEUE_STATES = ['waiting', 'delayed', 'prioritized', 'active', 'paused', 'failed', 'completed'] as const;

/** Herold's metrics in their own registry (never prom-client's global one), served at /metrics. */
export class HeroldMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly posts: Counter<'account'>;
  private readonly edits: Counter<'account'>;
  private readonly replies: Counter;
  private readonly failures: Counter<'account' | 'reason'>;
  private sources: MetricsSources = {};

  constructor() {
    const registers = [this.registry];
    this.posts = new Counter({ name: 'herold_posts_total', help: 'Statuses Herold posted (toots and replies).', labelNames: ['account'], registers });
    this.edits = new Counter({ name: 'herold_edits_total', help: 'Edits of the progress toot.', labelNames: ['account'], registers });
    this.replies = new Counter({ name: 'herold_replies_total', help: 'Questions answered (each reply also counts in herold_posts_total).', registers });
    this.failures = new Counter({
      name: 'herold_failures_total',
      help: 'Failed calls to Mastodon, by reason (rejected: retrying cannot help; unavailable and rate_limited are retried).',
      labelNames: ['account', 'reason'],
      registers,
    });
    // Zero series from the start, so rate() and alerts work before the first event.
    for (const account of ['primary', 'fallback'] as const) {
      this.posts.labels(account).inc(0);
      this.edits.labels(account).inc(0);
    }
    this.replies.inc(0);
    this.failures.labels('primary', 'rejected').inc(0);

    const self = this;
    new Gauge({
      name: 'herold_queue_jobs',
      help: 'Jobs in the queue by state, read from BullMQ at scrape time.',
      labelNames: ['state'],
      registers,
      async collect() {
        if (!self.sources.queueCounts) return;
        this.reset();
        const counts = await self.sources.queueCounts();
        for (const state of QUEUE_STATES) this.labels(state).set(counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'herold_rate_limit_remaining',
      help: 'Requests left in the instance rate-limit window, from the last X-RateLimit-Remaining header.',
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const account of self.sources.accounts ?? []) if (account.rateLimit) this.labels(account.role).set(account.rateLimit.remaining);
      },
    });
    new Gauge({
      name: 'herold_rate_limit_limit',
      help: 'Size of the instance rate-limit window, from the last X-RateLimit-Limit header.',
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const account of self.sources.accounts ?? []) if (account.rateLimit) this.labels(account.role).set(account.rateLimit.limit);
      },
    });
    const budgetGauge = (name: string, help: string, value: (b: BucketReport) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['bucket'],
        registers,
        async collect() {
          if (!self.sources.budget) return;
          this.reset();
          for (const b of await self.sources.budget()) {
            const v = value(b);
            if (v !== null) this.labels(b.bucket).set(v);
          }
        },
      });
    budgetGauge('herold_rate_budget_remaining', "Requests (or statuses) left in each bucket of the primary account's shared rate budget: token, account, paging, statuses.", (b) => b.remaining);
    budgetGauge('herold_rate_budget_limit', 'Size of each bucket of the shared rate budget.', (b) => b.limit);
    budgetGauge('herold_rate_budget_reset_seconds', "Seconds until each bucket's window resets.", (b) => Math.max(0, (b.resetAt - Date.now()) / 1000));
    budgetGauge('herold_rate_budget_blocked_seconds', 'Seconds until a bucket the instance refused with 429 may be used again (0: not blocked).', (b) => (b.blockedUntil ? Math.max(0, (b.blockedUntil - Date.now()) / 1000) : 0));
    this.checkGauge();
    this.reachabilityGauges();
    this.scheduleGauges();
  }

  /**
   * Phase, tasks done and total, deadline and last edit per maintenance. One
   * read of the state serves the four gauges of a scrape.
   */
  private scheduleGauges(): void {
    const self = this;
    const registers = [this.registry];
    let reading: { at: number; readings: Promise<readonly ScheduleReading[]> } | null = null;
    const read = () => {
      if (!reading || Date.now() - reading.at > 250) reading = { at: Date.now(), readings: self.sources.schedules!() };
      return reading.readings;
    };
    const gauge = (name: string, help: string, labelNames: string[], set: (g: Gauge, r: ScheduleReading) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          if (!self.sources.schedules) return;
          this.reset();
          for (const r of await read()) set(this, r);
        },
      });
    gauge('herold_phase', 'The phase of each maintenance: 1 for the current one, 0 for the others (announced, running, complete, backout, cancelled).', ['schedule', 'phase'], (g, r) => {
      for (const phase of PHASES) g.labels(r.schedule, phase).set(phase === r.phase ? 1 : 0);
    });
    gauge('herold_tasks_done', 'Tasks done or skipped, per maintenance.', ['schedule'], (g, r) => g.labels(r.schedule).set(r.done));
    gauge('herold_tasks_total', 'Tasks in the schedule, per maintenance.', ['schedule'], (g, r) => g.labels(r.schedule).set(r.total));
    gauge('herold_deadline_seconds', 'The back-out deadline in force (Unix time), per maintenance.', ['schedule'], (g, r) => g.labels(r.schedule).set(r.deadline / 1000));
    gauge('herold_progress_last_edit_seconds', 'When the progress toot was last edited (Unix time); 0 before the first edit.', ['schedule'], (g, r) => g.labels(r.schedule).set((r.lastEditAt ?? 0) / 1000));
  }

  private checkGauge(): void {
    const self = this;
    new Gauge({
      name: 'herold_check_passing',
      help: "A task check's verdict: 1 passing, 0 failing (after `passes` results in a row); absent before the first verdict.",
      labelNames: ['schedule', 'task'],
      registers: [this.registry],
      async collect() {
        if (!self.sources.checks) return;
        this.reset();
        for (const c of await self.sources.checks()) if (c.passing !== null) this.labels(c.schedule, c.task).set(c.passing ? 1 : 0);
      },
    });
  }

  /** Whether the primary instance answers, and since when it does not (src/core/instance-reachability.ts). */
  private reachabilityGauges(): void {
    const self = this;
    const registers = [this.registry];
    new Gauge({
      name: 'herold_instance_reachable',
      help: 'Whether the primary instance answered Herold\'s last call (1) or not (0); absent before the first call.',
      registers,
      collect() {
        this.reset();
        const reachable = self.sources.reachability?.().reachable;
        if (reachable !== undefined && reachable !== null) this.set(reachable ? 1 : 0);
      },
    });
    new Gauge({
      name: 'herold_instance_unreachable_since_seconds',
      help: 'Unix time of the first failed call of the current outage of the primary instance; 0 while it answers.',
      registers,
      collect() {
        this.reset();
        if (!self.sources.reachability) return;
        const since = self.sources.reachability().unreachableSince;
        this.set(since ? Date.parse(since) / 1000 : 0);
      },
    });
  }

  /** Where the gauges read from at scrape time. */
  observe(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  posted(account: Role): void {
    this.posts.labels(account).inc();
  }

  edited(account: Role): void {
    this.edits.labels(account).inc();
  }

  replied(): void {
    this.replies.inc();
  }

  failed(account: Role, reason: FailureReason): void {
    this.failures.labels(account, reason).inc();
  }

  /** Prometheus text format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function reasonOf(error: unknown): FailureReason {
  if (error instanceof MastodonRejectedError) return 'rejected';
  if (error instanceof MastodonRateLimitedError) return 'rate_limited';
  if (error instanceof MastodonUnavailableError) return 'unavailable';
  return 'other';
}

/**
 * The account with every post and edit counted, and every failed call by
 * reason; the processor takes it in place of the account and knows nothing of it.
 */
export function meteredAccount<T extends MastodonAccount>(account: T, metrics: Metrics): T {
  const onSuccess: Record<string, (() => void) | undefined> = {
    post: () => metrics.posted(account.role),
    edit: () => metrics.edited(account.role),
  };
  return observedAccount(account, {
    succeeded: (method) => onSuccess[method]?.(),
    failed: (_method, error) => metrics.failed(account.role, reasonOf(error)),
  });
}

/** GET /metrics in the Prometheus text format. */
export function mountMetrics(app: Hono, metrics: HeroldMetrics): void {
  app.get('/metrics', async (c) => {
    const { contentType, body } = await metrics.text();
    return c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  });
}
