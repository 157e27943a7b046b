import { describe, expect, test } from 'vitest';
import {
  applyReading,
  applyRefusal,
  bucketsOf,
  bucketsOfReading,
  current,
  MASTODON_BUCKETS,
  replyShare,
  report,
  reserveOf,
  scaleBuckets,
  take,
  type BucketState,
  type RequestCost,
} from '../../src/core/rate-budget.ts';

const R = MASTODON_BUCKETS;
const MIN = 60_000;
/** 10:02 UTC on a day: 3 min into a 5-min window, 2 min into a 15-min one, 2 min into a 3-h one (09:00–12:00 is not aligned; 09:00 is). */
const T0 = Date.UTC(2026, 10, 29, 10, 2, 0);
const END5 = Date.UTC(2026, 10, 29, 10, 5, 0);
const END15 = Date.UTC(2026, 10, 29, 10, 15, 0);
const END3H = Date.UTC(2026, 10, 29, 12, 0, 0);
const state = (limit: number, used: number, windowEnd: number, blockedUntil = 0): BucketState => ({ limit, used, windowEnd, blockedUntil });

describe('which buckets a request counts against (rack_attack.rb, rate_limiter.rb)', () => {
  test.each<[string, RequestCost, string[]]>([
    ['a read', { use: 'read' }, ['token', 'account']],
    ['a notification page with min_id', { use: 'poll', paging: true }, ['token', 'account', 'paging']],
    ['a post', { use: 'toot', status: true }, ['token', 'account', 'statuses']],
    ['an edit', { use: 'edit', status: true }, ['token', 'account', 'statuses']],
    ['a pin', { use: 'toot' }, ['token', 'account']],
  ])('%s', (_, cost, buckets) => {
    expect(bucketsOf(cost)).toEqual(buckets);
  });
});

describe('windows are aligned to the epoch like rack-attack and RateLimiter', () => {
  test.each([
    ['token', END5],
    ['account', END5],
    ['paging', END15],
    ['statuses', END3H],
  ] as const)('%s ends at the next multiple of its period', (name, end) => {
    expect(current(null, R[name], T0)).toEqual(state(R[name].limit, 0, end));
  });

  test('a window past its end (and the guard) starts over, keeping a limit the instance told us', () => {
    expect(current(state(5, 5, END5), R.token, END5 + 999)).toEqual(state(5, 5, END5));
    expect(current(state(5, 5, END5), R.token, END5 + 1000)).toEqual(state(5, 0, END5 + 5 * MIN));
    // A limit of 0 still lets one request through in a new window, to learn the new limit.
    expect(current(state(0, 0, END5), R.token, END5 + 1000).limit).toBe(1);
  });

  test('scaling divides the periods', () => {
    expect(scaleBuckets(R, 1000).statuses).toEqual({ limit: 300, periodMs: 10_800 });
  });
});

describe('take: every bucket or none', () => {
  const post: RequestCost = { use: 'toot', status: true };
  const edit: RequestCost = { use: 'edit', status: true };
  const reply: RequestCost = { use: 'reply', status: true };

  test('a request with room takes one from each of its buckets', () => {
    const v = take({ statuses: state(300, 10, END3H) }, R, post, 0, T0);
    expect(v.ok).toBe(true);
    expect(v.states).toEqual({ token: state(300, 1, END5), account: state(1500, 1, END5), statuses: state(300, 11, END3H) });
  });

  test.each<[string, RequestCost, number, number, boolean, string | null]>([
    // cost, statuses used, toots needed, ok, reason
    ['a toot may take the last status', post, 299, 5, true, null],
    ['an edit leaves the toots their statuses', edit, 295, 5, false, 'reserved'],
    ['an edit may take a status beyond the reserve', edit, 294, 5, true, null],
    ['an answer leaves them too', reply, 295, 5, false, 'reserved'],
    ['nothing goes once the window is spent', post, 300, 0, false, 'spent'],
  ])('%s', (_, cost, used, needed, ok, reason) => {
    const v = take({ statuses: state(300, used, END3H) }, R, cost, needed, T0);
    expect(v.ok).toBe(ok);
    if (!v.ok) {
      expect(v.reason).toBe(reason);
      expect(v.bucket).toBe('statuses');
      expect(v.retryAt).toBe(END3H + 1000);
      // Refused: nothing is taken from the other buckets either.
      expect(v.states.token).toEqual(state(300, 0, END5));
    }
  });

  test('a bucket the instance refused stays blocked until its reset, whatever the count says', () => {
    const v = take({ token: state(300, 3, END5, END5) }, R, { use: 'read' }, 0, T0);
    expect(v).toMatchObject({ ok: false, reason: 'blocked', bucket: 'token', retryAt: END5 });
  });

  test('the latest of several buckets in the way decides the wait', () => {
    const v = take({ token: state(300, 300, END5), statuses: state(300, 300, END3H) }, R, post, 0, T0);
    expect(v).toMatchObject({ ok: false, bucket: 'statuses', retryAt: END3H + 1000 });
  });

  test.each<[RequestCost['use'], number]>([
    ['toot', 300],
    ['read', 300],
    ['poll', 298],
    ['reply', 300 - replyShare(300)],
  ])('requests per token a %s may use: %i', (use, usable) => {
    expect(take({ token: state(300, usable - 1, END5) }, R, { use }, 0, T0).ok).toBe(true);
    expect(take({ token: state(300, usable, END5) }, R, { use }, 0, T0).ok).toBe(false);
  });

  test('reserves never exceed half of a tiny limit', () => {
    expect(reserveOf('token', 'reply', 5, 0)).toBe(2);
    expect(reserveOf('statuses', 'toot', 300, 40)).toBe(0);
    expect(reserveOf('statuses', 'edit', 300, 40)).toBe(40);
  });
});

describe('readings: which bucket the headers describe', () => {
  const post: RequestCost = { use: 'toot', status: true };
  test.each<[string, RequestCost, { limit: number; remaining: number; resetAt: number }, string[]]>([
    ['a post whose statuses family is tightest', post, { limit: 300, remaining: 120, resetAt: END3H + 400 }, ['statuses']],
    ['a post whose token bucket is tightest', post, { limit: 300, remaining: 20, resetAt: END5 + 300 }, ['token']],
    ['the per-account limit', { use: 'read' }, { limit: 1500, remaining: 9, resetAt: END5 }, ['account']],
    ['a paging request near its 15-minute reset', { use: 'poll', paging: true }, { limit: 300, remaining: 1, resetAt: END15 }, ['paging']],
    ['a limit Mastodon does not have (a proxy, a sandbox setting)', { use: 'read' }, { limit: 5, remaining: 0, resetAt: T0 + 1000 }, ['token']],
  ])('%s', (_, cost, reading, buckets) => {
    expect(bucketsOfReading({}, R, cost, reading, T0)).toEqual(buckets);
  });
});

describe('applying readings and refusals', () => {
  test('the instance saw more than we did: its count wins', () => {
    expect(applyReading(state(300, 10, END3H), R.statuses, { limit: 300, remaining: 100, resetAt: END3H }, T0)).toEqual(state(300, 200, END3H));
  });
  test('we counted more (requests still under way): ours stays', () => {
    expect(applyReading(state(300, 12, END5), R.token, { limit: 300, remaining: 290, resetAt: END5 + 400 }, T0)).toEqual(state(300, 12, END5 + 400));
  });
  test('the instance is in a later window: its count replaces ours', () => {
    expect(applyReading(state(300, 280, END5), R.token, { limit: 300, remaining: 299, resetAt: END5 + 5 * MIN }, END5 + 500)).toEqual(
      state(300, 1, END5 + 5 * MIN),
    );
  });
  test('a 429 spends the bucket and blocks it until the reset it names', () => {
    expect(applyRefusal(state(300, 200, END3H), R.statuses, { limit: 300, remaining: 0, resetAt: END3H }, T0, T0 + MIN)).toEqual(state(300, 300, END3H, END3H));
  });
  test('a 429 without headers blocks for the fallback time', () => {
    expect(applyRefusal(null, R.token, null, T0, T0 + MIN)).toEqual(state(300, 300, END5, T0 + MIN));
  });
});

test('report: each bucket with what is left', () => {
  const rows = report({ statuses: state(300, 290, END3H, END3H) }, R, T0);
  expect(rows.map((r) => [r.bucket, r.remaining, r.resetAt, r.blockedUntil])).toEqual([
    ['token', 300, END5, null],
    ['account', 1500, END5, null],
    ['paging', 300, END15, null],
    ['statuses', 10, END3H, END3H],
  ]);
});
