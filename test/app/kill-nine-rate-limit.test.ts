import { expect, test } from 'vitest';
import { expectEveryTootOnce } from './kill-nine-expectations.ts';
import { killNineRun } from './kill-nine-run.ts';

/**
 * kill -9 of the worker at 10 points of the wien.rocks day, two replicas from
 * the 3rd to the 7th kill, and before the 8th another client uses up the
 * instance's rate-limit window, so that Herold meets a 429 and a worker is
 * killed while it must stay quiet. The Redis restart runs beside it in
 * kill-nine-redis-restart.test.ts.
 */
test('kill -9 at 10 points, two replicas and a 429: every toot once, 0 requests while blocked', async () => {
  const report = await killNineRun({ kills: 10, redisRestartAfter: null, twoReplicas: [3, 7], exhaustBefore: 8 });
  expectEveryTootOnce(report);
  expect(report.kills).toBe(10);
  expect(report.redisRestarts).toBe(0);
  // The 429 happened.
  expect(report.refusedWith429).toBeGreaterThan(0);
}, 300_000);
