/**
 * Fixed-window request counting like rack-attack, which Mastodon uses: the
 * windows are aligned to multiples of the period since the epoch (not to the
 * first request), every request counts, including the refused ones, and the
 * reset time is the end of the current window.
 */
import type { RateLimitConfig } from './types.ts';

/** What "off" advertises: a limit no test or rehearsal reaches, in a 5 minute window. */
const UNLIMITED: RateLimitConfig = { limit: 1_000_000, windowMs: 300_000 };

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Epoch milliseconds at which the current window ends. */
  readonly resetAt: number;
}

export class RateLimiter {
  private config: RateLimitConfig | null;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    config: RateLimitConfig | null,
    private readonly clock: () => number,
  ) {
    this.config = RateLimiter.validate(config);
  }

  private static validate(config: RateLimitConfig | null): RateLimitConfig | null {
    if (config === null) return null;
    if (!Number.isInteger(config.limit) || config.limit < 0 || !(config.windowMs > 0)) {
      throw new RangeError(
        `A rate limit needs a whole, non-negative limit and a positive windowMs; got ${JSON.stringify(config)}.`,
      );
    }
    return { ...config };
  }

  /** A new limit starts fresh windows, as after a Mastodon restart with a new rack-attack setting. */
  setConfig(config: RateLimitConfig | null): void {
    this.config = RateLimiter.validate(config);
    this.windows.clear();
  }

  hit(key: string): RateLimitVerdict {
    const { limit, windowMs } = this.config ?? UNLIMITED;
    const now = this.clock();
    const start = Math.floor(now / windowMs) * windowMs;
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: this.config === null || window.count <= limit,
      limit,
      remaining: Math.max(0, limit - window.count),
      resetAt: start + windowMs,
    };
  }
}

export function rateLimitHeaders(verdict: RateLimitVerdict): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(verdict.limit),
    'X-RateLimit-Remaining': String(verdict.remaining),
    'X-RateLimit-Reset': new Date(verdict.resetAt).toISOString(),
  };
}
