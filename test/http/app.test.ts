import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { describe, expect, test, vi } from 'vitest';
import type { Operations } from '../../src/core/operations.ts';
import { NotFoundError } from '../../src/errors.ts';
import { createApp } from '../../src/http/app.ts';
import { HeroldMetrics } from '../../src/adapters/metrics/metrics.ts';
import { createWeb, type Web } from '../../src/http/web.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { rebasedWienRocks, uniqueId } from '../support/harness.ts';
import { webFixture } from './helpers.ts';

// The app in-process (app.request), with a real state store in Redis and a stub for the operations.
const prefix = `{herold-http-${uniqueId('a')}}`;
const fx = webFixture(prefix);
const webs = fx.webs;

function operationsStub() {
  return {
    taskChange: vi.fn(async (scheduleId: string) => {
      if (scheduleId !== 'known') throw new NotFoundError(`There is no schedule "${scheduleId}".`);
      return { version: 1, completed: false };
    }),
  };
}

async function app(schedules: Schedule[], options: { metrics?: boolean; ready?: boolean; web?: boolean } = {}) {
  const operations = operationsStub();
  const web =
    options.web === false
      ? undefined
      : await createWeb({
          schedules: new Map(schedules.map((s) => [s.id, s])),
          store: fx.store,
          now: () => DateTime.now(),
          feedKey: 'https://wien.rocks',
          faq: null,
          metrics: options.metrics ? new HeroldMetrics() : null,
          board: null,
          admin: null,
        });
  if (web) webs.push(web);
  const hono = createApp({ operations: operations as unknown as Operations, webhookToken: 'test-webhook-token-0123456789', ready: async () => options.ready ?? true, web });
  return { hono, operations };
}

const auth = { authorization: 'Bearer test-webhook-token-0123456789', 'content-type': 'application/json' };

describe('createApp without the web parts', () => {
  test('keeps the probes and the webhook; everything else is a plain 404', async () => {
    const { hono } = await app([], { web: false });
    expect((await hono.request('/healthz')).status).toBe(200);
    expect((await hono.request('/readyz')).status).toBe(200);
    expect((await hono.request('/')).status).toBe(404);
    expect((await hono.request('/feed.atom')).status).toBe(404);
  });

  test('/readyz answers 503 while not ready', async () => {
    const { hono } = await app([], { ready: false, web: false });
    const res = await hono.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('not ready');
  });
});

describe('webhook through app.request', () => {
  test('413 above 16 KiB before the body is parsed', async () => {
    const { hono, operations } = await app([], { web: false });
    const body = JSON.stringify({ status: 'done', note: 'y'.repeat(16 * 1024) });
    const res = await hono.request('/api/schedules/known/tasks/dns', { method: 'POST', headers: { ...auth, 'content-length': String(body.length) }, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'The body is larger than 16 KiB.' });
    expect(operations.taskChange).not.toHaveBeenCalled();
  });

  test('400 on malformed JSON, 404 on an unknown schedule, 200 on a good change', async () => {
    const { hono, operations } = await app([], { web: false });
    expect((await hono.request('/api/schedules/known/tasks/dns', { method: 'POST', headers: auth, body: '{status: done}' })).status).toBe(400);
    expect((await hono.request('/api/schedules/nope/tasks/dns', { method: 'POST', headers: auth, body: '{"status":"done"}' })).status).toBe(404);
    const ok = await hono.request('/api/schedules/known/tasks/dns', { method: 'POST', headers: auth, body: '{"status":"done","note":"passt"}' });
    expect(ok.status).toBe(200);
    expect(operations.taskChange).toHaveBeenLastCalledWith('known', 'dns', 'done', 'passt');
  });
});

describe('web parts', () => {
  test('/admin/queues is not served at all without admin credentials', async () => {
    const { hono } = await app([]);
    expect((await hono.request('/admin/queues')).status).toBe(404);
    expect((await hono.request('/admin/queues/api/queues')).status).toBe(404);
  });

  test('/metrics only when metrics are given', async () => {
    expect((await (await app([])).hono.request('/metrics')).status).toBe(404);
    const res = await (await app([], { metrics: true })).hono.request('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('herold_posts_total');
  });

  test('/ without any schedule says that nothing is planned', async () => {
    const { hono } = await app([]);
    const res = await hono.request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Zurzeit ist keine Wartung geplant.');
  });

  test('/ shows the earliest open maintenance, else the last one that happened', async () => {
    const past = rebasedWienRocks(-2 * 24 * 3600_000, 1, uniqueId('past'));
    const soon = rebasedWienRocks(24 * 3600_000, 1, uniqueId('soon'));
    const later = rebasedWienRocks(7 * 24 * 3600_000, 1, uniqueId('later'));
    await fx.store.transition(past.id, 'complete', ['announced']);
    const events = (html: string) => /data-events="\/s\/([^/]+)\/events"/.exec(html)?.[1];
    const { hono } = await app([later, past, soon]);
    expect(events(await (await hono.request('/')).text())).toBe(soon.id);
    await fx.store.transition(soon.id, 'cancelled', ['announced']);
    await fx.store.transition(later.id, 'backout', ['announced']);
    expect(events(await (await hono.request('/')).text())).toBe(later.id);
    const page = await (await hono.request(`/s/${past.id}`)).text();
    expect(page).toContain('data-phase="complete">abgeschlossen</span>');
    expect(await (await hono.request(`/s/${soon.id}`)).text()).toContain('data-phase="cancelled">abgesagt</span>');
    expect(await (await hono.request(`/s/${later.id}`)).text()).toContain('data-phase="backout">zurückgerollt</span>');
  });

  test('/feed.atom with nothing posted is still a valid, empty feed', async () => {
    const { hono } = await app([rebasedWienRocks(3600_000, 1, uniqueId('empty'))]);
    const text = await (await hono.request('http://status.example/feed.atom')).text();
    // Without HEROLD_PUBLIC_URL the links are relative: the Host header is the client's to choose.
    expect(text).toContain('<link rel="self" type="application/atom+xml" href="/feed.atom"/>');
    expect(text).not.toContain('<entry>');
    expect(text).toMatch(/<updated>\d{4}-\d\d-\d\dT/);
  });

  test('unknown /api paths answer JSON, others the German page', async () => {
    const { hono } = await app([]);
    const api = await hono.request('/api/nope');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'Not found.' });
    expect(await (await hono.request('/nope')).text()).toContain('<html lang="de">');
  });
});

describe('when Redis is away', () => {
  test('the page says so calmly (503), the API answers JSON (500)', async () => {
    const gone = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    gone.on('error', () => undefined);
    const schedule = rebasedWienRocks(3600_000, 1, uniqueId('gone'));
    const web = await createWeb({ schedules: new Map([[schedule.id, schedule]]), store: new StateStore(gone, prefix), now: () => DateTime.now(), feedKey: 'k', faq: null });
    webs.push(web);
    const hono = createApp({ operations: operationsStub() as unknown as Operations, webhookToken: null, ready: async () => false, web });
    const page = await hono.request(`/s/${schedule.id}`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Gerade nicht verfügbar');
    const api = await hono.request(`/api/schedules/${schedule.id}`);
    expect(api.status).toBe(500);
    expect(await api.json()).toEqual({ error: 'Internal error; see the logs.' });
    expect((await hono.request('/readyz')).status).toBe(503);
    gone.disconnect();
  });
});
