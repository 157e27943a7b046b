/** One contract for the calendar event's revisions, run against the Redis store and the memory store. */
import { describe, expect, test } from 'vitest';
import { eachOnItsOwn, type StoreFixture } from './store-fixture.ts';
import type { CalendarRevisions } from '../../src/core/ports/calendar-revisions.ts';

export function calendarRevisionsContract(name: string, make: () => Promise<StoreFixture<CalendarRevisions>>) {
  const withStore = eachOnItsOwn(make);

  describe(`CalendarRevisions contract: ${name}`, () => {
    test('SEQUENCE starts at 0, stays while the facts stay, and grows by one with each change; per maintenance', () =>
      withStore(async (store) => {
        expect(await store.revise('wartung', 'a', 1_000)).toEqual({ sequence: 0, changedAt: 1_000 });
        expect(await store.revise('wartung', 'a', 2_000)).toEqual({ sequence: 0, changedAt: 1_000 });
        expect(await store.revise('wartung', 'b', 3_000)).toEqual({ sequence: 1, changedAt: 3_000 });
        // Back to earlier facts is a change too: calendar apps only take a higher SEQUENCE.
        expect(await store.revise('wartung', 'a', 4_000)).toEqual({ sequence: 2, changedAt: 4_000 });
        expect(await store.revise('andere', 'a', 5_000)).toEqual({ sequence: 0, changedAt: 5_000 });
      }));

    test('two replicas serving the changed event at once raise it once', () =>
      withStore(async (store) => {
        await store.revise('wartung', 'a', 1_000);
        const both = await Promise.all([store.revise('wartung', 'b', 2_000), store.revise('wartung', 'b', 2_001)]);
        expect(both.map((revision) => revision.sequence)).toEqual([1, 1]);
        expect(await store.revise('wartung', 'b', 3_000)).toMatchObject({ sequence: 1 });
      }));
  });
}
