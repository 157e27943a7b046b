import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { FAST, repliesTo } from './helpers.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('"Sag Bescheid, wenn ihr wieder da seid"', () => {
  it('confirms with a favourite, takes a cancel, and sends one DM per follower at completion that passes 4.3 filters when asked by DM', async () => {
    // Every account has Mastodon's defaults (private mentions from accounts one does not follow are filtered);
    // Herold's own account lets DMs through, as `herold run --accept-dms` would.
    r = await rig({ mastodonVersion: '4.3' });
    r.sandbox.setNotificationPolicy({ forPrivateMentions: 'accept' });
    for (const username of ['alice', 'bob', 'carla']) r.sandbox.addAccount({ username });
    expect(r.sandbox.notificationPolicy('alice')).toMatchObject({ forPrivateMentions: 'filter' });
    const schedule = rebasedWienRocks(1500);
    const service = await r.start([schedule], { replies: FAST });
    await r.sandbox.waitForStream();

    const alice = r.sandbox.mention('alice', 'Sag mir Bescheid, wenn wien.rocks wieder läuft!', { visibility: 'direct' });
    const bob = r.sandbox.mention('bob', 'Please notify me when you are back');
    const carla = r.sandbox.mention('carla', 'Sagt mir bitte Bescheid, wenn ihr wieder da seid', { visibility: 'direct' });
    const starred = (id: string) => (r!.sandbox.status(id)?.favouritedBy.includes('b2c') ? true : undefined);
    for (const q of [alice, bob, carla]) await waitFor('the confirming favourite', () => starred(q.id));
    const cancel = r.sandbox.mention('carla', 'Doch nicht, ich schau selber nach.', { visibility: 'direct' });
    await waitFor('the cancel confirmed', () => starred(cancel.id));
    // Confirmed by a star only: no answer to any of them.
    for (const q of [alice, bob, carla, cancel]) expect(repliesTo(r.sandbox, q.id)).toEqual([]);

    await waitFor('the start toot', () => service.store.posted(schedule.id, 'start'), 15_000);
    await service.operations.declare(schedule.id, 'complete');
    const toAlice = await waitFor('the DM to alice', () => repliesTo(r!.sandbox, alice.id)[0], 15_000);
    const toBob = await waitFor('the DM to bob', () => repliesTo(r!.sandbox, bob.id)[0], 15_000);

    expect(toAlice).toMatchObject({ visibility: 'direct', language: 'de', mentions: ['alice'] });
    expect(toAlice.text).toMatch(/^@alice Du wolltest Bescheid wissen: wien\.rocks ist wieder da/);
    expect(toBob).toMatchObject({ visibility: 'direct', language: 'en', mentions: ['bob'] });
    expect(toBob.text).toMatch(/^@bob You asked us to tell you: wien\.rocks is back/);
    // Mastodon 4.3+: alice does not follow Herold and filters private mentions (the default), but the DM
    // answers her own DM, so it is "in response" and reaches her. Bob asked in public: a DM answering a
    // public post is still a private mention not in response, and lands in his filtered notifications.
    const mentionOf = (user: string, statusId: string) => r!.sandbox.notifications(user).find((n) => n.type === 'mention' && n.statusId === statusId);
    expect(mentionOf('alice', toAlice.id)).toMatchObject({ from: 'b2c', filtered: false });
    expect(mentionOf('bob', toBob.id)).toMatchObject({ from: 'b2c', filtered: true });

    // Exactly once: queueing again (a retried completion job) sends nothing more; carla cancelled.
    expect(await service.replies.processor.queueNotifications(schedule.id, 'complete')).toBe(2);
    await sleep(600);
    const dms = r.sandbox.statuses().filter((s) => s.username === 'b2c' && s.text.match(/Du wolltest Bescheid wissen|You asked us to tell you/));
    expect(dms.map((s) => s.mentions[0]).sort()).toEqual(['alice', 'bob']);
    expect(repliesTo(r.sandbox, carla.id)).toEqual([]);
  });
});
