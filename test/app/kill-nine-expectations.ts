import { expect } from 'vitest';
import type { KillNineReport } from './kill-nine-run.ts';

/** What every kill -9 run must show, whatever was killed when. */
export function expectEveryTootOnce(report: KillNineReport): void {
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
  // Nothing was sent while the instance refused Herold.
  expect(report.requestsWhileBlocked.map((q) => `${q.method} ${q.path}`)).toEqual([]);
}
