import { expect, test } from 'vitest';
import { killNineRun } from './kill-nine-run.ts';

/**
 * kill -9 of the worker at 20 points of the wien.rocks day, a Redis restart
 * (AOF) in the middle, two replicas for a part of it, and a 429 from the
 * instance: every toot exists once, in its thread, recorded by Herold, and no
 * request reaches the instance while it refuses Herold. The figures of this
 * run are in BENCHMARKS.md (bench/kill-nine.ts).
 */
test('kill -9 at 20 points, a Redis restart and two replicas: every toot once, the thread intact, 0 requests while blocked', async () => {
  const report = await killNineRun();
  for (const { kind, count, expected } of report.statuses) expect(count, kind).toBe(expected);
  expect(report.duplicateKeys).toEqual([]);
  expect(report.threadBroken).toBe(0);
  expect(report.finalProgress).toMatch(/^✅ Wartung von wien\.rocks abgeschlossen um \d\d:\d\d Uhr/);
  // Every task done: none still open, and the deadline promise is gone.
  expect(report.finalProgress).not.toMatch(/⬜|⏳|Spätestens/);
  // Herold's records match the instance: every status recorded, nothing skipped or failed.
  expect(report.recorded).toEqual(report.created);
  // Skipped only what the rules skip: an announcement or reminder whose job a kill delayed past the start.
  for (const skip of report.skipped) expect(skip).toMatch(/^(umzug-nach-wien|termin|ein-tag-vorher@\S+|eine-stunde-vorher@\S+): the maintenance had already started \(running\)/);
  expect(report.failures).toEqual([]);
  expect(report.failedJobs).toBe(0);
  expect(report.kills).toBe(20);
  expect(report.redisRestarts).toBe(1);
  // The 429 happened, and nothing was sent while the instance refused Herold.
  expect(report.refusedWith429).toBeGreaterThan(0);
  expect(report.requestsWhileBlocked.map((q) => `${q.method} ${q.path}`)).toEqual([]);
}, 400_000);
