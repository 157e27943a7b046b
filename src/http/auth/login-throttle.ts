/** How many wrong logins one address may try, and how long it then waits. */
export interface LoginThrottleOptions {
  /** Failed attempts allowed per window; the next one is refused. Default 10. */
  readonly maxFailures: number;
  /** Length of the window in ms, counted from the first failure. Default 15 min. */
  readonly windowMs: number;
  /** Addresses remembered at most, so a flood of addresses cannot fill memory. Default 10 000. */
  readonly maxTracked: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxFailures: 10, windowMs: 15 * 60_000, maxTracked: 10_000 };

interface Failures {
  count: number;
  since: number;
}

/**
 * Failed dashboard logins per client address. After `maxFailures` in a
 * window every attempt from that address is refused until the window ends,
 * the right password too: guessing gets ten tries per quarter hour.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
  ) {}

  /** Seconds until `ip` may try again, or 0 when it may now. */
  blockedFor(ip: string): number {
    const entry = this.current(ip);
    if (!entry || entry.count < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.since + this.options.windowMs - this.now()) / 1000));
  }

  /** Records a failure; returns how many `ip` has in the current window. */
  fail(ip: string): number {
    let entry = this.current(ip);
    if (!entry) {
      if (this.failures.size >= this.options.maxTracked) this.forgetOldest();
      entry = { count: 0, since: this.now() };
      this.failures.set(ip, entry);
    }
    entry.count += 1;
    return entry.count;
  }

  succeed(ip: string): void {
    this.failures.delete(ip);
  }

  private current(ip: string): Failures | undefined {
    const entry = this.failures.get(ip);
    if (entry && this.now() - entry.since >= this.options.windowMs) {
      this.failures.delete(ip);
      return undefined;
    }
    return entry;
  }

  private forgetOldest(): void {
    const oldest = this.failures.keys().next();
    if (!oldest.done) this.failures.delete(oldest.value);
  }
}
