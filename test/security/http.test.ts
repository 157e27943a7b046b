import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Operations } from '../../src/core/operations.ts';
import { createApp } from '../../src/http/app.ts';
import { HeroldMetrics } from '../../src/adapters/metrics/metrics.ts';
import { createWeb, type Web, type WebOptions } from '../../src/http/web.ts';
import { queueBoard } from '../../src/adapters/bullmq/queue-board.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { rebasedWienRocks, REDIS_URL, uniqueId, waitFor } from '../support/harness.ts';
import { nextEvent, sseEvents } from '../http/helpers.ts';

// Holes found by attacking the HTTP side (issue 11), each over real HTTP
// against a real server, with the state and the queue in the real Redis.
const prefix = `{herold-sec-${uniqueId('h')}}`;
const schedule = rebasedWienRocks(3600_000, 1, uniqueId('sec'));
const token = 'test-webhook-token-0123456789';
const admin = { user: 'admin', password: 'correct-horse-battery-staple' };
let redis: Redis;
let store: StateStore;
let queue: Queue;

interface Running {
  readonly base: string;
  readonly web: Web;
  readonly notes: (string | null)[];
  readonly logs: Record<string, unknown>[];
}
const running: { server: ServerType; web: Web }[] = [];

async function start(options: Partial<WebOptions> = {}, notes: { allowUrls: boolean } = { allowUrls: false }): Promise<Running> {
  const logs: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const web = await createWeb({
    schedules: new Map([[schedule.id, schedule]]),
    store,
    now: () => DateTime.now(),
    feedKey: 'https://wien.rocks',
    faq: null,
    metrics: new HeroldMetrics(),
    board: queueBoard(queue),
    admin,
    pollMs: 50,
    log,
    ...options,
  });
  const received: (string | null)[] = [];
  const operations = {
    taskChange: async (_s: string, _t: string, _status: string, note: string | null) => {
      received.push(note);
      return { version: 1, completed: false };
    },
  };
  const app = createApp({ operations: operations as unknown as Operations, webhookToken: token, ready: async () => true, web, notes });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  running.push({ server, web });
  const address = server.address();
  return { base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, web, notes: received, logs };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  store = new StateStore(redis, prefix);
  queue = new Queue('herold', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
});

afterEach(async () => {
  for (const { server, web } of running.splice(0)) {
    web.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('live updates', () => {
  test('HEAD on an event stream answers the headers and holds nothing afterwards', async () => {
    const { base, web } = await start();
    for (const path of [`/s/${schedule.id}/events`, `/api/schedules/${schedule.id}/events`]) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => fetch(base + path, { method: 'HEAD' })));
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      }
    }
    // Give a leaked stream every chance to show up.
    await sleep(200);
    expect(web.hub.subscribers).toBe(0);
    expect(web.liveLimits.open).toBe(0);
  });

  test('past the per-address cap a stream is refused with 503 and Retry-After; a closed one frees its slot', async () => {
    const { base, web } = await start({ liveLimits: { max: 100, maxPerIp: 2 } });
    const aborts = [new AbortController(), new AbortController()];
    for (const abort of aborts) {
      const res = await fetch(`${base}/s/${schedule.id}/events`, { signal: abort.signal });
      expect(res.status).toBe(200);
      await nextEvent(sseEvents(res), 'state');
    }
    const refused = await fetch(`${base}/s/${schedule.id}/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(((await refused.json()) as { error: string }).error).toMatch(/from your address/);
    aborts[0]!.abort();
    await waitFor('slot freed', () => web.liveLimits.open === 1, 3000);
    aborts[0] = new AbortController();
    const again = await fetch(`${base}/api/schedules/${schedule.id}/events`, { signal: aborts[0].signal });
    expect(again.status).toBe(200);
    await again.body?.cancel();
    for (const abort of aborts) abort.abort();
  });

  test('behind a proxy that HEROLD_TRUST_PROXY does not trust, the first refusal at the per-address cap says what to set', async () => {
    const { base, logs } = await start({ liveLimits: { max: 100, maxPerIp: 1 } });
    const first = await fetch(`${base}/s/${schedule.id}/events`, { headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(first.status).toBe(200);
    for (const ip of ['203.0.113.2', '203.0.113.3']) expect((await fetch(`${base}/s/${schedule.id}/events`, { headers: { 'x-forwarded-for': ip } })).status).toBe(503);
    const warnings = logs.filter((l) => String(l.msg).includes('HEROLD_TRUST_PROXY is off'));
    expect(warnings).toHaveLength(1);
    await first.body?.cancel();
  });

  test('past the global cap every address is refused; behind a trusted proxy addresses come from X-Forwarded-For', async () => {
    const { base } = await start({ liveLimits: { max: 3, maxPerIp: 2 }, trustProxy: true });
    const opened: Response[] = [];
    for (const ip of ['203.0.113.1', '203.0.113.1', '203.0.113.2']) {
      const res = await fetch(`${base}/s/${schedule.id}/events`, { headers: { 'x-forwarded-for': `198.51.100.9, ${ip}` } });
      expect(res.status).toBe(200);
      opened.push(res);
    }
    const third = await fetch(`${base}/s/${schedule.id}/events`, { headers: { 'x-forwarded-for': '203.0.113.3' } });
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: string }).error).toMatch(/in total/);
    expect(third.headers.get('retry-after')).toBe('60');
    for (const res of opened) await res.body?.cancel();
  });
});

describe('security headers on every response', () => {
  test('JSON, the Atom feed, /metrics, probes, the webhook and errors', async () => {
    const { base } = await start();
    const checks: [string, RequestInit?][] = [
      ['/api/schedules'],
      [`/api/schedules/${schedule.id}`],
      ['/api/schedules/nope'],
      ['/feed.atom'],
      ['/metrics'],
      ['/healthz'],
      ['/readyz'],
      [`/api/schedules/${schedule.id}/tasks/dns`, { method: 'POST', body: '{}' }],
      ['/s/nope/events'],
    ];
    for (const [path, init] of checks) {
      const res = await fetch(base + path, init);
      await res.arrayBuffer();
      expect({ path, nosniff: res.headers.get('x-content-type-options') }).toEqual({ path, nosniff: 'nosniff' });
      expect({ path, frame: res.headers.get('x-frame-options') }).toEqual({ path, frame: 'DENY' });
      expect({ path, referrer: res.headers.get('referrer-policy') }).toEqual({ path, referrer: 'no-referrer' });
      expect({ path, csp: res.headers.get('content-security-policy') }).toEqual({ path, csp: expect.stringContaining("default-src 'none'") });
    }
    // The status page keeps its own policy (inline CSS and script by hash).
    const page = await fetch(`${base}/s/${schedule.id}`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('the Atom feed', () => {
  test('its self link comes from HEROLD_PUBLIC_URL, never from the Host header', async () => {
    const { base } = await start({ publicUrl: 'https://status.wien.rocks' });
    const res = await fetch(`${base}/feed.atom`, { headers: { host: 'evil.example' } });
    const xml = await res.text();
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="https://status.wien.rocks/feed.atom"/>');
    expect(xml).toContain('<link rel="alternate" type="text/html" href="https://status.wien.rocks/"/>');
    expect(xml).not.toContain('evil.example');
  });

  test('without a public URL the links are relative to the feed', async () => {
    const { base } = await start();
    const xml = await (await fetch(`${base}/feed.atom`, { headers: { host: 'evil.example' } })).text();
    expect(xml).toContain('<link rel="self" type="application/atom+xml" href="/feed.atom"/>');
    expect(xml).not.toContain('evil.example');
  });
});

describe('the webhook', () => {
  const post = (base: string, authorization: string, body: unknown) =>
    fetch(`${base}/api/schedules/${schedule.id}/tasks/dns`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('the bearer scheme is case-insensitive (RFC 7235)', async () => {
    const { base } = await start();
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect((await post(base, `${scheme} ${token}`, { status: 'done' })).status).toBe(200);
    expect((await post(base, `Basic ${token}`, { status: 'done' })).status).toBe(401);
    expect((await post(base, `Bearer${token}`, { status: 'done' })).status).toBe(401);
  });

  test('a note cannot mention anyone and may not carry a link by default', async () => {
    const { base, notes } = await start();
    const res = await post(base, `Bearer ${token}`, { status: 'done', note: 'Fertig @carol @alice@evil.example\u001b[2J' });
    expect(res.status).toBe(200);
    expect(notes).toEqual(['Fertig @\u200bcarol @\u200balice@evil.example']);
    const link = await post(base, `Bearer ${token}`, { status: 'done', note: 'Details: https://evil.example/phish' });
    expect(link.status).toBe(400);
    expect(((await link.json()) as { error: string }).error).toMatch(/HEROLD_NOTE_URLS/);
    expect(notes).toHaveLength(1);
  });

  test('with HEROLD_NOTE_URLS=on a note may carry a link', async () => {
    const { base, notes } = await start({}, { allowUrls: true });
    expect((await post(base, `Bearer ${token}`, { status: 'done', note: 'Siehe https://status.wien.rocks' })).status).toBe(200);
    expect(notes).toEqual(['Siehe https://status.wien.rocks']);
  });
});

describe('the queue dashboard', () => {
  const authorization = basic(admin.user, admin.password);

  async function deadlineJob() {
    const id = uniqueId('deadline');
    await queue.add('deadline', { kind: 'deadline' }, { jobId: id, delay: 3600_000 });
    return id;
  }

  test('is read-only by default: promote, add, retry, clean and remove are refused', async () => {
    const { base } = await start();
    const id = await deadlineJob();
    const writes: [string, string, string?][] = [
      ['PUT', `/admin/queues/api/queues/herold/${id}/promote`],
      ['PUT', '/admin/queues/api/queues/herold/promote'],
      ['POST', '/admin/queues/api/queues/herold/add', JSON.stringify({ name: 'reply', data: { text: 'hi' } })],
      ['PUT', '/admin/queues/api/queues/herold/retry/failed'],
      ['PUT', '/admin/queues/api/queues/herold/clean/delayed'],
      ['PUT', `/admin/queues/api/queues/herold/${id}/clean`],
      ['PUT', '/admin/queues/api/queues/herold/empty'],
    ];
    for (const [method, path, body] of writes) {
      const res = await fetch(base + path, { method, headers: { authorization, 'content-type': 'application/json', origin: base }, body });
      expect({ path, status: res.status }).toEqual({ path, status: 405 });
    }
    expect(await (await queue.getJob(id))?.getState()).toBe('delayed');
    expect(await queue.getJobCounts('waiting', 'delayed')).toMatchObject({ waiting: 0, delayed: 1 });
    // Reading still works.
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization } })).status).toBe(200);
    await queue.remove(id);
  });

  test('with HEROLD_ADMIN_WRITE=on only same-origin JSON requests may change jobs', async () => {
    const { base } = await start({ adminWrite: true });
    const id = await deadlineJob();
    const promote = (headers: Record<string, string>, body?: string) =>
      fetch(`${base}/admin/queues/api/queues/herold/${id}/promote`, { method: 'PUT', headers: { authorization, ...headers }, body });
    // A cross-site form post riding on cached credentials.
    expect((await promote({ origin: 'https://evil.example', 'content-type': 'text/plain' }, '{}')).status).toBe(403);
    expect((await promote({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // No Origin at all (curl, old clients): refused too.
    expect((await promote({})).status).toBe(403);
    // Same origin but a text/plain JSON body.
    expect((await promote({ origin: base, 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    expect(await (await queue.getJob(id))?.getState()).toBe('delayed');
    const ok = await promote({ origin: base });
    expect(ok.status).toBeLessThan(300);
    expect(await (await queue.getJob(id))?.getState()).toBe('waiting');
    await queue.remove(id);
  });

  test('failed logins are throttled per address and logged, without the password', async () => {
    const { base, logs } = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      statuses.push((await fetch(`${base}/admin/queues`, { headers: { authorization: basic('admin', `guess-${i}`) } })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const blocked = await fetch(`${base}/admin/queues`, { headers: { authorization } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    const failed = logs.filter((l) => l.msg === 'Failed login to the queue dashboard.');
    expect(failed).toHaveLength(10);
    expect(failed[0]).toMatchObject({ ip: '127.0.0.1', user: 'admin', failures: 1 });
    expect(JSON.stringify(logs)).not.toContain('guess-');
    // The browser's first request without credentials is a prompt, not a failure.
    const other = await start();
    for (let i = 0; i < 12; i += 1) expect((await fetch(`${other.base}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${other.base}/admin/queues`, { headers: { authorization } })).status).toBe(200);
  });
});
