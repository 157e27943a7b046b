import type { RateLimitState } from '../../core/ports/mastodon-account.ts';

/**
 * Reads Mastodon's X-RateLimit-* headers. Reset is an ISO time; a few servers
 * and proxies send seconds instead, which we accept too.
 */
export function readRateLimit(headers: Headers, now = Date.now()): RateLimitState | null {
  const limit = Number(headers.get('x-ratelimit-limit'));
  const remaining = Number(headers.get('x-ratelimit-remaining'));
  const reset = headers.get('x-ratelimit-reset');
  if (!headers.has('x-ratelimit-remaining') || Number.isNaN(remaining)) return null;
  return { limit: Number.isNaN(limit) ? 0 : limit, remaining, resetAt: parseReset(reset, now) };
}

export function parseReset(reset: string | null, now = Date.now()): number {
  if (!reset) return now + 60_000;
  if (/^\d+(\.\d+)?$/.test(reset)) return now + Number(reset) * 1000;
  const at = Date.parse(reset);
  return Number.isNaN(at) ? now + 60_000 : at;
}
