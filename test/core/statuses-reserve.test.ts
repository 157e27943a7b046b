import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { expect, test } from 'vitest';
import { tootsStillNeeded } from '../../src/core/statuses-reserve.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import { initialProgress, withTask, type Phase } from '../../src/schedule/progress.ts';
import { milestoneTootId, reminderTootId } from '../../src/schedule/toot-ids.ts';

const file = 'schedules/wien-rocks-2023-02-12.yaml';
const schedule = parseSchedule(readFileSync(file, 'utf8'), file);
const at = DateTime.fromISO('2023-02-12T16:00', { zone: schedule.timezone });
const milestoneTasks = schedule.tasks.filter((t) => t.milestone !== null);
const reminderIds = schedule.reminders.map((r) => reminderTootId(r.id, schedule.window.start));
const announcementIds = schedule.announcements.map((a) => a.id);

test('the wien.rocks plan has the toots the table below counts with', () => {
  expect(announcementIds.length).toBeGreaterThan(0);
  expect(reminderIds.length).toBeGreaterThan(0);
  expect(milestoneTasks.length).toBe(2);
});

const early = announcementIds.length + reminderIds.length;
test.each<[string, Phase, string[], string[], number]>([
  // phase, done tasks, settled toot ids → statuses still needed
  ['before anything: every toot, one outcome, one spare', 'announced', [], [], early + 1 + 2 + 1 + 1],
  ['announcements out, a reminder skipped', 'announced', [], [...announcementIds, reminderIds[0]!], reminderIds.length - 1 + 1 + 2 + 1 + 1],
  ['running: milestones and the outcome', 'running', [], ['start'], 2 + 1],
  ['running, the start still waiting for the instance', 'running', [], [], 1 + 2 + 1],
  ['one milestone out', 'running', [milestoneTasks[0]!.id], ['start', milestoneTootId(milestoneTasks[0]!.id)], 1 + 1],
  ['complete, one milestone not out yet', 'complete', milestoneTasks.map((t) => t.id), ['start', milestoneTootId(milestoneTasks[0]!.id)], 1 + 1],
  ['complete and announced', 'complete', milestoneTasks.map((t) => t.id), ['start', 'complete', ...milestoneTasks.map((t) => milestoneTootId(t.id))], 0],
  ['backed out: only the back-out', 'backout', [], ['start'], 1],
  ['cancelled: the cancellation', 'cancelled', [], [...announcementIds], 1],
])('%s', (_, phase, done, settled, needed) => {
  let progress = { ...initialProgress(schedule), phase };
  for (const id of done) progress = withTask(progress, id, 'done', at);
  expect(tootsStillNeeded(schedule, progress, new Set(settled))).toBe(needed);
});
