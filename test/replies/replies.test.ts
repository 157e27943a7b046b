import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { questionsCommand } from '../../src/cli/questions.ts';
import { DEFAULT_FAQ_DIR } from '../../src/faq/index.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { tootContext } from '../../src/render/toot-context.ts';
import { composeReply } from '../../src/replies/reply-text.ts';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, REDIS_URL, rigForTest, waitFor } from '../support/harness.ts';
import { answers, capturingLog, FAST, repliesTo } from './helpers.ts';
import { replyPostKey } from '../../src/schedule/toot-ids.ts';

// Each test has its own sandbox and prefix, and mostly waits for answers to come back: the tests of each
// group run side by side.

/** Three days ahead: the schedule itself posts nothing during a test, its announcements are long past. */
const upcoming = () => rebasedWienRocks(3 * 86_400_000);

async function expected(service: HeroldService, schedule: Schedule, faqId: string, acct: string): Promise<string> {
  const rendered = new TemplateRenderer(DEFAULT_FAQ_DIR).render(faqId, tootContext(schedule, await service.store.progress(schedule), DateTime.now()));
  return composeReply(acct, rendered.text, service.characterLimit);
}

async function settle(...services: HeroldService[]): Promise<void> {
  // Give duplicates every chance to appear: a catch-up in each process, and time for the worker.
  for (const service of services) await service.replies.listener?.catchUp('test');
  await sleep(400);
}

describe.concurrent('answering questions', () => {
  it('answers a DM and a public mention once each: direct, in the thread, @asker first, German, the right FAQ entry', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, { notificationPolicy: { forPrivateMentions: 'accept' } });
    r.sandbox.addAccount({ username: 'alice' });
    r.sandbox.addAccount({ username: 'bob' });
    const schedule = upcoming();
    const service = await r.start([schedule], { replies: FAST });
    await r.sandbox.waitForStream();

    const dm = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?', { visibility: 'direct' });
    const pub = r.sandbox.mention('bob', 'Hallo @b2c, wann ist der Umzug eigentlich?');
    const dmReply = await waitFor('the DM answer', () => repliesTo(r.sandbox, dm.id)[0]);
    const pubReply = await waitFor('the public answer', () => repliesTo(r.sandbox, pub.id)[0]);

    expect(dmReply).toMatchObject({ visibility: 'direct', inReplyToId: dm.id, language: 'de', mentions: ['alice'] });
    expect(dmReply.text).toBe(await expected(service, schedule, 'dauer', 'alice'));
    expect(pubReply).toMatchObject({ visibility: 'direct', inReplyToId: pub.id, language: 'de', mentions: ['bob'] });
    expect(pubReply.text).toBe(await expected(service, schedule, 'termin', 'bob'));
    expect(pubReply.text.startsWith('@bob Die Wartung von wien.rocks beginnt am')).toBe(true);

    const notifications = r.sandbox.notifications().filter((n) => n.type === 'mention');
    expect(dmReply.idempotencyKey).toBe(replyPostKey(notifications.find((n) => n.statusId === dm.id)!.id));
    // The answer is recorded right after the POST returns; the sandbox shows the status a moment before that.
    const pubNotification = notifications.find((n) => n.statusId === pub.id)!.id;
    const record = await waitFor('the answer recorded', () => service.replies.store.answered(pubNotification));
    expect(record).toMatchObject({ statusId: pubReply.id, faqId: 'termin', acct: 'bob' });

    await settle(service);
    expect(answers(r.sandbox)).toHaveLength(2);
  });

  it('answers on Mastodon 4.0, which has no notification policy (its 404 is an HTML page unless JSON is asked for)', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, { mastodonVersion: '4.0' });
    r.sandbox.addAccount({ username: 'alice' });
    const service = await r.start([upcoming()], { replies: FAST });
    await r.sandbox.waitForStream();
    const question = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    const reply = await waitFor('the answer on 4.0', () => repliesTo(r.sandbox, question.id)[0]);
    expect(reply).toMatchObject({ visibility: 'direct', inReplyToId: question.id, mentions: ['alice'] });
    const policyAsked = r.sandbox.requests().filter((q) => q.path.includes('/notifications/policy'));
    expect(policyAsked.length).toBeGreaterThan(0);
    expect(policyAsked.every((q) => q.status === 404)).toBe(true);
    await settle(service);
    expect(answers(r.sandbox)).toHaveLength(1);
  });

  it('never answers bot accounts or itself', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    r.sandbox.addAccount({ username: 'robot', bot: true });
    r.sandbox.addAccount({ username: 'alice' });
    const service = await r.start([upcoming()], { replies: FAST });
    await r.sandbox.waitForStream();
    const fromBot = r.sandbox.mention('robot', 'Wie lange dauert der Umzug?');
    const fromSelf = r.sandbox.mention('b2c', '@b2c Wie lange dauert der Umzug?');
    const human = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    await waitFor('the human answer', () => repliesTo(r.sandbox, human.id).length === 1);
    await settle(service);
    expect(repliesTo(r.sandbox, fromBot.id)).toEqual([]);
    expect(repliesTo(r.sandbox, fromSelf.id)).toEqual([]);
    expect(answers(r.sandbox)).toHaveLength(1);
    expect(service.replies.listener!.stats.streamed + service.replies.listener!.stats.polled).toBeGreaterThanOrEqual(2);
  });

  it('sends the same answer to the same account only once per cooldown', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, {}, { replyCooldownMs: 60_000 });
    r.sandbox.addAccount({ username: 'alice' });
    r.sandbox.addAccount({ username: 'bob' });
    const service = await r.start([upcoming()], { replies: FAST });
    await r.sandbox.waitForStream();
    const first = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    await waitFor('the first answer', () => repliesTo(r.sandbox, first.id).length === 1);
    const again = r.sandbox.mention('alice', 'Und wie lang dauert des jetzt?');
    const other = r.sandbox.mention('alice', 'Wann ist der Umzug?');
    const bob = r.sandbox.mention('bob', 'Wie lange dauert der Umzug?');
    await waitFor('the other answers', () => repliesTo(r.sandbox, other.id).length === 1 && repliesTo(r.sandbox, bob.id).length === 1);
    await settle(service);
    expect(repliesTo(r.sandbox, again.id)).toEqual([]);
    const againId = r.sandbox.notifications().find((n) => n.statusId === again.id)!.id;
    expect(await service.replies.store.answered(againId)).toMatchObject({ statusId: null, faqId: 'dauer', skipped: 'cooldown' });
    expect(answers(r.sandbox)).toHaveLength(3);
  });

  it('answers chit-chat with the fallback, mentions nobody else, and keeps the question for `herold questions`', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    r.sandbox.addAccount({ username: 'alice' });
    r.sandbox.addAccount({ username: 'paula' }); // the schedule's contact, "@paula", appears in the fallback answer
    const schedule = upcoming();
    const service = await r.start([schedule], { replies: FAST });
    await r.sandbox.waitForStream();
    const chat = r.sandbox.mention('alice', 'Kennst du ein gutes Beisl in Ottakring? 🎉');
    const reply = await waitFor('the fallback', () => repliesTo(r.sandbox, chat.id)[0]);
    expect(reply.text).toBe(await expected(service, schedule, 'fallback', 'alice'));
    expect(reply.text).toMatch(/^@alice Danke für deine Nachricht!/);
    expect(reply.text).toContain('https://wien.rocks/@paula');
    expect(reply.text).not.toContain('Beisl');
    expect(reply.mentions).toEqual(['alice']);
    expect(r.sandbox.notifications('paula')).toEqual([]);

    const env = { REDIS_URL, HEROLD_PREFIX: r.config.prefix };
    const json: string[] = [];
    await questionsCommand({ json: true }, (line) => json.push(line), env);
    const open = JSON.parse(json.join('\n')) as { notificationId: string; acct: string; text: string; statusId: string }[];
    expect(open).toEqual([expect.objectContaining({ acct: 'alice', text: 'Kennst du ein gutes Beisl in Ottakring? 🎉', statusId: chat.id })]);
    const lines: string[] = [];
    await questionsCommand({}, (line) => lines.push(line), env);
    expect(lines.join('\n')).toContain('@alice');
    expect(lines.join('\n')).toContain('Kennst du ein gutes Beisl');
    await questionsCommand({ done: [open[0]!.notificationId] }, () => undefined, env);
    const after: string[] = [];
    await questionsCommand({}, (line) => after.push(line), env);
    expect(after).toEqual(['No open questions.']);
    // A confident answer is not an open question.
    const faq = r.sandbox.mention('alice', 'Bleiben meine Daten erhalten?');
    await waitFor('the FAQ answer', () => repliesTo(r.sandbox, faq.id).length === 1);
    expect(await service.replies.store.openQuestions()).toEqual([]);
  });
});

describe.concurrent('receiving: stream, polling, restarts', () => {
  it('answers mentions sent while the stream is dropped and the instance is down, by polling', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    r.sandbox.addAccount({ username: 'alice' });
    r.sandbox.addAccount({ username: 'bob' });
    const service = await r.start([upcoming()], { replies: FAST });
    const listener = service.replies.listener!;
    await r.sandbox.waitForStream();
    await waitFor('the stream to count as up', () => listener.streamState === 'up');

    r.sandbox.dropStreams();
    await r.sandbox.setOutage('refuse');
    const streamedBefore = listener.stats.streamed;
    const q1 = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    const q2 = r.sandbox.mention('bob', 'Wann ist der Umzug?');
    await sleep(800);
    expect(listener.streamState).not.toBe('up');
    expect(listener.stats.lastPollError).toMatch(/did not answer/);
    r.sandbox.clearRequests();
    await r.sandbox.setOutage('none');

    await waitFor('both answers', () => repliesTo(r.sandbox, q1.id).length === 1 && repliesTo(r.sandbox, q2.id).length === 1);
    expect(listener.stats.streamed).toBe(streamedBefore);
    expect(r.sandbox.requests().some((q) => q.path === '/api/v1/notifications' && q.query.min_id !== undefined)).toBe(true);

    // The stream comes back by itself and carries the next question.
    await r.sandbox.waitForStream({ timeoutMs: 10_000 });
    await waitFor('the stream to count as up', () => listener.streamState === 'up');
    const q3 = r.sandbox.mention('alice', 'Wann ist der Umzug?');
    await waitFor('the streamed answer', () => repliesTo(r.sandbox, q3.id).length === 1);
    expect(listener.stats.streamed).toBeGreaterThan(streamedBefore);
    await settle(service);
    expect(answers(r.sandbox)).toHaveLength(3);
  });

  it('polls every interval while the streaming server cannot be reached at all', async ({ onTestFinished }) => {
    const dead = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const r = await rigForTest(onTestFinished);
    r.sandbox.addAccount({ username: 'alice' });
    const service = await r.start([upcoming()], { replies: { ...FAST, streamingUrl: `ws://127.0.0.1:${dead}` } });
    const q = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    await waitFor('the answer', () => repliesTo(r.sandbox, q.id).length === 1);
    expect(service.replies.listener!.streamState).not.toBe('up');
    expect(service.replies.listener!.stats.polled).toBeGreaterThanOrEqual(1);
    // Polling while down follows the interval, not a tight loop.
    const polls = r.sandbox.requests().filter((q) => q.path === '/api/v1/notifications').length;
    await sleep(1000);
    const more = r.sandbox.requests().filter((q) => q.path === '/api/v1/notifications').length - polls;
    expect(more).toBeGreaterThanOrEqual(2);
    expect(more).toBeLessThanOrEqual(7);
  });

  it('catches up from the Redis cursor after a restart, across pages and a change in id digits, without duplicates', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    const users = Array.from({ length: 100 }, (_, i) => r.sandbox.addAccount({ username: `user${i}` }).username);
    r.sandbox.addAccount({ username: 'alice' });
    const schedule = upcoming();
    const first = await r.start([schedule], { replies: FAST });
    await r.sandbox.waitForStream();
    const before = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    await waitFor('the answer before the restart', () => repliesTo(r.sandbox, before.id).length === 1);
    await first.close();
    r.services.splice(r.services.indexOf(first), 1);

    const asked = users.map((u) => r.sandbox.mention(u, 'Wann ist der Umzug?'));
    // Notification ids start at 99990: this crosses from five to six digits.
    expect(r.sandbox.notifications().at(-1)!.id.length).toBe(6);
    r.sandbox.clearRequests();
    const second = await r.start([schedule], { replies: FAST });
    await waitFor('every answer', () => answers(r.sandbox).length >= 101, 20_000);
    await settle(second);
    expect(answers(r.sandbox)).toHaveLength(101);
    for (const q of [before, ...asked]) expect(repliesTo(r.sandbox, q.id)).toHaveLength(1);
    const pages = r.sandbox.requests().filter((q) => q.path === '/api/v1/notifications' && q.query.min_id !== undefined);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(await second.replies.store.cursor()).toBe(r.sandbox.notifications().filter((n) => n.recipient === 'b2c').at(-1)!.id);
  });

  it('two services on the same prefix answer each question and favourite each thanks exactly once', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    const users = Array.from({ length: 20 }, (_, i) => r.sandbox.addAccount({ username: `u${i}` }).username);
    const schedule = upcoming();
    const a = await r.start([schedule], { replies: FAST });
    const b = await r.start([schedule], { replies: FAST });
    await waitFor('both streams', () => a.replies.listener!.streamState === 'up' && b.replies.listener!.streamState === 'up', 10_000);
    await sleep(100);
    const asked = users.map((u, i) => r.sandbox.mention(u, i % 2 === 0 ? 'Wie lange dauert der Umzug?' : 'Danke!'));
    const questions = asked.filter((_, i) => i % 2 === 0);
    const thanks = asked.filter((_, i) => i % 2 === 1);
    await waitFor('every answer', () => answers(r.sandbox).length >= questions.length);
    await waitFor('every favourite', () => thanks.every((q) => r.sandbox.status(q.id)?.favouritedBy.length));
    await settle(a, b);
    for (const q of questions) expect(repliesTo(r.sandbox, q.id)).toHaveLength(1);
    for (const q of thanks) expect(repliesTo(r.sandbox, q.id)).toHaveLength(0);
    expect(answers(r.sandbox)).toHaveLength(10);
    expect(r.sandbox.requests().filter((q) => q.method === 'POST' && q.path.endsWith('/favourite'))).toHaveLength(10);
    expect(a.replies.listener!.stats.streamed).toBeGreaterThanOrEqual(20);
    expect(b.replies.listener!.stats.streamed).toBeGreaterThanOrEqual(20);
    expect(await a.replies.store.openQuestions()).toHaveLength(0);
    const keys = answers(r.sandbox).map((s) => s.idempotencyKey);
    expect(new Set(keys).size).toBe(10);
  });

  it('leaves mentions older than HEROLD_REPLY_MAX_AGE_MS alone on the first start', async ({ onTestFinished }) => {
    let offset = 2 * 3600_000;
    const r = await rigForTest(onTestFinished, { clock: () => Date.now() - offset });
    r.sandbox.addAccount({ username: 'alice' });
    r.sandbox.addAccount({ username: 'bob' });
    const old = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    offset = 0;
    const fresh = r.sandbox.mention('bob', 'Wie lange dauert der Umzug?');
    const { log, lines } = capturingLog();
    const service = await r.start([upcoming()], { replies: FAST, log });
    await waitFor('the fresh answer', () => repliesTo(r.sandbox, fresh.id).length === 1);
    await settle(service);
    expect(repliesTo(r.sandbox, old.id)).toEqual([]);
    expect(lines.some((l) => /First start: answering 1 mention.*leaving 1 older one/.test(l.msg))).toBe(true);
  });
});

describe.concurrent('the notification policy', () => {
  it('warns once, clearly, that DMs from strangers are filtered, and such a DM never arrives', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    r.sandbox.addAccount({ username: 'alice' });
    const { log, lines } = capturingLog();
    const service = await r.start([upcoming()], { replies: FAST, log });
    expect(service.replies.listener!.policy).toMatchObject({ filtering: ['for_private_mentions'], changed: false });
    const warnings = lines.filter((l) => l.level === 40 && l.msg.includes('notification policy'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('for_private_mentions: filter');
    expect(warnings[0]!.msg).toContain('herold run --accept-dms');
    expect(r.sandbox.notificationPolicy().forPrivateMentions).toBe('filter');

    await r.sandbox.waitForStream();
    const dm = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?', { visibility: 'direct' });
    const pub = r.sandbox.mention('alice', 'Wann ist der Umzug?');
    await waitFor('the public answer', () => repliesTo(r.sandbox, pub.id).length === 1);
    await settle(service);
    expect(repliesTo(r.sandbox, dm.id)).toEqual([]);
    expect(r.sandbox.notifications().find((n) => n.statusId === dm.id)?.filtered).toBe(true);

    // `herold questions` lists the held-back DM as "gefiltert", with how to let it through (issue 14).
    const env = { REDIS_URL, HEROLD_PREFIX: r.config.prefix, MASTODON_URL: r.config.mastodonUrl, MASTODON_ACCESS_TOKEN: r.config.mastodonAccessToken };
    const listed: string[] = [];
    await questionsCommand({}, (line) => listed.push(line), env);
    const text = listed.join('\n');
    expect(text).toMatch(/1 gefilterte Nachricht\(en\)/);
    expect(text).toMatch(/@alice {2}gefiltert \(DM\)/);
    expect(text).toContain('Wie lange dauert der Umzug?');
    expect(text).not.toContain('Wann ist der Umzug?');
    expect(text).toContain('„Gefilterte Benachrichtigungen“');
    expect(text).toContain('herold run --accept-dms');
    const json: string[] = [];
    await questionsCommand({ json: true }, (line) => json.push(line), env);
    expect(JSON.parse(json.join('\n'))).toEqual([expect.objectContaining({ acct: 'alice', filtered: true, visibility: 'direct', text: 'Wie lange dauert der Umzug?' })]);
    // Without the instance's URL and token the list is Redis' alone, as before.
    const redisOnly: string[] = [];
    await questionsCommand({}, (line) => redisOnly.push(line), { REDIS_URL, HEROLD_PREFIX: r.config.prefix });
    expect(redisOnly).toEqual(['No open questions.']);
  });

  it('--accept-dms changes the policy through the API, and DMs from strangers are answered', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished);
    r.sandbox.addAccount({ username: 'alice' });
    const { log, lines } = capturingLog();
    const service = await r.start([upcoming()], { replies: FAST, acceptDms: true, log });
    expect(service.replies.listener!.policy).toMatchObject({ filtering: [], changed: true });
    expect(r.sandbox.notificationPolicy()).toMatchObject({ forPrivateMentions: 'accept', forNotFollowing: 'accept' });
    expect(r.sandbox.requests().some((q) => q.method === 'PUT' && q.path === '/api/v2/notifications/policy')).toBe(true);
    expect(lines.some((l) => l.level === 40 && l.msg.includes('notification policy'))).toBe(false);
    await r.sandbox.waitForStream();
    const dm = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?', { visibility: 'direct' });
    await waitFor('the DM answer', () => repliesTo(r.sandbox, dm.id).length === 1);
  });
});

describe.concurrent('limits and switches', () => {
  it('stays under the rate limit: a burst is answered completely without a single 429', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, { rateLimit: { limit: 40, windowMs: 2000 } });
    const users = Array.from({ length: 60 }, (_, i) => r.sandbox.addAccount({ username: `p${i}` }).username);
    const service = await r.start([upcoming()], { replies: FAST });
    await r.sandbox.waitForStream();
    const asked = users.map((u) => r.sandbox.mention(u, 'Wann ist der Umzug?'));
    await waitFor('every answer', () => answers(r.sandbox).length >= asked.length, 25_000);
    await settle(service);
    expect(answers(r.sandbox)).toHaveLength(60);
    expect(r.sandbox.requests().filter((q) => q.status === 429)).toEqual([]);
  }, 40_000);

  it('HEROLD_REPLIES=off: no listener, no requests for notifications, no answers', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, {}, { replies: false });
    r.sandbox.addAccount({ username: 'alice' });
    const service = await r.start([upcoming()]);
    expect(service.replies.listener).toBeNull();
    const q = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    await sleep(500);
    expect(repliesTo(r.sandbox, q.id)).toEqual([]);
    expect(r.sandbox.requests().filter((x) => x.path.includes('notifications') || x.path.includes('streaming'))).toEqual([]);
    expect(r.sandbox.streamCount()).toBe(0);
  });

  it('HEROLD_REPLIES=off: an answer queued before the switch is recorded as skipped, not dropped in silence', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, {}, { replies: false });
    const alice = r.sandbox.addAccount({ username: 'alice' });
    const schedule = upcoming();
    const service = await r.start([schedule]);
    const q = r.sandbox.mention('alice', 'Wie lange dauert der Umzug?');
    await service.jobs.add({
      type: 'reply',
      scheduleId: schedule.id,
      notificationId: 'n-before-the-switch',
      statusId: q.id,
      accountId: alice.id,
      acct: 'alice',
      faqId: 'dauer',
      receivedAt: new Date().toISOString(),
    });
    const record = await waitFor('the skip recorded', () => service.replies.store.answered('n-before-the-switch'));
    expect(record).toMatchObject({ statusId: null, acct: 'alice', skipped: 'replies off (HEROLD_REPLIES=off)' });
    expect(repliesTo(r.sandbox, q.id)).toEqual([]);
  });
});
