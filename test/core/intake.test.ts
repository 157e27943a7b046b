/**
 * Intake on the memory adapters, table-driven: which mentions become a reply
 * job, which are kept for the admins, and which are let be. No Redis.
 */
import { describe, expect, test } from 'vitest';
import { MemoryJobQueue } from '../../src/adapters/memory/memory-job-queue.ts';
import { MemoryReplyStore } from '../../src/adapters/memory/memory-reply-store.ts';
import { MemoryStateStore } from '../../src/adapters/memory/memory-state-store.ts';
import { CurrentSchedule } from '../../src/core/current-schedule.ts';
import { Intake } from '../../src/core/intake.ts';
import { PRIORITY } from '../../src/core/jobs.ts';
import { FALLBACK_ID, type Classifier } from '../../src/faq/index.ts';
import type { IncomingNotification } from '../../src/replies/types.ts';
import { recordingLogger, schedule, TestClock } from './use-case-rig.ts';

const SELF = { id: '1', username: 'herold' };

/** Reads "wann" as the FAQ entry `wann`, anything else as a question for a person. */
const matcher: Classifier = {
  ids: ['wann'],
  match: (text) => (text.includes('wann') ? { id: 'wann', score: 0.9, candidates: [], language: 'de' } : { id: FALLBACK_ID, score: 0.2, candidates: [], language: 'de' }),
};

function mention(id: string, text: string, account: Partial<IncomingNotification['account']> = {}, extra: Partial<IncomingNotification> = {}): IncomingNotification {
  return {
    id,
    type: 'mention',
    createdAt: '2023-02-12T13:00:00.000Z',
    account: { id: '42', acct: 'anna@example.org', bot: false, ...account },
    status: { id: `s${id}`, content: `<p><span class="h-card">@herold</span> ${text}</p>`, spoilerText: '', visibility: 'public', url: `https://example.org/@anna/s${id}` },
    ...extra,
  };
}

function rig(schedules = new Map([[schedule.id, schedule]])) {
  const clock = new TestClock();
  const store = new MemoryReplyStore(() => clock.realNowMs());
  const jobs = new MemoryJobQueue(() => clock.realNowMs());
  const { log, lines } = recordingLogger();
  const current = new CurrentSchedule(schedules, new MemoryStateStore(() => clock.realNowMs()), () => clock.now());
  const intake = new Intake({ store, jobs, matcher, current, self: () => SELF, log });
  return { store, jobs, lines, intake };
}

describe('Intake', () => {
  test.each([
    { case: 'a question the FAQ answers', n: mention('10', 'wann geht es weiter?'), result: 'queued', faq: 'wann', kept: false },
    { case: 'a question for a person: queued for the fallback answer and kept', n: mention('11', 'geht das Hochladen?'), result: 'queued', faq: FALLBACK_ID, kept: true },
    { case: 'a favourite, not a mention', n: mention('12', 'wann?', {}, { type: 'favourite' }), result: 'ignored', faq: null, kept: false },
    { case: 'a mention without its status', n: mention('13', 'wann?', {}, { status: null }), result: 'ignored', faq: null, kept: false },
    { case: 'the bot itself', n: mention('14', 'wann?', { id: SELF.id }), result: 'ignored', faq: null, kept: false },
    { case: 'another bot', n: mention('15', 'wann?', { bot: true }), result: 'ignored', faq: null, kept: false },
  ])('$case: $result', async ({ n, result, faq, kept }) => {
    const { intake, jobs, store } = rig();
    expect(await intake.handle(n)).toBe(result);
    const pending = await jobs.pending(schedule.id);
    expect(pending.map((j) => (j.data.type === 'reply' ? j.data.faqId : j.data.type))).toEqual(faq ? [faq] : []);
    expect((await store.openQuestions()).map((q) => q.notificationId)).toEqual(kept ? [n.id] : []);
  });

  test('the reply job carries the question, the account and the reply priority; the kept question its plain text', async () => {
    const { intake, jobs, store } = rig();
    const n = mention('20', 'geht das Hochladen?');
    await intake.handle(n);
    const [job] = await jobs.pending(schedule.id);
    expect(job!.data).toEqual({
      type: 'reply',
      scheduleId: schedule.id,
      notificationId: '20',
      statusId: 's20',
      accountId: '42',
      acct: 'anna@example.org',
      faqId: FALLBACK_ID,
      language: 'de',
      receivedAt: n.createdAt,
    });
    expect(jobs.takeDue()).toMatchObject({ priority: PRIORITY.reply });
    expect(await store.openQuestions()).toEqual([
      { notificationId: '20', statusId: 's20', url: 'https://example.org/@anna/s20', acct: 'anna@example.org', visibility: 'public', text: 'geht das Hochladen?', score: 0.2, createdAt: n.createdAt },
    ]);
  });

  test('the same notification twice (stream and poll): one job, one kept question', async () => {
    const { intake, jobs, store } = rig();
    const n = mention('30', 'geht das Hochladen?');
    expect(await intake.handle(n)).toBe('queued');
    expect(await intake.handle(n)).toBe('queued');
    expect(await jobs.pending(schedule.id)).toHaveLength(1);
    expect(await store.openQuestions()).toHaveLength(1);
  });

  test('a notification answered already is not queued again', async () => {
    const { intake, jobs, store } = rig();
    await store.recordAnswered('40', { statusId: '900', faqId: 'wann', at: '2023-02-12T13:01:00.000Z', acct: 'anna@example.org' });
    expect(await intake.handle(mention('40', 'wann?'))).toBe('answered already');
    expect(await jobs.pending(schedule.id)).toEqual([]);
  });

  test('no schedule loaded: nothing queued, and the warning comes once', async () => {
    const { intake, jobs, lines } = rig(new Map());
    expect(await intake.handle(mention('50', 'wann?'))).toBe('no schedule');
    expect(await intake.handle(mention('51', 'wann?'))).toBe('no schedule');
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(await jobs.pending(schedule.id)).toEqual([]);
  });
});
