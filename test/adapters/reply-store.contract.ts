/**
 * One contract for every reply store (the botkit repository.test.ts pattern):
 * the core's ReplyStore port and the admins' QuestionInbox, answered alike by
 * the Redis store and the memory store.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { eachOnItsOwn, type StoreFixture } from './store-fixture.ts';
import type { AnsweredRecord, OpenQuestion, QuestionInbox, ReplyStore } from '../../src/core/ports/reply-store.ts';

export type ReplyStoreFixture = StoreFixture<ReplyStore & QuestionInbox>;

const record = (faqId: string, extra: Partial<AnsweredRecord> = {}): AnsweredRecord => ({ statusId: '900', faqId, at: '2026-11-29T14:00:00.000Z', acct: 'anna@example.org', ...extra });

const question = (notificationId: string, createdAt: string): OpenQuestion => ({
  notificationId,
  statusId: `s${notificationId}`,
  url: null,
  acct: 'bert@example.org',
  visibility: 'public',
  text: 'Geht das Hochladen wieder?',
  score: 0.2,
  createdAt,
});

export function replyStoreContract(name: string, make: () => Promise<ReplyStoreFixture>) {
  const withStore = eachOnItsOwn(make);

  describe(`ReplyStore contract: ${name}`, () => {
    test('the first answered record wins; an unknown notification has none', () =>
      withStore(async (store) => {
        expect(await store.answered('n1')).toBeNull();
        expect(await store.recordAnswered('n1', record('wann'))).toBe(true);
        expect(await store.recordAnswered('n1', record('wo', { statusId: null, skipped: 'cooldown' }))).toBe(false);
        expect(await store.answered('n1')).toEqual(record('wann'));
        expect(await store.answered('n2')).toBeNull();
      }));

    test.each([
      { case: 'the same notification again (a retry) passes', second: { account: 'a1', faq: 'wann', notification: 'n1' }, claimed: true },
      { case: 'another notification of the account for the same answer waits', second: { account: 'a1', faq: 'wann', notification: 'n2' }, claimed: false },
      { case: 'another answer for the account is its own cooldown', second: { account: 'a1', faq: 'wo', notification: 'n2' }, claimed: true },
      { case: 'another account is its own cooldown', second: { account: 'a2', faq: 'wann', notification: 'n2' }, claimed: true },
    ])('after a claim of a1/wann by n1: $case', ({ second, claimed }) =>
      withStore(async (store) => {
        expect(await store.claimCooldown('a1', 'wann', 'n1', 60_000)).toBe(true);
        expect(await store.claimCooldown(second.account, second.faq, second.notification, 60_000)).toBe(claimed);
      }),
    );

    test('no cooldown (0 ms) always passes and holds nothing', () =>
      withStore(async (store) => {
        expect(await store.claimCooldown('a1', 'wann', 'n1', 0)).toBe(true);
        expect(await store.claimCooldown('a1', 'wann', 'n2', 0)).toBe(true);
        expect(await store.claimCooldown('a1', 'wann', 'n3', 60_000)).toBe(true);
      }));

    test('a released claim is free again, but only its holder can release it', () =>
      withStore(async (store) => {
        expect(await store.claimCooldown('a1', 'wann', 'n1', 60_000)).toBe(true);
        await store.releaseCooldown('a1', 'wann', 'n2');
        expect(await store.claimCooldown('a1', 'wann', 'n2', 60_000)).toBe(false);
        await store.releaseCooldown('a1', 'wann', 'n1');
        expect(await store.claimCooldown('a1', 'wann', 'n2', 60_000)).toBe(true);
        expect(await store.claimCooldown('a1', 'wann', 'n1', 60_000)).toBe(false);
      }));

    test('a claim ends when its cooldown has passed', () =>
      withStore(async (store) => {
        expect(await store.claimCooldown('a1', 'wann', 'n1', 30)).toBe(true);
        expect(await store.claimCooldown('a1', 'wann', 'n2', 30)).toBe(false);
        await sleep(120);
        expect(await store.claimCooldown('a1', 'wann', 'n2', 60_000)).toBe(true);
      }));

    test('questions are kept once, listed oldest first, and closed by a person', () =>
      withStore(async (store) => {
        expect(await store.openQuestions()).toEqual([]);
        expect(await store.keepQuestion(question('q2', '2026-11-29T14:05:00.000Z'))).toBe(true);
        expect(await store.keepQuestion(question('q1', '2026-11-29T14:01:00.000Z'))).toBe(true);
        expect(await store.keepQuestion(question('q3', '2026-11-29T14:05:00.000Z'))).toBe(true);
        expect(await store.keepQuestion({ ...question('q1', '2026-11-29T14:09:00.000Z'), text: 'anders' })).toBe(false);
        expect((await store.openQuestions()).map((q) => q.notificationId)).toEqual(['q1', 'q2', 'q3']);
        expect((await store.openQuestions())[0]).toEqual(question('q1', '2026-11-29T14:01:00.000Z'));

        expect(await store.closeQuestions([])).toBe(0);
        expect(await store.closeQuestions(['q2', 'unknown'])).toBe(1);
        expect(await store.closeQuestions(['q2'])).toBe(0);
        expect((await store.openQuestions()).map((q) => q.notificationId)).toEqual(['q1', 'q3']);
        // Closed stays closed: keeping it again does not reopen it.
        expect(await store.keepQuestion(question('q2', '2026-11-29T14:05:00.000Z'))).toBe(false);
        expect((await store.openQuestions()).map((q) => q.notificationId)).toEqual(['q1', 'q3']);
      }));
  });
}
