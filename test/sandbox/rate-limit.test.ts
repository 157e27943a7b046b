import { MastoHttpError } from 'masto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, rejectionOf, restClient } from './helpers.ts';

// Long windows: rack-attack aligns windows to the epoch, and a boundary in the
// middle of a test would reset the count.
const HOUR = 3_600_000;

let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function limits(headers: Headers): { limit: number; remaining: number; reset: string } {
  return {
    limit: Number(headers.get('x-ratelimit-limit')),
    remaining: Number(headers.get('x-ratelimit-remaining')),
    reset: headers.get('x-ratelimit-reset') ?? '',
  };
}

describe('rate limiting', () => {
  it('counts down per token and answers the request over the limit with 429', async () => {
    sandbox = await startSandbox({ rateLimit: { limit: 3, windowMs: HOUR } });
    const seen = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await api(sandbox, '/api/v1/accounts/verify_credentials');
      expect(response.status).toBe(200);
      seen.push(limits(response.headers));
    }
    expect(seen.map((s) => s.remaining)).toEqual([2, 1, 0]);
    expect(seen.every((s) => s.limit === 3)).toBe(true);

    const refused = await api(sandbox, '/api/v1/accounts/verify_credentials');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: 'Too many requests' });
    const { limit, remaining, reset } = limits(refused.headers);
    expect({ limit, remaining }).toEqual({ limit: 3, remaining: 0 });
    // Ruby's iso8601(6): the window end plus the request time's fraction of a second.
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000Z$/);
    const resetAt = Date.parse(reset);
    expect(resetAt % HOUR).toBeLessThan(1_000);
    expect(resetAt).toBeGreaterThan(Date.now());
    expect(resetAt - Date.now()).toBeLessThanOrEqual(HOUR);
  });

  it('lets masto callers read the headers from the error and from $raw responses', async () => {
    sandbox = await startSandbox({ rateLimit: { limit: 1, windowMs: HOUR } });
    const client = restClient(sandbox);
    const raw = await client.v1.statuses.create.$raw({ status: 'first' });
    expect(raw.headers.get('x-ratelimit-remaining')).toBe('0');
    const error = await rejectionOf(client.v1.statuses.create({ status: 'second' }));
    expect(error).toBeInstanceOf(MastoHttpError);
    const http = error as MastoHttpError;
    expect(http.statusCode).toBe(429);
    expect(http.message).toBe('Too many requests');
    expect(http.cause).toBeInstanceOf(Response);
    expect((http.cause as Response).headers.get('x-ratelimit-reset')).toMatch(/Z$/);
    expect(sandbox.statuses()).toHaveLength(1);
  });

  it('keeps separate counts per token', async () => {
    sandbox = await startSandbox({
      rateLimit: { limit: 1, windowMs: HOUR },
      accounts: [{ username: 'b2c', token: 'sandbox-token' }, { username: 'other', token: 'other-token' }],
    });
    expect((await api(sandbox, '/api/v1/accounts/verify_credentials')).status).toBe(200);
    expect((await api(sandbox, '/api/v1/accounts/verify_credentials')).status).toBe(429);
    expect((await api(sandbox, '/api/v1/accounts/verify_credentials', { token: 'other-token' })).status).toBe(200);
  });

  it('starts a fresh window at the next period boundary', async () => {
    let now = Date.parse('2026-11-24T17:34:59.000Z');
    sandbox = await startSandbox({ rateLimit: { limit: 1, windowMs: 300_000 }, clock: () => now });
    const first = await api(sandbox, '/api/v2/instance');
    expect(first.headers.get('x-ratelimit-reset')).toBe('2026-11-24T17:35:00.000000Z');
    expect((await api(sandbox, '/api/v2/instance')).status).toBe(429);
    now += 1_000;
    const next = await api(sandbox, '/api/v2/instance');
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-reset')).toBe('2026-11-24T17:40:00.000000Z');
  });

  it('changes limits at runtime, and null switches limiting off but keeps the headers', async () => {
    sandbox = await startSandbox({ rateLimit: { limit: 1, windowMs: HOUR } });
    await api(sandbox, '/api/v2/instance');
    expect((await api(sandbox, '/api/v2/instance')).status).toBe(429);
    sandbox.setRateLimit(null);
    for (let i = 0; i < 5; i += 1) {
      const response = await api(sandbox, '/api/v2/instance');
      expect(response.status).toBe(200);
      expect(Number(response.headers.get('x-ratelimit-limit'))).toBeGreaterThanOrEqual(1_000_000);
      expect(response.headers.get('x-ratelimit-reset')).not.toBeNull();
    }
    sandbox.setRateLimit({ limit: 2, windowMs: HOUR });
    expect(limits((await api(sandbox, '/api/v2/instance')).headers)).toMatchObject({ limit: 2, remaining: 1 });
  });

  it('sends the default limit of 300 per 5 minutes on every API answer, errors included', async () => {
    sandbox = await startSandbox();
    const missing = await api(sandbox, '/api/v1/statuses/1');
    expect(missing.status).toBe(404);
    expect(limits(missing.headers)).toMatchObject({ limit: 300, remaining: 299 });
  });
});
