import type { RateLimitState } from '../mastodon/mastodon-account.ts';

/**
 * The freshest rate-limit reading of the account, from every response the
 * process has seen (posts and polls share the limit). Mastodon counts in
 * fixed windows: within a window `remaining` only goes down, so of two
 * readings for the same window the lower one is newer; a reading for a
 * later window replaces the older one.
 */
export class RateLimitView {
  private state: RateLimitState | null = null;

  observe(reading: RateLimitState | null | undefined): void {
    if (!reading) return;
    const current = this.state;
    if (!current || reading.resetAt > current.resetAt + 500) this.state = reading;
    else if (Math.abs(reading.resetAt - current.resetAt) <= 500 && reading.remaining < current.remaining) this.state = reading;
  }

  /** The reading, or null once its window has ended (a new window starts full). */
  current(now = Date.now()): RateLimitState | null {
    return this.state && this.state.resetAt > now ? this.state : null;
  }

  /**
   * When a request that must leave `reserve` requests unused has to wait:
   * the end of the window (epoch ms), or null if it may go now.
   */
  waitUntil(reserve: number, now = Date.now()): number | null {
    const state = this.current(now);
    return state && state.remaining <= reserve ? state.resetAt : null;
  }
}

/** Requests replies leave unused in each window: room for schedule toots, polling and requests already in flight. */
export function replyReserve(limit: number): number {
  return Math.max(8, Math.ceil(limit * 0.05));
}
