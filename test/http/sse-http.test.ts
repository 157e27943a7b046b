import { serve, type ServerType } from '@hono/node-server';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Operations } from '../../src/core/operations.ts';
import { createApp } from '../../src/http/app.ts';
import type { PublicView } from '../../src/http/views/public-view.ts';
import { createWeb, type Web } from '../../src/http/web.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { rebasedWienRocks, REDIS_URL, uniqueId, waitFor } from '../support/harness.ts';
import { nextEvent, sseEvents } from './helpers.ts';

// Live updates over real HTTP, without the worker: state changes written
// straight to Redis (as another process would) reach the browser.
const prefix = `{herold-sse-${uniqueId('s')}}`;
const schedule = rebasedWienRocks(3600_000, 1, uniqueId('sse'));
let redis: Redis;
let store: StateStore;
let web: Web;
let server: ServerType;
let base: string;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  store = new StateStore(redis, prefix);
  web = await createWeb({ schedules: new Map([[schedule.id, schedule]]), store, now: () => DateTime.now(), feedKey: 'k', faq: null, pollMs: 50 });
  const app = createApp({ operations: {} as Operations, webhookToken: null, ready: async () => true, web });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  web.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

test('a change written by another process is pushed; a phase change too', async () => {
  const abort = new AbortController();
  const res = await fetch(`${base}/s/${schedule.id}/events`, { signal: abort.signal });
  expect(res.headers.get('cache-control')).toBe('no-cache');
  const events = sseEvents(res);
  const first = JSON.parse((await nextEvent(events, 'state')).data) as PublicView;
  expect(first.phase).toBe('announced');
  await store.setTask(schedule.id, { taskId: 'dns', status: 'failed', at: DateTime.now().toISO()!, note: 'TTL zu hoch' });
  const failed = JSON.parse((await nextEvent(events, 'state')).data) as PublicView;
  expect(failed.tasks.find((t) => t.id === 'dns')).toMatchObject({ status: 'failed', statusLabel: 'Problem', note: 'TTL zu hoch' });
  // Phase changes do not bump the version; they are pushed all the same.
  await store.transition(schedule.id, 'cancelled', ['announced']);
  const cancelled = JSON.parse((await nextEvent(events, 'state')).data) as PublicView;
  expect(cancelled).toMatchObject({ phase: 'cancelled', phaseLabel: 'abgesagt' });
  abort.abort();
});

test('a browser that goes away unsubscribes; closing the web parts ends the streams so the server can stop', async () => {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/schedules/${schedule.id}/events`, { signal: abort.signal });
  await nextEvent(sseEvents(res), 'state');
  expect(web.hub.subscribers).toBe(1);
  abort.abort();
  await waitFor('unsubscribed', () => web.hub.subscribers === 0, 3000);

  const second = await fetch(`${base}/s/${schedule.id}/events`);
  const events = sseEvents(second);
  await nextEvent(events, 'state');
  expect(web.hub.subscribers).toBe(1);
  web.close();
  // The stream ends from the server side.
  const rest = await events.next();
  expect(rest.done).toBe(true);
  expect(web.hub.subscribers).toBe(0);
});
