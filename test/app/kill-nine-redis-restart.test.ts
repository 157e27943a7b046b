import { expect, test } from 'vitest';
import { expectEveryTootOnce } from './kill-nine-expectations.ts';
import { killNineRun } from './kill-nine-run.ts';

/**
 * kill -9 of the worker at 10 points of the wien.rocks day, a Redis restart
 * (AOF) after the 5th and two replicas from the 2nd to the 6th kill. The
 * other 10 points, with the instance's 429, run beside it in
 * kill-nine-rate-limit.test.ts; bench/kill-nine.ts does all 20 in one day and
 * prints the figures for BENCHMARKS.md.
 */
test('kill -9 at 10 points, a Redis restart and two replicas: every toot once, the thread intact', async () => {
  const report = await killNineRun({ kills: 10, redisRestartAfter: 5, twoReplicas: [2, 6], exhaustBefore: null });
  expectEveryTootOnce(report);
  expect(report.kills).toBe(10);
  expect(report.redisRestarts).toBe(1);
}, 300_000);
