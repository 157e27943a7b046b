import { MastodonUnavailableError } from '../errors.ts';
import type { AccountObserver } from './observed-account.ts';

/** What this process last saw of the primary instance; shown in /api, on the status page and in /metrics. */
export interface ReachabilityView {
  /** null until the first call has an outcome. */
  readonly reachable: boolean | null;
  /** ISO time of the first failed call of the current outage; null while the instance answers. */
  readonly unreachableSince: string | null;
}

export interface ReachabilityChange {
  readonly reachable: boolean;
  /** Start of the outage that began (reachable false) or ended (reachable true). */
  readonly since: number;
  /** Why the call failed (reachable false). */
  readonly reason: string | null;
}

/**
 * Whether the primary instance answers, from the outcome of every call to
 * it. Any HTTP answer from Mastodon itself counts as reachable, a 429 or a
 * 4xx too; a refused connection, a timeout, a dropped socket or a 5xx (nginx's
 * 502 page) counts as unreachable.
 */
export class InstanceReachability {
  private reachable: boolean | null = null;
  private since: number | null = null;

  constructor(
    /** Epoch ms; the service's clock, so rehearsals show their own time. */
    private readonly now: () => number,
    private readonly onChange: (change: ReachabilityChange) => void = () => undefined,
  ) {}

  answered(): void {
    if (this.reachable === true) return;
    const since = this.since;
    this.reachable = true;
    this.since = null;
    if (since !== null) this.onChange({ reachable: true, since, reason: null });
  }

  failed(reason: string): void {
    if (this.reachable === false) return;
    this.reachable = false;
    this.since = this.now();
    this.onChange({ reachable: false, since: this.since, reason });
  }

  view(): ReachabilityView {
    return { reachable: this.reachable, unreachableSince: this.since === null ? null : new Date(this.since).toISOString() };
  }

  /** Feeds it from every call made through an observed account. */
  observer(): AccountObserver {
    return {
      succeeded: () => this.answered(),
      failed: (_method, error) => (error instanceof MastodonUnavailableError ? this.failed(error.message) : this.answered()),
    };
  }
}
