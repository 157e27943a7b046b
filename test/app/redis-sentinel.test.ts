import { Redis } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { ownRedis, ownSentinel, type OwnRedis } from './redis-server.ts';
import { MARK, withText } from './support.ts';

/** REDIS_URL=redis+sentinel://…/mymaster: Herold asks the Sentinel for the master and runs on it. */

let r: Rig | undefined;
let master: OwnRedis | undefined;
let sentinel: Awaited<ReturnType<typeof ownSentinel>> | undefined;
afterEach(async () => {
  await r?.close();
  await sentinel?.destroy();
  await master?.destroy();
  r = undefined;
  sentinel = undefined;
  master = undefined;
});

test('Herold finds its Redis through Sentinel: the start toot goes out, the state lives on the master', async () => {
  master = await ownRedis();
  sentinel = await ownSentinel(master);
  r = await rig({}, { redisUrl: `redis+sentinel://127.0.0.1:${sentinel.port}/mymaster` });
  const schedule: Schedule = { ...rebasedWienRocks(500, 600), announcements: [], reminders: [] };
  const service = await r.start([schedule], { replies: false });

  const start = await waitFor('start toot', () => withText(r!.sandbox, MARK.start)[0], 10_000);
  await waitFor('start recorded', async () => (await service.store.posted(schedule.id, 'start'))?.statusId === start.id, 5000);
  const direct = new Redis(master.url);
  try {
    expect(await direct.keys(`${r.config.prefix}:*`)).not.toHaveLength(0);
  } finally {
    direct.disconnect();
  }
  expect((await fetch(`${service.httpUrl}/readyz`)).status).toBe(200);
});
