import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGLISH_FAQ_DIR } from '../../src/faq/index.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { tootContext } from '../../src/render/toot-context.ts';
import { composeReply } from '../../src/replies/reply-text.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { answers, FAST, repliesTo } from './helpers.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('thanks and English questions', () => {
  it('favourites thanks once (no answer, not on the to-do list) and answers an English question in English', async () => {
    r = await rig({ notificationPolicy: { forPrivateMentions: 'accept' } });
    r.sandbox.addAccount({ username: 'alice' });
    r.sandbox.addAccount({ username: 'bob' });
    r.sandbox.addAccount({ username: 'carla' });
    const schedule = rebasedWienRocks(3 * 86_400_000);
    const service = await r.start([schedule], { replies: FAST });
    await r.sandbox.waitForStream();

    const thanks = r.sandbox.mention('alice', 'Danke für eure Arbeit, viel Erfolg am Sonntag!');
    const english = r.sandbox.mention('bob', 'How long will you be offline?', { visibility: 'direct' });
    const chat = r.sandbox.mention('carla', 'Kennst du ein gutes Beisl in Ottakring?');

    await waitFor('the favourite', () => (r!.sandbox.status(thanks.id)?.favouritedBy.includes('b2c') ? true : undefined));
    const reply = await waitFor('the English answer', () => repliesTo(r!.sandbox, english.id)[0]);
    await waitFor('the fallback answer', () => repliesTo(r!.sandbox, chat.id)[0]);

    const rendered = new TemplateRenderer(ENGLISH_FAQ_DIR).render('dauer', tootContext(schedule, await service.store.progress(schedule), DateTime.now()));
    expect(reply).toMatchObject({ visibility: 'direct', inReplyToId: english.id, language: 'en', mentions: ['bob'] });
    expect(reply.text).toBe(composeReply('bob', rendered.text, service.characterLimit));
    expect(reply.text).toContain('offline for about an hour');

    // alice got a star, not an answer, and a notification about it; her thanks is no open question.
    expect(repliesTo(r.sandbox, thanks.id)).toEqual([]);
    expect(r.sandbox.notifications('alice').filter((n) => n.type === 'favourite')).toMatchObject([{ recipient: 'alice', from: 'b2c', statusId: thanks.id }]);
    const open = await service.replies.store.openQuestions();
    expect(open.map((q) => q.acct)).toEqual(['carla']);
    const thanksNotification = r.sandbox.notifications().find((n) => n.type === 'mention' && n.statusId === thanks.id)!;
    expect(await waitFor('the record', () => service.replies.store.answered(thanksNotification.id))).toMatchObject({ faqId: 'thanks', favourited: true, statusId: null });

    // A catch-up brings the same notifications again: nothing is sent twice.
    await service.replies.listener?.catchUp('test');
    await sleep(400);
    expect(answers(r.sandbox)).toHaveLength(2);
    expect(r.sandbox.requests().filter((q) => q.method === 'POST' && q.path.endsWith('/favourite'))).toHaveLength(1);
  });
});
