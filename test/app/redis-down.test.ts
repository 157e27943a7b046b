import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { redisConnection } from '../../src/adapters/redis/connect.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, type Rig } from '../support/harness.ts';
import { ownRedis, type OwnRedis } from './redis-server.ts';
import {  } from './support.ts';

/**
 * Redis stopped or frozen under a running Herold: every HTTP route answers
 * within a second (503 with a short German page or a JSON error; /healthz
 * stays 200), and a webhook change its client was refused is never applied
 * later, when Redis is back.
 */

let r: Rig | undefined;
let redis: OwnRedis | undefined;
afterEach(async () => {
  redis?.thaw();
  await r?.close();
  await redis?.destroy();
  r = undefined;
  redis = undefined;
});

const ADMIN = { user: 'admin', password: 'an-admin-password-0123' };

async function setUp(): Promise<{ url: string; schedule: Schedule; webhookToken: string }> {
  redis = await ownRedis();
  r = await rig({}, { redisUrl: redis.url, admin: ADMIN });
  const schedule: Schedule = { ...rebasedWienRocks(3_600_000, 1), announcements: [], reminders: [] };
  const service = await r.start([schedule], { replies: false });
  return { url: service.httpUrl!, schedule, webhookToken: r.config.webhookToken! };
}

interface Answer {
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  readonly type: string;
  readonly body: string;
}

/** Every route once; a route that does not answer within 1 s shows as status 0. */
/** Asks each route once, giving up on an answer after `timeoutMs` (status 0). */
async function askEveryRoute(url: string, schedule: Schedule, webhookToken: string, timeoutMs = 1000): Promise<Answer[]> {
  const basic = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
  const requests: [string, RequestInit][] = [
    ['/', {}],
    [`/s/${schedule.id}`, {}],
    ['/api/schedules', {}],
    [`/api/schedules/${schedule.id}`, {}],
    ['/feed.atom', {}],
    ['/metrics', {}],
    ['/readyz', {}],
    ['/healthz', {}],
    ['/admin/queues/api/queues', { headers: { authorization: basic } }],
    [
      `/api/schedules/${schedule.id}/tasks/abschaltung`,
      { method: 'POST', headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'done' }) },
    ],
  ];
  const answers: Answer[] = [];
  for (const [route, init] of requests) {
    const started = Date.now();
    const answer = await fetch(`${url}${route}`, { ...init, signal: AbortSignal.timeout(timeoutMs) }).then(
      async (res) => ({ status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() }),
      () => ({ status: 0, type: '', body: '' }),
    );
    answers.push({ route, ms: Date.now() - started, ...answer });
  }
  return answers;
}

function expectUnavailable(answers: Answer[]) {
  for (const a of answers) {
    expect(a.ms, a.route).toBeLessThan(1000);
    if (a.route === '/healthz') {
      expect(a.status, a.route).toBe(200);
      continue;
    }
    expect(a.status, a.route).toBe(503);
    if (a.route.startsWith('/api/') || a.route === '/metrics' || a.route.startsWith('/admin/')) {
      expect(a.type, a.route).toContain('application/json');
      expect(JSON.parse(a.body).error, a.route).toMatch(/Redis/);
    } else if (a.route === '/readyz') {
      expect(a.body).toMatch(/^not ready/);
    } else {
      expect(a.type, a.route).toContain('text/html');
      expect(a.body, a.route).toContain('Gerade nicht verfügbar');
      expect(a.body.length, a.route).toBeLessThan(20_000);
    }
  }
}

test('Redis stopped: each route answers within 1 s, and the refused webhook change is not applied when Redis is back', async () => {
  const { url, schedule, webhookToken } = await setUp();
  // Everything answers while Redis is there.
  // (The 1 s promise is for Redis down; with Redis there, a loaded machine may take longer for the first answers.)
  const before = await askEveryRoute(url, { ...schedule }, webhookToken, 10_000);
  expect(before.filter((a) => a.route !== '/api/schedules/' + schedule.id + '/tasks/abschaltung').every((a) => a.status === 200)).toBe(true);
  // Undo the webhook's change, so the one sent while Redis is down is the one to look for.
  const connection = redisConnection(redis!.url, 'worker');
  connection.on('error', () => undefined);
  const store = new StateStore(connection, r!.config.prefix);
  await r!.services[0]!.operations.taskChange(schedule.id, 'abschaltung', 'running');

  await redis!.stop();
  const answers = await askEveryRoute(url, schedule, webhookToken);
  expectUnavailable(answers);

  // Redis comes back: the change the webhook refused (503) does not appear later.
  await redis!.start();
  await sleep(2500);
  expect((await store.progress(schedule)).tasks['abschaltung']?.status).toBe('running');
  const again = await fetch(`${url}/readyz`);
  expect(again.status).toBe(200);
  connection.disconnect();
});

test('Redis frozen (SIGSTOP): each route still answers within 1 s', async () => {
  const { url, schedule, webhookToken } = await setUp();
  redis!.freeze();
  const answers = await askEveryRoute(url, schedule, webhookToken);
  expectUnavailable(answers);
  redis!.thaw();
});
