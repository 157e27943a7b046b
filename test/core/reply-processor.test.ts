/**
 * ReplyProcessor on the memory adapters, table-driven: every kind of reply
 * job, every failure kind, the cooldown and the notify list. No Redis.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { MemoryCheckStore } from '../../src/adapters/memory/memory-check-store.ts';
import { MemoryJobQueue } from '../../src/adapters/memory/memory-job-queue.ts';
import { MemoryNotifyRequests } from '../../src/adapters/memory/memory-notify-requests.ts';
import { MemoryPostAttempts } from '../../src/adapters/memory/memory-post-attempts.ts';
import { MemoryReplyStore } from '../../src/adapters/memory/memory-reply-store.ts';
import { MemoryStateStore } from '../../src/adapters/memory/memory-state-store.ts';
import { CurrentSchedule } from '../../src/core/current-schedule.ts';
import type { JobOutcome } from '../../src/core/job-outcome.ts';
import { postOnceOptions } from '../../src/core/post-once.ts';
import { ReplyProcessor, type NotifyJob, type ReplyJob } from '../../src/core/reply-processor.ts';
import { MastodonUnavailableError } from '../../src/errors.ts';
import { FALLBACK_ID, loadFaq, NOTIFY_CANCEL_ID, NOTIFY_ID, THANKS_ID, type LoadedFaq } from '../../src/faq/index.ts';
import { replyPostKey } from '../../src/schedule/toot-ids.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { MemoryAccount, type FailureKind } from './memory-account.ts';
import { recordingLogger, schedule, TestClock } from './use-case-rig.ts';

/** What a run came to, in one line: a done job's result, else its kind and reason. */
const said = (outcome: JobOutcome) => (outcome.kind === 'done' ? outcome.result : `${outcome.kind}: ${outcome.reason}`);

let answers: LoadedFaq['answers'];
beforeAll(async () => {
  answers = (await loadFaq()).answers;
});

const notifyDir = (language: string) => fileURLToPath(new URL(`../../templates/${language}/notify/`, import.meta.url));

function job(notificationId: string, faqId: string, extra: Partial<ReplyJob> = {}): ReplyJob {
  return { type: 'reply', scheduleId: schedule.id, notificationId, statusId: `s${notificationId}`, accountId: '42', acct: 'anna@example.org', faqId, language: 'de', receivedAt: '2023-02-12T13:00:00.000Z', ...extra };
}

function rig(options: { enabled?: boolean; cooldownMs?: number; cap?: number; notify?: boolean; schedule?: Schedule } = {}) {
  const current = options.schedule ?? schedule;
  const clock = new TestClock();
  const store = new MemoryReplyStore(() => clock.realNowMs());
  const account = new MemoryAccount('primary');
  const attempts = new MemoryPostAttempts();
  const requests = new MemoryNotifyRequests();
  const jobs = new MemoryJobQueue(() => clock.realNowMs());
  const { log, lines } = recordingLogger();
  let replied = 0;
  const processor = new ReplyProcessor({
    store,
    current: new CurrentSchedule(new Map([[current.id, current]]), new MemoryStateStore(() => clock.realNowMs()), () => clock.now()),
    account,
    posting: postOnceOptions(attempts, 1000),
    characterLimit: 500,
    cooldownMs: options.cooldownMs ?? 60_000,
    enabled: options.enabled ?? true,
    answers,
    now: () => clock.now(),
    log,
    onReplied: () => void (replied += 1),
    checks: new MemoryCheckStore(),
    notify: options.notify === false ? undefined : { store: requests, jobs, dirs: { de: notifyDir('de'), en: notifyDir('en') }, cap: options.cap ?? 300 },
  });
  return { clock, store, account, attempts, requests, jobs, lines, processor, replied: () => replied };
}

describe('ReplyProcessor: one reply job', () => {
  test.each([
    { case: 'a FAQ question', job: job('1', 'dauer'), result: 'answered dauer with 101', posted: 'ist bei der Wartung etwa', favourited: false, record: { statusId: '101', faqId: 'dauer' } },
    { case: 'a question for a person', job: job('2', FALLBACK_ID), result: 'answered fallback with 101', posted: 'ein Mensch aus dem Admin-Team', favourited: false, record: { statusId: '101', faqId: FALLBACK_ID } },
    { case: 'an id without a template gets the fallback answer', job: job('3', 'gibt-es-nicht'), result: 'answered fallback with 101', posted: 'ein Mensch aus dem Admin-Team', favourited: false, record: { faqId: FALLBACK_ID } },
    { case: 'thanks', job: job('4', THANKS_ID), result: 'favourited s4', posted: null, favourited: true, record: { statusId: null, favourited: true } },
    { case: 'a notify request', job: job('5', NOTIFY_ID), result: 'favourited s5', posted: null, favourited: true, record: { faqId: NOTIFY_ID, favourited: true } },
    { case: 'a notify cancel', job: job('6', NOTIFY_CANCEL_ID), result: 'favourited s6', posted: null, favourited: true, record: { faqId: NOTIFY_CANCEL_ID, favourited: true } },
  ])('$case: $result', async ({ job: j, result, posted, favourited, record }) => {
    const { processor, account, store, replied } = rig();
    expect(said(await processor.process(j))).toBe(result);
    expect(account.posts.map((p) => p.text)).toEqual(posted ? [expect.stringContaining(posted)] : []);
    if (posted) {
      expect(account.posts[0]).toMatchObject({ visibility: 'direct', inReplyToId: j.statusId, idempotencyKey: replyPostKey(j.notificationId), text: expect.stringMatching(/^@anna@example\.org /) });
      expect(replied()).toBe(1);
    }
    expect(account.favourites).toEqual(favourited ? [j.statusId] : []);
    expect(await store.answered(j.notificationId)).toMatchObject({ acct: 'anna@example.org', ...record });
  });

  test.each([
    { case: 'the seed schedule', own: true, language: 'de', posted: 'ein OpenShift-Cluster (OKD) auf einem Blade-Chassis' },
    { case: 'the seed schedule', own: true, language: 'en', posted: 'an OpenShift cluster (OKD) on a blade chassis' },
    { case: 'a schedule without answers of its own', own: false, language: 'de', posted: 'Wir ziehen auf neue Infrastruktur in Wien um. Was wir dabei Schritt für Schritt umbauen, steht unter https://status.wien.rocks/.' },
    { case: 'a schedule without answers of its own', own: false, language: 'en', posted: 'You can follow every step at https://status.wien.rocks/.' },
  ] as const)('$case answers infrastruktur ($language) from its own FAQ answers where it has them, else from the default FAQ', async ({ own, language, posted }) => {
    // The seed's templates dir holds faq/infrastruktur.hbs and faq/en/infrastruktur.hbs (templates/examples/wien-rocks).
    const plain: Schedule = { ...schedule, templateDirs: schedule.templateDirs.slice(1) };
    const { processor, account } = rig({ schedule: own ? schedule : plain });
    expect(said(await processor.process(job('20', 'infrastruktur', { language })))).toBe('answered infrastruktur with 101');
    expect(account.posts).toEqual([expect.objectContaining({ language, text: expect.stringContaining(posted) })]);
    // Without them, the schedule's own reason stands where the wien.rocks hardware was.
    if (!own) expect(account.posts[0]!.text).not.toMatch(/OpenShift|Blade|GbE/i);
  });

  test.each([
    { case: 'a rejected reply (422) is dropped and frees the cooldown', faqId: 'dauer', fail: 'rejected' as FailureKind, result: 'dropped: HTTP 422', skipped: 'refused with HTTP 422' },
    { case: 'a rejected favourite (422) is dropped', faqId: THANKS_ID, fail: 'rejected' as FailureKind, result: 'dropped: HTTP 422', skipped: 'favourite refused with HTTP 422' },
  ])('$case', async ({ faqId, fail, result, skipped }) => {
    const { processor, account, store } = rig();
    account.failNext(fail);
    expect(said(await processor.process(job('10', faqId)))).toBe(result);
    expect(await store.answered('10')).toMatchObject({ statusId: null, skipped });
    expect(await store.claimCooldown('42', faqId, 'other', 60_000)).toBe(true);
  });

  test.each([
    { case: 'an unavailable instance', fail: 'unavailable' as FailureKind, error: 'MastodonUnavailableError' },
    { case: 'a rate limit', fail: 'rate-limited' as FailureKind, error: 'MastodonRateLimitedError' },
  ])('$case: the job fails for a retry, nothing recorded, and the retry answers once', async ({ fail, error }) => {
    const { processor, account, store } = rig();
    account.failNext(fail);
    await expect(processor.process(job('20', 'dauer'))).rejects.toMatchObject({ name: error });
    expect(await store.answered('20')).toBeNull();
    expect(said(await processor.process(job('20', 'dauer')))).toBe('answered dauer with 101');
    expect(account.posts).toHaveLength(1);
  });

  test('a retry of an answered job posts nothing', async () => {
    const { processor, account } = rig();
    await processor.process(job('30', 'dauer'));
    expect(said(await processor.process(job('30', 'dauer')))).toBe('already answered with 101');
    expect(account.posts).toHaveLength(1);
  });

  test.each([
    { case: 'the same answer to the same account within the cooldown is skipped', second: job('41', 'dauer'), result: 'skipped: @anna@example.org got the dauer answer within the cooldown', posts: 1 },
    { case: 'another answer to the same account is sent', second: job('41', 'termin'), result: 'answered termin with 102', posts: 2 },
    { case: 'the same answer to another account is sent', second: job('41', 'dauer', { accountId: '43', acct: 'bert@example.org' }), result: 'answered dauer with 102', posts: 2 },
  ])('cooldown: $case', async ({ second, result, posts }) => {
    const { processor, account } = rig();
    await processor.process(job('40', 'dauer'));
    expect(said(await processor.process(second))).toBe(result);
    expect(account.posts).toHaveLength(posts);
  });

  test('the cooldown ends: after it the same answer goes out again', async () => {
    const { processor, account, clock } = rig({ cooldownMs: 60_000 });
    await processor.process(job('50', 'dauer'));
    clock.advance(60_001);
    expect(said(await processor.process(job('51', 'dauer')))).toBe('answered dauer with 102');
    expect(account.posts).toHaveLength(2);
  });

  test('replies off: a queued job is recorded as skipped, and nothing is sent', async () => {
    const { processor, account, store, lines } = rig({ enabled: false });
    expect(said(await processor.process(job('60', 'dauer')))).toBe('skipped: replies are off (HEROLD_REPLIES=off)');
    expect(await store.answered('60')).toMatchObject({ statusId: null, skipped: 'replies off (HEROLD_REPLIES=off)' });
    expect(account.posts).toEqual([]);
    expect(lines.some((l) => l.level === 'warn')).toBe(true);
  });

  test('an answer the instance has but Herold did not see is adopted, not posted again', async () => {
    const { processor, account, attempts, clock, lines } = rig();
    account.failNext('unavailable');
    await expect(processor.process(job('70', 'dauer'))).rejects.toBeInstanceOf(MastodonUnavailableError);
    // The lost POST did reach the instance.
    const marker = await attempts.get(replyPostKey('70'));
    await account.post({ text: marker!.texts[0]!, visibility: 'direct', language: 'de', inReplyToId: 's70', idempotencyKey: replyPostKey('70') });
    clock.advance(5_000);
    expect(said(await processor.process(job('70', 'dauer')))).toBe('answered dauer with 101');
    expect(account.posts).toHaveLength(1);
    expect(await attempts.get(replyPostKey('70'))).toBeNull();
    expect(lines.some((l) => l.level === 'warn' && l.message.startsWith('Found the reply on the instance'))).toBe(true);
  });
});

describe('ReplyProcessor: the notify list', () => {
  test('a full list keeps the request for the admins and says why', async () => {
    const { processor, store, requests } = rig({ cap: 1 });
    await processor.process(job('80', NOTIFY_ID));
    expect(said(await processor.process(job('81', NOTIFY_ID, { accountId: '43', acct: 'bert@example.org' })))).toBe('skipped: the list of followers to tell is full (1)');
    expect((await requests.requests(schedule.id)).map((r) => r.accountId)).toEqual(['42']);
    expect((await store.openQuestions()).map((q) => q.notificationId)).toEqual(['81']);
    expect(await store.answered('81')).toMatchObject({ faqId: NOTIFY_ID, skipped: 'the list of followers to tell is full (1)' });
  });

  test('a process without the notify list records the request as not kept', async () => {
    const { processor, store, account } = rig({ notify: false });
    expect(said(await processor.process(job('82', NOTIFY_ID)))).toBe('skipped: notify requests are not kept by this process');
    expect(await store.answered('82')).toMatchObject({ skipped: 'notify requests are not kept by this process' });
    expect(account.favourites).toEqual([]);
  });

  const notifyJob = (accountId: string): NotifyJob => ({ type: 'notify', scheduleId: schedule.id, accountId, outcome: 'complete' });

  test('at the end: one DM job per follower who asked, one DM each, in reply to their request, once', async () => {
    const { processor, account, jobs, requests } = rig();
    await processor.process(job('90', NOTIFY_ID));
    await processor.process(job('91', NOTIFY_ID, { accountId: '43', acct: 'bert@example.org', language: 'en' }));
    await processor.process(job('92', NOTIFY_ID, { accountId: '44', acct: 'cora@example.org' }));
    await processor.process(job('93', NOTIFY_CANCEL_ID, { accountId: '44', acct: 'cora@example.org' }));

    expect(await processor.queueNotifications(schedule.id, 'complete')).toBe(2);
    expect((await jobs.pending(schedule.id)).map((j) => j.data)).toEqual([notifyJob('42'), notifyJob('43')]);
    expect(said(await processor.notify(notifyJob('42')))).toBe('sent 101');
    expect(said(await processor.notify(notifyJob('43')))).toBe('sent 102');
    expect(said(await processor.notify(notifyJob('42')))).toBe('already sent 101');
    expect(said(await processor.notify(notifyJob('44')))).toBe('skipped: the follower cancelled');
    expect(account.posts.map((p) => [p.inReplyToId, p.visibility, p.text.split(' ')[0]])).toEqual([
      ['s90', 'direct', '@anna@example.org'],
      ['s91', 'direct', '@bert@example.org'],
    ]);
    expect(account.posts[0]!.text).toContain('Du wolltest Bescheid wissen');
    expect(await requests.sent(schedule.id, '43')).toEqual({ statusId: '102', at: expect.any(String) });
  });

  test('a DM the instance refuses (422) is recorded as dropped and not tried again', async () => {
    const { processor, account, requests } = rig();
    await processor.process(job('95', NOTIFY_ID));
    account.failNext('rejected');
    expect(said(await processor.notify(notifyJob('42')))).toBe('dropped: HTTP 422');
    expect(await requests.sent(schedule.id, '42')).toMatchObject({ statusId: null, skipped: 'refused with HTTP 422' });
    expect(said(await processor.notify(notifyJob('42')))).toBe('already handled: refused with HTTP 422');
  });
});
