import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import { initialProgress, withTask, type Phase } from '../../src/schedule/progress.ts';
import { tootJob, type PostKind } from '../../src/core/jobs.ts';
import { lateTootFate } from '../../src/core/late-toot-fate.ts';

const schedule = parseSchedule(readFileSync('schedules/wien-rocks-2023-02-12.yaml', 'utf8'), 'schedules/wien-rocks-2023-02-12.yaml');
const start = schedule.window.start;
const GRACE_MS = 15 * 60_000;

function fate(kind: PostKind, phase: Phase, { lateMs = 0, ref = null as string | null, task = null as null | 'done' | 'failed' } = {}) {
  const at = start.minus({ hours: 1 });
  let progress = { ...initialProgress(schedule), phase };
  if (ref && task) progress = withTask(progress, ref, task, start);
  return lateTootFate(tootJob(schedule, kind, `${kind}-x`, ref, at) as Extract<ReturnType<typeof tootJob>, { type: 'toot' }>, progress, at.plus({ milliseconds: lateMs }), GRACE_MS, schedule);
}

describe('what a toot not yet posted does when its job runs', () => {
  test.each([
    ['announcement', 'announced', 0, null],
    ['announcement', 'announced', GRACE_MS + 60_000, /16 min late, more than the grace period/],
    ['announcement', 'running', 0, /already started \(running\).*window still to come/],
    ['reminder', 'complete', 0, /already started \(complete\)/],
    ['date-changed', 'running', 0, /already started/],
    ['reminder', 'cancelled', 0, /cancelled/],
    ['start', 'announced', 0, null],
    ['start', 'running', 0, null],
    ['start', 'backout', 0, null],
    ['start', 'cancelled', 0, /cancelled/],
    ['complete', 'complete', 0, null],
    ['complete', 'backout', 0, /is backout, not complete/],
    ['backout', 'backout', 0, null],
    ['cancelled', 'cancelled', 0, null],
  ] as const)('%s in phase %s, %i ms late → %s', (kind, phase, lateMs, expected) => {
    const result = fate(kind, phase, { lateMs });
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatch(expected);
  });

  test('the start is not opened after a deadline Herold never reached', () => {
    const progress = initialProgress(schedule);
    const job = tootJob(schedule, 'start', 'start', null, start) as Extract<ReturnType<typeof tootJob>, { type: 'toot' }>;
    expect(lateTootFate(job, progress, schedule.window.deadline.plus({ minutes: 1 }), GRACE_MS, schedule)).toBe('the window was already over');
    expect(lateTootFate(job, progress, DateTime.fromMillis(schedule.window.deadline.toMillis() - 1), GRACE_MS, schedule)).toBeNull();
  });

  test.each([
    ['done', 'running', null],
    ['done', 'complete', null],
    ['failed', 'running', /"Upgrade auf Mastodon 4.0" is failed now, no longer done/],
    ['done', 'backout', /back-out reply says what happened/],
    // Reported done before the start job opened the window: it waits for its thread instead of being lost.
    ['done', 'announced', null],
  ] as const)('a milestone whose task is %s in phase %s → %s', (task, phase, expected) => {
    const result = fate('milestone', phase, { ref: 'upgrade', task });
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatch(expected);
  });

  test('a milestone for a window that was never opened is skipped once its deadline has passed', () => {
    const progress = withTask(initialProgress(schedule), 'upgrade', 'done', start);
    const job = tootJob(schedule, 'milestone', 'milestone-upgrade', 'upgrade', start) as Extract<ReturnType<typeof tootJob>, { type: 'toot' }>;
    expect(lateTootFate(job, progress, DateTime.fromMillis(schedule.window.deadline.toMillis() - 1), GRACE_MS, schedule)).toBeNull();
    expect(lateTootFate(job, progress, schedule.window.deadline, GRACE_MS, schedule)).toBe('the window was never opened, and its deadline has passed');
  });
});
