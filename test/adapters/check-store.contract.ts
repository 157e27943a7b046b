/** One contract for the task checks' results, run against the Redis store and the memory store. */
import { describe, expect, test } from 'vitest';
import { eachOnItsOwn, type StoreFixture } from './store-fixture.ts';
import { emptyRecord, type CheckChange, type CheckRecord } from '../../src/checks/check-record.ts';
import type { CheckResults } from '../../src/core/ports/check-results.ts';

/** `changes` reads the log of verdict turns, which the core does not read. */
export type CheckStoreFixture = StoreFixture<CheckResults & { changes(scheduleId: string, taskId: string): Promise<CheckChange[]> }>;

const dns = (taskId: string, extra: Partial<CheckRecord> = {}): CheckRecord => ({ ...emptyRecord(taskId, 'dns', 'media.example.org A 192.0.2.7'), ...extra });
const turn = (at: string, passing: boolean): CheckChange => ({ at, passing, summary: passing ? '3 von 3 Resolvern sehen die neue Adresse' : 'kein Resolver sieht die neue Adresse' });

export function checkStoreContract(name: string, make: () => Promise<CheckStoreFixture>) {
  const withStore = eachOnItsOwn(make);

  describe(`CheckResults contract: ${name}`, () => {
    test('nothing saved: no record, an empty map, no turns', () =>
      withStore(async (store) => {
        expect(await store.get('wartung', 'dns')).toBeNull();
        expect(await store.all('wartung')).toEqual(new Map());
        expect(await store.changes('wartung', 'dns')).toEqual([]);
      }));

    test('the last save wins; all() maps task ids to records, per schedule', () =>
      withStore(async (store) => {
        await store.save('wartung', dns('dns'));
        await store.save('wartung', dns('dns', { seq: 3, ok: true, summary: 'gesehen', checkedAt: '2026-11-29T14:00:00.000Z', streak: { passing: null, since: null, run: 1, last: true } }));
        await store.save('wartung', { ...emptyRecord('web', 'http', 'https://media.example.org/'), stopped: 'kein Weg dorthin' });
        await store.save('andere', dns('dns', { seq: 9 }));

        expect(await store.get('wartung', 'dns')).toMatchObject({ seq: 3, ok: true, summary: 'gesehen', streak: { run: 1, last: true } });
        const all = await store.all('wartung');
        expect([...all.keys()].sort()).toEqual(['dns', 'web']);
        expect(all.get('web')).toEqual({ ...emptyRecord('web', 'http', 'https://media.example.org/'), stopped: 'kein Weg dorthin' });
        expect((await store.get('andere', 'dns'))!.seq).toBe(9);
        expect(await store.get('wartung', 'nope')).toBeNull();
      }));

    test('a save with a turn of the verdict logs it in order; one without does not', () =>
      withStore(async (store) => {
        await store.save('wartung', dns('dns', { seq: 1 }), turn('2026-11-29T14:00:00.000Z', false));
        await store.save('wartung', dns('dns', { seq: 2 }));
        await store.save('wartung', dns('dns', { seq: 3 }), turn('2026-11-29T14:10:00.000Z', true));
        expect(await store.changes('wartung', 'dns')).toEqual([turn('2026-11-29T14:00:00.000Z', false), turn('2026-11-29T14:10:00.000Z', true)]);
        expect(await store.changes('wartung', 'web')).toEqual([]);
      }));

    test('a record read back is a copy: changing it changes nothing stored', () =>
      withStore(async (store) => {
        await store.save('wartung', dns('dns', { resolvers: [] }));
        const read = await store.get('wartung', 'dns');
        (read!.resolvers as unknown[]).push('x');
        expect((await store.get('wartung', 'dns'))!.resolvers).toEqual([]);
      }));
  });
}
