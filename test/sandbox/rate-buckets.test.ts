import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.ts';
import { api } from './helpers.ts';

// A fixed clock in the middle of every window, so no boundary falls inside a test.
const T0 = Date.parse('2026-11-24T13:31:40.250Z');
let now = T0;
let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  now = T0;
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ clock: () => now, ...options });
  return sandbox;
}

function limits(headers: Headers) {
  return {
    limit: Number(headers.get('x-ratelimit-limit')),
    remaining: Number(headers.get('x-ratelimit-remaining')),
    reset: headers.get('x-ratelimit-reset'),
  };
}

const postStatus = (s: Sandbox, text: string) => api(s, '/api/v1/statuses', { method: 'POST', json: { status: text } });
const editStatus = (s: Sandbox, id: string, text: string) => api(s, `/api/v1/statuses/${id}`, { method: 'PUT', json: { status: text } });

describe("Mastodon's buckets", () => {
  it('has rack_attack.rb and rate_limiter.rb defaults', () => {
    expect(DEFAULT_RATE_LIMITS).toMatchObject({
      token: { limit: 300, periodMs: 300_000 },
      account: { limit: 1_500, periodMs: 300_000 },
      paging: { limit: 300, periodMs: 900_000 },
      deletes: { limit: 30, periodMs: 1_800_000 },
      media: { limit: 30, periodMs: 1_800_000 },
      statuses: { limit: 300, periodMs: 10_800_000 },
    });
  });

  it('sends the statuses family on a post (300 per 3 h) and the token bucket on a read', async () => {
    const s = await start();
    const posted = await postStatus(s, 'eins');
    // Family: 299 left, token: 299 left — a tie goes to the family (rack-attack must have fewer).
    expect(limits(posted.headers)).toEqual({ limit: 300, remaining: 299, reset: '2026-11-24T15:00:00.250000Z' });
    const read = await api(s, '/api/v1/accounts/verify_credentials');
    expect(limits(read.headers)).toEqual({ limit: 300, remaining: 298, reset: '2026-11-24T13:35:00.250000Z' });
  });

  it('counts posts and edits in the statuses family, refuses the one over with 429 and saves nothing', async () => {
    const s = await start({ rateLimit: { buckets: { statuses: { limit: 3 } } } });
    const first = await postStatus(s, 'eins');
    const id = (first.body as { id: string }).id;
    expect(limits(first.headers)).toMatchObject({ limit: 3, remaining: 2 });
    expect(limits((await editStatus(s, id, 'eins, bearbeitet')).headers)).toMatchObject({ limit: 3, remaining: 1 });
    // An edit without changes creates no StatusEdit and counts nothing.
    expect(limits((await editStatus(s, id, 'eins, bearbeitet')).headers)).toMatchObject({ limit: 3, remaining: 1 });
    expect(limits((await postStatus(s, 'zwei')).headers)).toMatchObject({ limit: 3, remaining: 0 });
    const refusedEdit = await editStatus(s, id, 'noch einmal');
    expect(refusedEdit.status).toBe(429);
    expect(refusedEdit.body).toEqual({ error: 'Too many requests' });
    expect(limits(refusedEdit.headers)).toEqual({ limit: 3, remaining: 0, reset: '2026-11-24T15:00:00.250000Z' });
    expect(s.status(id)?.text).toBe('eins, bearbeitet');
    expect((await postStatus(s, 'drei')).status).toBe(429);
    expect(s.statuses()).toHaveLength(2);
    // Reads are not in the family.
    expect((await api(s, '/api/v1/accounts/verify_credentials')).status).toBe(200);
    // The family's window is 3 h, aligned to the epoch.
    now = Date.parse('2026-11-24T15:00:00.300Z');
    expect((await postStatus(s, 'drei')).status).toBe(200);
  });

  it('keeps rack-attack headers on a post when a rack-attack bucket has fewer left', async () => {
    const s = await start({ rateLimit: { buckets: { token: { limit: 5 } } } });
    await api(s, '/api/v2/instance');
    await api(s, '/api/v1/accounts/verify_credentials');
    const posted = await postStatus(s, 'eins');
    expect(limits(posted.headers)).toMatchObject({ limit: 5, remaining: 2 });
  });

  it('shows the tightest bucket and refuses with its limit and reset: the per-account bucket', async () => {
    const s = await start({ rateLimit: { buckets: { account: { limit: 2 } } } });
    expect(limits((await api(s, '/api/v1/accounts/verify_credentials')).headers)).toMatchObject({ limit: 2, remaining: 1 });
    expect((await api(s, '/api/v1/accounts/verify_credentials')).status).toBe(200);
    const refused = await api(s, '/api/v1/accounts/verify_credentials');
    expect(refused.status).toBe(429);
    expect(limits(refused.headers)).toEqual({ limit: 2, remaining: 0, reset: '2026-11-24T13:35:00.250000Z' });
  });

  it('counts paging requests (max_id, since_id, min_id) in a 15 minute bucket', async () => {
    const s = await start({ rateLimit: { buckets: { paging: { limit: 2 } } } });
    const paged = await api(s, '/api/v1/notifications?max_id=5');
    expect(limits(paged.headers)).toEqual({ limit: 2, remaining: 1, reset: '2026-11-24T13:45:00.250000Z' });
    expect((await api(s, '/api/v1/notifications?min_id=5')).status).toBe(200);
    expect((await api(s, '/api/v1/notifications?since_id=5')).status).toBe(429);
    expect((await api(s, '/api/v1/notifications')).status).toBe(200);
  });

  it('counts deletes in a 30 minute bucket', async () => {
    const s = await start({ rateLimit: { buckets: { deletes: { limit: 1 } } } });
    const a = (await postStatus(s, 'a')).body as { id: string };
    const b = (await postStatus(s, 'b')).body as { id: string };
    const deleted = await api(s, `/api/v1/statuses/${a.id}`, { method: 'DELETE' });
    expect(limits(deleted.headers)).toEqual({ limit: 1, remaining: 0, reset: '2026-11-24T14:00:00.250000Z' });
    const refused = await api(s, `/api/v1/statuses/${b.id}`, { method: 'DELETE' });
    expect(refused.status).toBe(429);
    expect(s.status(b.id)?.deletedAt).toBeNull();
  });

  it('counts media uploads in a 30 minute bucket, before any route is looked at', async () => {
    const s = await start({ rateLimit: { buckets: { media: { limit: 1 } } } });
    expect((await api(s, '/api/v2/media', { method: 'POST' })).status).toBe(404);
    expect((await api(s, '/api/v2/media', { method: 'POST' })).status).toBe(429);
  });

  it('scales every period: 1000 runs the 3 h statuses window in 10.8 s', async () => {
    now = Date.parse('2026-11-24T13:31:40.000Z');
    const s = await start({ rateLimit: { scale: 1000, buckets: { statuses: { limit: 1 } } } });
    const first = await postStatus(s, 'eins');
    // Windows of 10.8 s, aligned to the epoch like Mastodon's.
    const windowEnd = Math.floor(now / 10_800) * 10_800 + 10_800;
    expect(Date.parse(first.headers.get('x-ratelimit-reset') ?? '')).toBe(windowEnd);
    expect(windowEnd - now).toBeLessThanOrEqual(10_800);
    expect((await postStatus(s, 'zwei')).status).toBe(429);
    now = windowEnd;
    expect((await postStatus(s, 'zwei')).status).toBe(200);
  });

  it('refuses bad settings with what to fix', async () => {
    await expect(startSandbox({ rateLimit: { scale: 0 } })).rejects.toThrow(/scale must be a positive number/);
    await expect(startSandbox({ rateLimit: { buckets: { statuses: { limit: -1 } } } })).rejects.toThrow(/"statuses" needs/);
    await expect(startSandbox({ rateLimit: { buckets: { nope: { limit: 1 } } as never } })).rejects.toThrow(/Unknown rate-limit bucket "nope"/);
  });
});
