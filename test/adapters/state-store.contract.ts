/**
 * One contract for every StateStore (the botkit repository.test.ts pattern):
 * the Redis store and the memory store must answer alike, so the use cases'
 * unit tests on the memory store say something about production.
 */
import { describe, expect, test } from 'vitest';
import type { StateStore } from '../../src/core/ports/state-store.ts';
import { rebasedWienRocks, uniqueId } from '../support/harness.ts';

export interface StateStoreFixture {
  readonly store: StateStore;
  close(): Promise<void>;
}

export function stateStoreContract(name: string, make: () => Promise<StateStoreFixture>) {
  const withStore = async (fn: (store: StateStore, schedule: ReturnType<typeof rebasedWienRocks>) => Promise<void>) => {
    const fixture = await make();
    const schedule = rebasedWienRocks(3_600_000, 1, uniqueId('contract'));
    try {
      await fn(fixture.store, schedule);
    } finally {
      await fixture.store.clear(schedule.id);
      await fixture.close();
    }
  };
  const event = (taskId: string, status: 'running' | 'done', note: string | null = null) => ({ taskId, status, at: '2026-11-29T14:00:00.000+01:00', note });

  describe(`StateStore contract: ${name}`, () => {
    test('a schedule never seen: announced, every task pending, the file deadline, version 0, nothing shown or planned', () =>
      withStore(async (store, schedule) => {
        const { progress, version } = await store.snapshot(schedule);
        expect(version).toBe(0);
        expect(progress.phase).toBe('announced');
        expect(progress.endedAt).toBeNull();
        expect(progress.deadline.toMillis()).toBe(schedule.window.deadline.toMillis());
        expect(Object.values(progress.tasks).every((t) => t.status === 'pending' && t.changedAt === null)).toBe(true);
        expect(await store.edits(schedule.id)).toEqual({ shown: { primary: null, fallback: null }, lastEditAt: null, editDueAt: null });
        expect(await store.announcedStart(schedule.id)).toBeNull();
        expect(await store.posted(schedule.id, 'start')).toBeNull();
      }));

    test('task changes count versions, show in the progress in the schedule zone, and are logged in order', () =>
      withStore(async (store, schedule) => {
        const [first, second] = schedule.tasks;
        expect(await store.setTask(schedule.id, event(first!.id, 'running'))).toBe(1);
        expect(await store.setTask(schedule.id, event(first!.id, 'done', 'ok'))).toBe(2);
        expect(await store.setTask(schedule.id, event(second!.id, 'running'))).toBe(3);
        const { progress, version } = await store.snapshot(schedule);
        expect(version).toBe(3);
        expect(progress.tasks[first!.id]).toMatchObject({ status: 'done', note: 'ok' });
        expect(progress.tasks[first!.id]!.changedAt!.zoneName).toBe(schedule.timezone);
        expect((await store.events(schedule.id)).map((e) => `${e.taskId}:${e.status}`)).toEqual([`${first!.id}:running`, `${first!.id}:done`, `${second!.id}:running`]);
        expect(await store.version(schedule.id)).toBe(3);
      }));

    test('a task change in a refused phase records nothing and says so with null', () =>
      withStore(async (store, schedule) => {
        expect(await store.transition(schedule.id, 'cancelled', ['announced'])).toBe(true);
        expect(await store.setTask(schedule.id, event(schedule.tasks[0]!.id, 'done'), ['complete', 'backout', 'cancelled'])).toBeNull();
        expect(await store.version(schedule.id)).toBe(0);
        expect(await store.events(schedule.id)).toEqual([]);
      }));

    test.each([
      { from: ['announced'] as const, to: 'running' as const, moves: true },
      { from: ['running'] as const, to: 'backout' as const, moves: false },
    ])('transition to $to from $from, starting announced: moves $moves', ({ from, to, moves }) =>
      withStore(async (store, schedule) => {
        expect(await store.transition(schedule.id, to, from)).toBe(moves);
        expect((await store.progress(schedule)).phase).toBe(moves ? to : 'announced');
        expect(await store.version(schedule.id)).toBe(0);
      }),
    );

    test('an outcome with its time records when, and is a new version', () =>
      withStore(async (store, schedule) => {
        const at = schedule.window.start.plus({ hours: 1 });
        expect(await store.transition(schedule.id, 'complete', ['announced', 'running'], at)).toBe(true);
        const { progress, version } = await store.snapshot(schedule);
        expect(version).toBe(1);
        expect(progress.endedAt!.toMillis()).toBe(at.toMillis());
      }));

    test('a new deadline is a new version and the progress shows it', () =>
      withStore(async (store, schedule) => {
        const later = schedule.window.deadline.plus({ minutes: 30 });
        expect(await store.setDeadline(schedule.id, later)).toBe(1);
        expect((await store.progress(schedule)).deadline.toMillis()).toBe(later.toMillis());
      }));

    test('edit bookkeeping: what each account shows, the last edit, the planned slot, the announced start', () =>
      withStore(async (store, schedule) => {
        await store.recordShown(schedule.id, 'primary', 0);
        expect(await store.edits(schedule.id)).toEqual({ shown: { primary: 0, fallback: null }, lastEditAt: null, editDueAt: null });
        await store.planEdit(schedule.id, 1_000);
        await store.recordShown(schedule.id, 'primary', 3, 1_500);
        await store.recordShown(schedule.id, 'fallback', 2, 9_999);
        expect(await store.edits(schedule.id)).toEqual({ shown: { primary: 3, fallback: 2 }, lastEditAt: 1_500, editDueAt: 1_000 });
        await store.recordAnnouncedStart(schedule.id, schedule.window.start.toISO()!);
        expect(await store.announcedStart(schedule.id)).toBe(schedule.window.start.toISO());
      }));

    test("the progress toot's edited text, per account, for the feed", () =>
      withStore(async (store, schedule) => {
        expect(await store.editedTexts(schedule.id)).toEqual({});
        await store.recordEditedText(schedule.id, 'primary', { text: '🚧 1 von 9', at: '2026-11-29T13:01:00Z' });
        await store.recordEditedText(schedule.id, 'primary', { text: '🚧 2 von 9', at: '2026-11-29T13:02:00Z' });
        await store.recordEditedText(schedule.id, 'fallback', { text: '🚧 1 von 9', at: '2026-11-29T13:01:30Z' });
        expect(await store.editedTexts(schedule.id)).toEqual({
          primary: { text: '🚧 2 von 9', at: '2026-11-29T13:02:00Z' },
          fallback: { text: '🚧 1 von 9', at: '2026-11-29T13:01:30Z' },
        });
      }));

    test('the first record of a posted toot wins; each account has its own, and the log lists them in order', () =>
      withStore(async (store, schedule) => {
        const toot = { statusId: '1', url: 'https://example/1', at: '2026-11-29T13:00:00Z', account: 'primary' as const };
        expect(await store.recordPosted(schedule.id, 'start', toot)).toBe(true);
        expect(await store.recordPosted(schedule.id, 'start', { ...toot, statusId: '2' })).toBe(false);
        expect(await store.recordPosted(schedule.id, 'start', { ...toot, statusId: '3', account: 'fallback' })).toBe(true);
        expect((await store.posted(schedule.id, 'start'))!.statusId).toBe('1');
        expect((await store.posted(schedule.id, 'start', 'fallback'))!.statusId).toBe('3');
        expect((await store.allPosted(schedule.id)).map((p) => `${p.tootId}:${p.statusId}`)).toEqual(['start:1', 'start:3']);
      }));

    test('failures and ready marks are kept', () =>
      withStore(async (store, schedule) => {
        await store.recordFailure(schedule.id, { tootId: 'start (pin)', at: 'x', message: 'full' });
        await store.markReady(schedule.id, schedule.tasks[0]!.id, 'y');
        expect(await store.failures(schedule.id)).toEqual([{ tootId: 'start (pin)', at: 'x', message: 'full' }]);
        expect(await store.ready(schedule.id)).toEqual({ [schedule.tasks[0]!.id]: 'y' });
      }));

    test('the lock: one holder at a time, held while it works, free again afterwards', () =>
      withStore(async (store, schedule) => {
        const inside = await store.withLock(schedule.id, 'progress', 5000, async (stillHeld) => {
          const second = await store.withLock(schedule.id, 'progress', 5000, async () => 'second');
          return { second, held: stillHeld() };
        });
        expect(inside).toEqual({ second: undefined, held: true });
        expect(await store.withLock(schedule.id, 'progress', 5000, async () => 'again')).toBe('again');
      }));

    test('clear forgets the schedule', () =>
      withStore(async (store, schedule) => {
        await store.setTask(schedule.id, event(schedule.tasks[0]!.id, 'done'));
        await store.clear(schedule.id);
        expect(await store.version(schedule.id)).toBe(0);
        expect(await store.events(schedule.id)).toEqual([]);
      }));
  });
}
