/**
 * The arithmetic of Mastodon's rate limits, as Herold budgets them: pure,
 * no I/O, the clock passed in. The Redis side (shared by every process and
 * replica) is rate-budget-store.ts; the gate that asks before each request
 * is request-gate.ts.
 *
 * Mastodon counts several buckets at once, each in fixed windows aligned to
 * multiples of its period since the epoch (rack-attack and RateLimiter both
 * compute `period - now % period`):
 * - config/initializers/rack_attack.rb: every API request, 300 per 5 min per
 *   token (throttle_per_token_api) and 1,500 per 5 min per account
 *   (throttle_authenticated_api); requests with max_id, since_id, min_id or
 *   page, 300 per 15 min per account (throttle_authenticated_paging);
 * - app/lib/rate_limiter.rb, family `statuses`: 300 per 3 h per account,
 *   counted by Status, StatusEdit and reblogs, so every edit of the progress
 *   toot costs as much as a new toot.
 * The X-RateLimit-* headers describe only the tightest bucket
 * (app/controllers/concerns/api/rate_limit_headers.rb), so Herold counts its
 * own requests and corrects its counts with each reading.
 */

const MINUTE = 60_000;

export type BucketName = 'token' | 'account' | 'paging' | 'statuses';
export const BUCKET_NAMES: readonly BucketName[] = ['token', 'account', 'paging', 'statuses'];

export interface BucketRule {
  readonly limit: number;
  readonly periodMs: number;
}

export type BucketRules = Readonly<Record<BucketName, BucketRule>>;

/** Mastodon's buckets as its source defines them (see the file comment). */
export const MASTODON_BUCKETS: BucketRules = {
  token: { limit: 300, periodMs: 5 * MINUTE },
  account: { limit: 1500, periodMs: 5 * MINUTE },
  paging: { limit: 300, periodMs: 15 * MINUTE },
  statuses: { limit: 300, periodMs: 180 * MINUTE },
};

/** The same limits with every period divided by `scale` (a sandbox whose 3 h window runs in seconds). */
export function scaleBuckets(rules: BucketRules, scale: number): BucketRules {
  const scaled = (rule: BucketRule): BucketRule => ({ limit: rule.limit, periodMs: rule.periodMs / scale });
  return { token: scaled(rules.token), account: scaled(rules.account), paging: scaled(rules.paging), statuses: scaled(rules.statuses) };
}

/**
 * Who is asking, which decides what it must leave for others:
 * toot (the schedule's own toots, pins and unpins) may take everything;
 * edit (the progress toot) and reply (answers to questions) leave the
 * statuses the schedule's remaining toots need; reply and poll leave a few
 * requests as well. read and write are everything else.
 */
export type RequestUse = 'toot' | 'edit' | 'reply' | 'poll' | 'read' | 'write';

export interface RequestCost {
  readonly use: RequestUse;
  /** Creates or edits a status: counts in the statuses family. */
  readonly status?: boolean;
  /** Carries max_id, since_id, min_id or page: counts as paging. */
  readonly paging?: boolean;
}

/** One bucket's count as Herold knows it. Times are epoch ms. */
export interface BucketState {
  readonly limit: number;
  readonly used: number;
  /** End of the current window (the instance's X-RateLimit-Reset once it has told us). */
  readonly windowEnd: number;
  /** The instance said 429 for this bucket: nothing counting against it goes out before this. */
  readonly blockedUntil: number;
}

export type BucketStates = Partial<Record<BucketName, BucketState | null>>;

export interface RateReading {
  readonly limit: number;
  readonly remaining: number;
  readonly resetAt: number;
}

/** The buckets a request counts against. */
export function bucketsOf(cost: RequestCost): BucketName[] {
  const names: BucketName[] = ['token', 'account'];
  if (cost.paging) names.push('paging');
  if (cost.status) names.push('statuses');
  return names;
}

/**
 * How long after its end Herold still treats a window as current: the
 * server's clock may lag ours a little, and a request that arrives just
 * before the server's reset still counts in the old window.
 */
export function guardMs(rule: BucketRule): number {
  return Math.min(1000, rule.periodMs / 100);
}

/** How far an X-RateLimit-Reset may lie from a window's end and still name it (Mastodon adds the fraction of the second). */
function toleranceMs(rule: BucketRule): number {
  return Math.min(1500, rule.periodMs / 10);
}

function alignedEnd(now: number, periodMs: number): number {
  return (Math.floor(now / periodMs) + 1) * periodMs;
}

/**
 * The bucket as it is at `now`: a window that has ended (plus the guard)
 * starts over, keeping a limit the instance told us, but at least one
 * request, so that a new reading can still arrive after a limit of 0.
 */
export function current(state: BucketState | null | undefined, rule: BucketRule, now: number): BucketState {
  if (state && now < state.windowEnd + guardMs(rule)) return state;
  return {
    limit: Math.max(1, state?.limit ?? rule.limit),
    used: 0,
    windowEnd: alignedEnd(now, rule.periodMs),
    blockedUntil: state && state.blockedUntil > now ? state.blockedUntil : 0,
  };
}

/** Requests per 5 minutes an answer to a question leaves unused: room for toots, pins and polling. */
export function replyShare(limit: number): number {
  return Math.min(Math.floor(limit / 2), Math.max(8, Math.ceil(limit * 0.05)));
}

/** Requests per window polling leaves unused. */
const POLL_SHARE = 2;

/**
 * What a request of `use` must leave unused in `bucket`. `tootsNeeded` is
 * the number of statuses the schedules' remaining toots need
 * (statuses-reserve.ts).
 */
export function reserveOf(bucket: BucketName, use: RequestUse, limit: number, tootsNeeded: number): number {
  if (bucket === 'statuses') return use === 'edit' || use === 'reply' ? tootsNeeded : 0;
  if (bucket === 'paging') return 0;
  if (use === 'reply') return replyShare(limit);
  if (use === 'poll') return Math.min(POLL_SHARE, Math.floor(limit / 2));
  return 0;
}

export type Verdict =
  | { readonly ok: true; readonly states: Record<string, BucketState> }
  | {
      readonly ok: false;
      readonly bucket: BucketName;
      /** blocked: the instance said 429; spent: the window is used up; reserved: what is left belongs to the schedule's toots. */
      readonly reason: 'blocked' | 'spent' | 'reserved';
      readonly retryAt: number;
      readonly states: Record<string, BucketState>;
    };

/**
 * Takes one request from every bucket it counts against, or none: the
 * request may go only if each bucket has room beyond its reserve and none
 * is blocked. Refused, it says until when (the latest of the buckets in
 * the way) and which bucket is the reason.
 */
export function take(states: BucketStates, rules: BucketRules, cost: RequestCost, tootsNeeded: number, now: number): Verdict {
  const next: Record<string, BucketState> = {};
  type Refusal = { bucket: BucketName; reason: 'blocked' | 'spent' | 'reserved'; retryAt: number };
  let refusal: Refusal | null = null;
  for (const name of bucketsOf(cost)) {
    const rule = rules[name];
    const state = current(states[name], rule, now);
    next[name] = state;
    let verdict: Refusal | null = null;
    if (state.blockedUntil > now) verdict = { bucket: name, reason: 'blocked', retryAt: state.blockedUntil };
    else if (state.used >= state.limit) verdict = { bucket: name, reason: 'spent', retryAt: state.windowEnd + guardMs(rule) };
    else if (state.used + 1 + reserveOf(name, cost.use, state.limit, tootsNeeded) > state.limit) {
      verdict = { bucket: name, reason: 'reserved', retryAt: state.windowEnd + guardMs(rule) };
    }
    if (verdict && (!refusal || verdict.retryAt > refusal.retryAt)) refusal = verdict;
  }
  if (refusal) return { ok: false, ...refusal, states: next };
  for (const name of Object.keys(next)) next[name] = { ...next[name]!, used: next[name]!.used + 1 };
  return { ok: true, states: next };
}

/**
 * Which of the request's buckets a reading describes. The headers carry no
 * bucket name: a bucket whose limit and window end match is it; else one
 * whose limit matches and whose period fits the reset; else the limit is
 * none of Mastodon's (a proxy, or a sandbox with its own setting) and it is
 * taken as the per-token limit every request counts against.
 */
export function bucketsOfReading(states: BucketStates, rules: BucketRules, cost: RequestCost, reading: RateReading, now: number): BucketName[] {
  const candidates = bucketsOf(cost).filter((name) => {
    const limit = states[name]?.limit ?? rules[name].limit;
    return limit === reading.limit || rules[name].limit === reading.limit;
  });
  const exact = candidates.filter((name) => Math.abs(current(states[name], rules[name], now).windowEnd - reading.resetAt) <= toleranceMs(rules[name]));
  if (exact.length > 0) return exact;
  const plausible = candidates.filter((name) => reading.resetAt - now <= rules[name].periodMs + toleranceMs(rules[name]));
  if (plausible.length > 0) return plausible;
  return ['token'];
}

/** A reading corrects the count: the instance may have seen more than we did (other clients, lost records). */
export function applyReading(state: BucketState | null | undefined, rule: BucketRule, reading: RateReading, now: number): BucketState {
  const s = current(state, rule, now);
  if (reading.resetAt <= now) return s;
  const serverUsed = Math.max(0, reading.limit - reading.remaining);
  if (reading.resetAt > s.windowEnd + toleranceMs(rule)) {
    // The instance is in a later window than we thought: its count replaces ours.
    return { limit: reading.limit, used: serverUsed, windowEnd: reading.resetAt, blockedUntil: s.blockedUntil };
  }
  return { limit: reading.limit, used: Math.max(s.used, serverUsed), windowEnd: reading.resetAt, blockedUntil: s.blockedUntil };
}

/** The instance said 429: the bucket is spent and blocked until the reset it named (or `fallbackUntil` without headers). */
export function applyRefusal(state: BucketState | null | undefined, rule: BucketRule, reading: RateReading | null, now: number, fallbackUntil: number): BucketState {
  const s = reading ? applyReading(state, rule, reading, now) : current(state, rule, now);
  const until = reading && reading.resetAt > now ? reading.resetAt : fallbackUntil;
  return { ...s, used: Math.max(s.used, s.limit), blockedUntil: Math.max(s.blockedUntil, until) };
}

/** One bucket as `herold status` and /metrics show it. */
export interface BucketReport {
  readonly bucket: BucketName;
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** Epoch ms. */
  readonly resetAt: number;
  /** Epoch ms, or null when the instance has not refused us in this window. */
  readonly blockedUntil: number | null;
}

export function report(states: BucketStates, rules: BucketRules, now: number): BucketReport[] {
  return BUCKET_NAMES.map((bucket) => {
    const s = current(states[bucket], rules[bucket], now);
    return {
      bucket,
      limit: s.limit,
      used: s.used,
      remaining: Math.max(0, s.limit - s.used),
      resetAt: s.windowEnd,
      blockedUntil: s.blockedUntil > now ? s.blockedUntil : null,
    };
  });
}
