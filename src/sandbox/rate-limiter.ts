/**
 * Mastodon's rate limits, several buckets at once, as
 * config/initializers/rack_attack.rb and app/lib/rate_limiter.rb define them.
 *
 * rack-attack (every request, in this order; the first bucket over its limit
 * refuses the request with 429 and the buckets after it are not counted):
 *   account  1,500 / 5 min   every API request of a logged-in user
 *   token      300 / 5 min   every API request, per access token
 *   ip         300 / 5 min   API requests without a valid token, per IP
 *   media       30 / 30 min  POST /api/v{1,2}/media
 *   paging     300 / 15 min  requests with max_id, since_id, min_id or page
 *   deletes     30 / 30 min  DELETE /api/v1/statuses/:id, POST …/:id/unreblog
 * Windows are fixed and aligned to the epoch; refused requests count too.
 *
 * RateLimiter family :statuses (per account, 300 / 3 h): every status saved
 * and every edit that changes something (StatusEdit has
 * `rate_limit by: :account, family: :statuses`); the one over the limit is
 * refused (Mastodon::RateLimitExceededError → 429) and not counted.
 *
 * Headers (Api::RateLimitHeaders): the rack-attack bucket with the fewest
 * requests left; on POST /api/v1/statuses and PUT /api/v1/statuses/:id the
 * statuses family's instead, unless a rack-attack bucket has fewer left. The
 * reset is the end of the bucket's window plus the request time's fraction of
 * a second (`request_time + period - request_time.to_i % period`), in
 * ISO 8601 with microseconds, as Ruby's iso8601(6) prints it.
 *
 * `scale` divides every period, so that tests can run a 3 h window in seconds.
 */
import { ApiError, SandboxError } from './api-error.ts';
import type { RateLimitBucket, RateLimitBucketConfig, RateLimitConfig, RateLimitSettings } from './types.ts';

const MINUTE = 60_000;

export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitBucket, RateLimitBucketConfig>> = {
  account: { limit: 1_500, periodMs: 5 * MINUTE },
  token: { limit: 300, periodMs: 5 * MINUTE },
  ip: { limit: 300, periodMs: 5 * MINUTE },
  media: { limit: 30, periodMs: 30 * MINUTE },
  paging: { limit: 300, periodMs: 15 * MINUTE },
  deletes: { limit: 30, periodMs: 30 * MINUTE },
  statuses: { limit: 300, periodMs: 180 * MINUTE },
};

export const RATE_LIMIT_BUCKETS = Object.keys(DEFAULT_RATE_LIMITS) as RateLimitBucket[];

/** What "off" advertises: a limit no test or rehearsal reaches, in a 5 minute window. */
const UNLIMITED: RateLimitBucketConfig = { limit: 1_000_000, periodMs: 5 * MINUTE };

export interface RackRequest {
  readonly method: string;
  readonly path: string;
  readonly accountId: string | null;
  readonly tokenId: string | null;
  readonly ip: string;
  /** Whether the query or body has page, max_id, since_id or min_id. */
  readonly paging: boolean;
}

export interface BucketCount {
  readonly bucket: RateLimitBucket | 'off';
  readonly limit: number;
  readonly count: number;
  readonly periodMs: number;
}

export interface RackVerdict {
  /** The bucket that refused the request, or null. */
  readonly refusedBy: BucketCount | null;
  /** Every bucket the request was counted in, in rack-attack's order. */
  readonly counted: readonly BucketCount[];
}

const MEDIA_PATH = /^\/api\/v\d+\/media$/i;
const DELETE_STATUS_PATH = /^\/api\/v1\/statuses\/\d+$/;
const UNREBLOG_PATH = /^\/api\/v1\/statuses\/\d+\/unreblog$/;

/** The rack-attack throttles in rack_attack.rb's order, each with its discriminator. */
const THROTTLES: readonly { bucket: RateLimitBucket; key: (r: RackRequest) => string | null }[] = [
  { bucket: 'account', key: (r) => r.accountId },
  { bucket: 'token', key: (r) => r.tokenId },
  { bucket: 'ip', key: (r) => (r.accountId === null ? r.ip : null) },
  { bucket: 'media', key: (r) => (r.method === 'POST' && MEDIA_PATH.test(r.path) ? r.accountId : null) },
  { bucket: 'paging', key: (r) => (r.paging ? (r.accountId ?? `ip:${r.ip}`) : null) },
  {
    bucket: 'deletes',
    key: (r) =>
      (r.method === 'POST' && UNREBLOG_PATH.test(r.path)) || (r.method === 'DELETE' && DELETE_STATUS_PATH.test(r.path))
        ? r.accountId
        : null,
  },
];

function validBucket(name: string, config: RateLimitBucketConfig): RateLimitBucketConfig {
  if (!Number.isInteger(config.limit) || config.limit < 0 || !(config.periodMs > 0)) {
    throw new SandboxError(
      `The rate limit "${name}" needs a whole, non-negative limit and a positive periodMs; got ${JSON.stringify(config)}.`,
    );
  }
  return { limit: config.limit, periodMs: config.periodMs };
}

/** The effective buckets of a setting; the old `{limit, windowMs}` form sets the per-token and per-IP buckets. */
export function resolveRateLimits(
  setting: RateLimitSettings | RateLimitConfig | null | undefined,
): Record<RateLimitBucket, RateLimitBucketConfig> | null {
  if (setting === null) return null;
  const buckets: Record<RateLimitBucket, RateLimitBucketConfig> = { ...DEFAULT_RATE_LIMITS };
  if (setting === undefined) return buckets;
  if ('windowMs' in setting || 'limit' in setting) {
    const legacy = setting as RateLimitConfig;
    const single = validBucket('token', { limit: legacy.limit, periodMs: legacy.windowMs });
    buckets.token = single;
    buckets.ip = single;
    return buckets;
  }
  const settings = setting as RateLimitSettings;
  const scale = settings.scale ?? 1;
  if (!(scale > 0)) throw new SandboxError(`The rate-limit scale must be a positive number; got ${scale}.`);
  for (const name of RATE_LIMIT_BUCKETS) {
    const override = settings.buckets?.[name];
    const merged = { ...DEFAULT_RATE_LIMITS[name], ...override };
    buckets[name] = validBucket(name, { limit: merged.limit, periodMs: merged.periodMs / scale });
  }
  for (const name of Object.keys(settings.buckets ?? {})) {
    if (!(RATE_LIMIT_BUCKETS as string[]).includes(name)) {
      throw new SandboxError(`Unknown rate-limit bucket "${name}"; use ${RATE_LIMIT_BUCKETS.join(', ')}.`);
    }
  }
  return buckets;
}

export class RateLimits {
  private buckets: Record<RateLimitBucket, RateLimitBucketConfig> | null;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    setting: RateLimitSettings | RateLimitConfig | null | undefined,
    private readonly clock: () => number,
  ) {
    this.buckets = resolveRateLimits(setting);
  }

  /** New limits start fresh windows, as after a Mastodon restart with a new setting. */
  configure(setting: RateLimitSettings | RateLimitConfig | null | undefined): void {
    this.buckets = resolveRateLimits(setting);
    this.windows.clear();
  }

  get enabled(): boolean {
    return this.buckets !== null;
  }

  config(bucket: RateLimitBucket): RateLimitBucketConfig {
    return this.buckets?.[bucket] ?? UNLIMITED;
  }

  private window(key: string, periodMs: number): { start: number; count: number } {
    const now = this.clock();
    const start = Math.floor(now / periodMs) * periodMs;
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      this.windows.set(key, window);
    }
    return window;
  }

  /** Rack::Attack::Configuration#throttled?: count bucket after bucket until one is over its limit. */
  rack(request: RackRequest): RackVerdict {
    const counted: BucketCount[] = [];
    if (this.buckets === null) {
      const key = request.tokenId ?? `ip:${request.ip}`;
      const window = this.window(`off:${key}`, UNLIMITED.periodMs);
      window.count += 1;
      counted.push({ bucket: 'off', limit: UNLIMITED.limit, count: window.count, periodMs: UNLIMITED.periodMs });
      return { refusedBy: null, counted };
    }
    for (const throttle of THROTTLES) {
      const discriminator = throttle.key(request);
      if (discriminator === null) continue;
      const { limit, periodMs } = this.buckets[throttle.bucket];
      const window = this.window(`${throttle.bucket}:${discriminator}`, periodMs);
      window.count += 1;
      const entry: BucketCount = { bucket: throttle.bucket, limit, count: window.count, periodMs };
      counted.push(entry);
      if (window.count > limit) return { refusedBy: entry, counted };
    }
    return { refusedBy: null, counted };
  }

  /** RateLimiter#record! for the statuses family: refuses (429) at the limit, else counts. */
  recordStatus(accountId: string): void {
    if (this.buckets === null) return;
    const { limit, periodMs } = this.buckets.statuses;
    const window = this.window(`statuses:${accountId}`, periodMs);
    if (window.count >= limit) throw new ApiError(429, 'Too many requests');
    window.count += 1;
  }

  /** RateLimiter#to_headers for the statuses family. */
  statusesCount(accountId: string): BucketCount {
    const { limit, periodMs } = this.config('statuses');
    const count = this.buckets === null ? 0 : this.window(`statuses:${accountId}`, periodMs).count;
    return { bucket: this.buckets === null ? 'off' : 'statuses', limit, count, periodMs };
  }
}

/** `request_time + (period - request_time.to_i % period)`, printed like Ruby's iso8601(6). */
export function resetTime(now: number, periodMs: number): string {
  const wholeSeconds = periodMs % 1000 === 0;
  const base = wholeSeconds ? Math.floor(now / 1000) * 1000 : now;
  const fraction = wholeSeconds ? now - base : 0;
  const end = Math.floor(base / periodMs) * periodMs + periodMs + fraction;
  return new Date(end).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function bucketHeaders(entry: BucketCount, now: number, remaining = entry.limit - entry.count): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(entry.limit),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': resetTime(now, entry.periodMs),
  };
}

/** Api::RateLimitHeaders#api_throttle_data: the counted bucket with the fewest left (the first on a tie). */
export function tightest(counted: readonly BucketCount[]): BucketCount | null {
  let best: BucketCount | null = null;
  for (const entry of counted) {
    if (best === null || entry.limit - entry.count < best.limit - best.count) best = entry;
  }
  return best;
}
