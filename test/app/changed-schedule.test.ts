import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { afterEach, expect, test } from 'vitest';
import { jobId } from '../../src/core/jobs.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { MARK, operator, withText } from './support.ts';
import { dateChangedTootId, reminderTootId } from '../../src/schedule/toot-ids.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** The wien.rocks schedule with its start `startIn` from now and the announcements and reminders at the given times. */
function plan(base: Schedule, startIn: { hours: number }, at: { umzug: DateTime; termin: DateTime; reminders: [string, DateTime][] }): Schedule {
  const start = DateTime.now().setZone(base.timezone).plus(startIn);
  const shift = start.toMillis() - base.window.start.toMillis();
  return {
    ...base,
    window: { ...base.window, start, deadline: base.window.deadline.plus({ milliseconds: shift }) },
    announcements: base.announcements.map((a) => ({ ...a, at: a.id === 'umzug-nach-wien' ? at.umzug : at.termin })),
    reminders: at.reminders.map(([id, when]) => ({ ...base.reminders.find((rm) => rm.id === id)!, at: when })),
    tasks: base.tasks.map((t) => ({ ...t, at: t.at ? t.at.plus({ milliseconds: shift }) : null })),
  };
}

test('a changed schedule: jobs moved, the dropped reminder removed, and one "Neuer Termin" toot for the moved start', async () => {
  r = await rig();
  const { sandbox } = r;
  const base = rebasedWienRocks(3_600_000, 1);
  const now = DateTime.now().setZone(base.timezone);
  const first = plan(base, { hours: 1 }, {
    umzug: now.plus({ milliseconds: 300 }),
    termin: now.plus({ minutes: 30 }),
    reminders: [
      ['ein-tag-vorher', now.plus({ minutes: 20 })],
      ['eine-stunde-vorher', now.plus({ minutes: 40 })],
    ],
  });

  // First run: the first announcement goes out, the rest waits.
  const service = await r.start([first], { http: false, replies: false });
  await waitFor('first announcement', () => withText(sandbox, MARK.move)[0], 10_000);
  await waitFor('announced start recorded', () => service.store.announcedStart(first.id));
  const id = (tootId: string) => `toot.${first.id}.${tootId}`;
  expect((await service.jobs.pending(first.id)).map((j) => j.id).sort()).toEqual(
    [
      id(reminderTootId('ein-tag-vorher', first.window.start)),
      id('termin'),
      id(reminderTootId('eine-stunde-vorher', first.window.start)),
      id('start'),
      jobId({ type: 'deadline', scheduleId: first.id, deadline: first.window.deadline.toISO()! }),
    ].sort(),
  );
  r.services.splice(r.services.indexOf(service), 1);
  await service.close();

  // The file changes: one reminder removed, the second announcement moved, the start an hour later.
  const second = plan(base, { hours: 2 }, {
    umzug: first.announcements[0]!.at,
    termin: now.plus({ minutes: 35 }),
    reminders: [['ein-tag-vorher', now.plus({ minutes: 50 })]],
  });
  const op = await operator(r.config, [second]);
  try {
    const result = await op.ops.upsert(second);
    expect(result).toMatchObject({ moved: 2, removed: 3, dateChanged: true });

    const pending = await op.jobs.pending(second.id);
    const due = new Map(pending.map((j) => [j.id, j.dueAt]));
    const dateChanged = id(dateChangedTootId(second.window.start));
    expect([...due.keys()].sort()).toEqual(
      [
        dateChanged,
        id(reminderTootId('ein-tag-vorher', second.window.start)),
        id('termin'),
        id('start'),
        jobId({ type: 'deadline', scheduleId: second.id, deadline: second.window.deadline.toISO()! }),
      ].sort(),
    );
    // Rescheduled to the new times (within the second the comparison allows).
    expect(Math.abs(due.get(id('termin'))! - second.announcements[1]!.at.toMillis())).toBeLessThan(1000);
    expect(Math.abs(due.get(id('start'))! - second.window.start.toMillis())).toBeLessThan(1000);
    expect(Math.abs(due.get(id(reminderTootId('ein-tag-vorher', second.window.start)))! - second.reminders[0]!.at.toMillis())).toBeLessThan(1000);
    expect(due.get(dateChanged)!).toBeLessThanOrEqual(Date.now());
  } finally {
    await op.close();
  }

  // Second run with the changed file: the date-changed toot goes out once, naming both dates.
  const again = await r.start([second], { http: false, replies: false });
  const changed = await waitFor('date-changed toot', () => withText(sandbox, MARK.dateChanged)[0], 10_000);
  expect(changed.text).toContain(first.window.start.toFormat('HH:mm'));
  expect(changed.text).toContain(second.window.start.toFormat('HH:mm'));
  await waitFor('announced start updated', async () => (await again.store.announcedStart(second.id)) === second.window.start.toISO());
  // Upserting the same file again changes nothing and says nothing new.
  expect(await again.operations.upsert(second)).toMatchObject({ moved: 0, removed: 0, dateChanged: false });
  await sleep(300);
  expect(withText(sandbox, MARK.dateChanged)).toHaveLength(1);
  expect(withText(sandbox, MARK.move)).toHaveLength(1);
  expect(sandbox.statuses()).toHaveLength(2);
  expect((await again.store.allPosted(second.id)).map((p) => p.tootId)).toEqual(['umzug-nach-wien', dateChangedTootId(second.window.start)]);
});
