/** One contract for the "Sag Bescheid" requests, run against the Redis store and the memory store. */
import { describe, expect, test } from 'vitest';
import { eachOnItsOwn, type StoreFixture } from './store-fixture.ts';
import type { NotifyRequest, NotifyRequests } from '../../src/core/ports/notify-requests.ts';

export type NotifyRequestsFixture = StoreFixture<NotifyRequests>;

const asked = (accountId: string): NotifyRequest => ({ accountId, acct: `${accountId}@example.org`, statusId: `s-${accountId}`, language: 'de', at: '2026-11-29T14:00:00.000Z' });

export function notifyRequestsContract(name: string, make: () => Promise<NotifyRequestsFixture>) {
  const withStore = eachOnItsOwn(make);

  describe(`NotifyRequests contract: ${name}`, () => {
    test('once per account, within the cap; a cancel makes room; per schedule', () =>
      withStore(async (store) => {
        expect(await store.add('wartung', asked('a1'), 2)).toBe('added');
        expect(await store.add('wartung', { ...asked('a1'), language: 'en' }, 2)).toBe('already');
        expect(await store.add('wartung', asked('a2'), 2)).toBe('added');
        expect(await store.add('wartung', asked('a3'), 2)).toBe('full');
        expect(await store.add('andere', asked('a3'), 2)).toBe('added');
        expect((await store.requests('wartung')).map((r) => r.accountId).sort()).toEqual(['a1', 'a2']);
        expect(await store.request('wartung', 'a1')).toEqual(asked('a1'));

        expect(await store.cancel('wartung', 'a1')).toBe(true);
        expect(await store.cancel('wartung', 'a1')).toBe(false);
        expect(await store.request('wartung', 'a1')).toBeNull();
        expect(await store.add('wartung', asked('a3'), 2)).toBe('added');
        expect((await store.requests('wartung')).map((r) => r.accountId).sort()).toEqual(['a2', 'a3']);
        expect(await store.requests('leer')).toEqual([]);
      }));

    test('the first sent record wins, per schedule and account, and outlives a cancel', () =>
      withStore(async (store) => {
        await store.add('wartung', asked('a1'), 10);
        expect(await store.sent('wartung', 'a1')).toBeNull();
        expect(await store.recordSent('wartung', 'a1', { statusId: '77', at: '2026-11-29T15:00:00.000Z' })).toBe(true);
        expect(await store.recordSent('wartung', 'a1', { statusId: null, at: '2026-11-29T15:01:00.000Z', skipped: 'refused with HTTP 422' })).toBe(false);
        await store.cancel('wartung', 'a1');
        expect(await store.sent('wartung', 'a1')).toEqual({ statusId: '77', at: '2026-11-29T15:00:00.000Z' });
        expect(await store.sent('andere', 'a1')).toBeNull();
      }));
  });
}
