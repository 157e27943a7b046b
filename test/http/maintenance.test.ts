import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import type { Operations } from '../../src/core/operations.ts';
import { CalendarSequenceStore } from '../../src/adapters/redis/calendar-sequence-store.ts';
import { createApp } from '../../src/http/app.ts';
import { maintenanceAnswer, requestHost, retryAfterSeconds, runningWindow } from '../../src/http/views/maintenance.ts';
import { createWeb } from '../../src/http/web.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { uniqueId } from '../support/harness.ts';
import { webFixture } from './helpers.ts';

const prefix = `{herold-maint-${uniqueId('m')}}`;
const fx = webFixture(prefix);
const seed = parseSchedule(readFileSync('schedules/wien-rocks-2023-02-12.yaml', 'utf8'), 'schedules/wien-rocks-2023-02-12.yaml');
const at = (local: string) => DateTime.fromISO(`2023-02-12T${local}`, { zone: 'Europe/Vienna' });

function schedule(): Schedule {
  return { ...seed, id: uniqueId('m'), statusPage: 'https://status.wien.rocks/', fallbackAccount: '@wienrocks@mastodon.social' } as Schedule;
}

/** The whole HTTP side as `herold run` builds it, with HEROLD_MAINTENANCE_HOSTS=wien.rocks and the clock at `now`. */
async function app(s: Schedule, now: DateTime) {
  const web = await createWeb({ schedules: new Map([[s.id, s]]), store: fx.store, now: () => now, feedKey: 'k', faq: null, maintenanceHosts: ['wien.rocks'], calendar: new CalendarSequenceStore(fx.redis, prefix) });
  fx.webs.push(web);
  return createApp({ operations: {} as Operations, webhookToken: null, ready: async () => true, web });
}

const browser = { host: 'wien.rocks', accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('maintenance mode, pure parts', () => {
  test('who gets what: browsers the page, machines JSON, a monitor plain text, Herold\'s own paths pass', () => {
    expect(maintenanceAnswer('/@paula/109', 'text/html,*/*')).toBe('page');
    expect(maintenanceAnswer('/', undefined)).toBe('json');
    expect(maintenanceAnswer('/users/paula/inbox', 'application/activity+json')).toBe('json');
    expect(maintenanceAnswer('/api/v1/timelines/home', 'text/html')).toBe('json');
    expect(maintenanceAnswer('/oauth/authorize', 'text/html')).toBe('json');
    expect(maintenanceAnswer('/.well-known/webfinger', 'text/html')).toBe('json');
    expect(maintenanceAnswer('/nodeinfo/2.0', 'application/json')).toBe('json');
    expect(maintenanceAnswer('/health', 'text/html')).toBe('health');
    for (const own of ['/s/x/events', '/s/x.ics', '/api/schedules', '/api/schedules/x/tasks/y', '/healthz', '/readyz']) expect(maintenanceAnswer(own, 'text/html'), own).toBe('herold');
  });

  test('the host without port, lower-case; the window runs from its start toot (or its start) until it ends', () => {
    expect(requestHost('Wien.Rocks:443')).toBe('wien.rocks');
    expect(requestHost('wien.rocks.')).toBe('wien.rocks');
    expect(requestHost(undefined)).toBeNull();
    const s = schedule();
    const one = (phase: 'announced' | 'running' | 'complete', now: DateTime) => runningWindow('wien.rocks', [{ schedule: s, phase, deadline: s.window.deadline }], now);
    expect(one('running', at('14:00'))).toBe(s);
    expect(one('announced', at('14:59'))).toBeNull();
    // The start passed, but the start toot could not go out yet (the instance was already down).
    expect(one('announced', at('15:01'))).toBe(s);
    expect(one('announced', at('20:00'))).toBeNull();
    expect(one('complete', at('15:30'))).toBeNull();
    expect(runningWindow('other.example', [{ schedule: s, phase: 'running', deadline: s.window.deadline }], at('15:30'))).toBeNull();
  });

  test('Retry-After: until the expected end, then until the deadline, never under a minute', () => {
    expect(retryAfterSeconds(at('16:00'), at('20:00'), at('15:30'))).toBe(1800);
    expect(retryAfterSeconds(at('16:00'), at('20:00'), at('16:30'))).toBe(3.5 * 3600);
    expect(retryAfterSeconds(at('16:00'), at('20:00'), at('20:10'))).toBe(60);
  });
});

describe('maintenance mode over HTTP (HEROLD_MAINTENANCE_HOSTS=wien.rocks)', () => {
  test('while the window runs: browsers get 503, Retry-After and the German page with progress, expected end and where to follow', async () => {
    const s = schedule();
    await fx.store.transition(s.id, 'running', ['announced']);
    await fx.store.setTask(s.id, { taskId: s.tasks[0]!.id, status: 'done', at: at('15:05').toISO()!, note: null });
    const hono = await app(s, at('15:30'));
    const res = await hono.request('/@paula', { headers: browser });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1800');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<h1>wien.rocks ist gerade in Wartung</h1>');
    expect(html).toContain('voraussichtlich ab etwa <span id="expected-end">16:00 Uhr</span>');
    expect(html).toContain('bis <span id="deadline">20:00 Uhr</span>');
    expect(html).toContain(`1 von ${s.tasks.length} Schritten erledigt`);
    expect(html).toContain('(in 30 Min.)');
    expect(html).toContain('href="https://mastodon.social/@wienrocks"');
    expect(html).toContain('href="https://status.wien.rocks/"');
    expect(html).toContain(`data-events="/s/${s.id}/events"`);
    expect(html).toContain(`id="task-${s.tasks[0]!.id}" data-status="done"`);
  });

  test('apps, servers and monitors get what they understand, each with 503 and Retry-After', async () => {
    const s = schedule();
    await fx.store.transition(s.id, 'running', ['announced']);
    const hono = await app(s, at('16:30'));
    const expected = { error: 'wien.rocks ist gerade in Wartung und bis spätestens 20:00 Uhr wieder da.' };
    for (const [path, init] of [
      ['/api/v1/timelines/home', { headers: { host: 'wien.rocks', authorization: 'Bearer x' } }],
      ['/api/v2/instance', { headers: { host: 'wien.rocks' } }],
      ['/.well-known/webfinger?resource=acct:paula@wien.rocks', { headers: { host: 'wien.rocks', accept: 'application/jrd+json' } }],
      ['/.well-known/nodeinfo', { headers: { host: 'wien.rocks' } }],
      ['/users/paula/inbox', { method: 'POST', headers: { host: 'wien.rocks', 'content-type': 'application/activity+json' }, body: '{}' }],
    ] as const) {
      const res = await hono.request(path, init);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe(String(3.5 * 3600));
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
      // Mastodon's error shape: one key, "error".
      expect(await res.json(), path).toEqual(expected);
    }
    const health = await hono.request('/health', { headers: { host: 'wien.rocks' } });
    expect(health.status).toBe(503);
    expect(health.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(health.headers.get('retry-after')).toBe(String(3.5 * 3600));
    expect(await health.text()).toBe(`Wartung: ${expected.error}`);
  });

  test("Herold's own paths keep working on that host, and other hosts get the usual pages", async () => {
    const s = schedule();
    await fx.store.transition(s.id, 'running', ['announced']);
    const hono = await app(s, at('15:30'));
    expect((await hono.request(`/s/${s.id}.ics`, { headers: { host: 'wien.rocks' } })).status).toBe(200);
    expect((await hono.request(`/api/schedules/${s.id}`, { headers: { host: 'wien.rocks' } })).status).toBe(200);
    expect((await hono.request('/healthz', { headers: { host: 'wien.rocks' } })).status).toBe(200);
    const elsewhere = await hono.request('/', { headers: { ...browser, host: 'status.wien.rocks' } });
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain('<h1>Wartung von wien.rocks</h1>');
  });

  test('outside the window the host gets Herold\'s usual pages: before the start, and once it is over', async () => {
    const before = schedule();
    const early = await app(before, at('14:30'));
    expect((await early.request('/', { headers: browser })).status).toBe(200);
    expect((await early.request('/api/v1/instance', { headers: { host: 'wien.rocks' } })).status).toBe(404);

    const over = schedule();
    await fx.store.transition(over.id, 'complete', ['announced']);
    const late = await app(over, at('16:30'));
    const res = await late.request('/', { headers: browser });
    expect(res.status).toBe(200);
    expect(res.headers.get('retry-after')).toBeNull();
  });
});
