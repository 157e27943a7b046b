import { setTimeout as sleep } from 'node:timers/promises';
import { createStreamingAPIClient, type mastodon } from 'masto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, restClient } from './helpers.ts';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox();
  sandbox.addAccount({ username: 'alice', token: 'alice-token', displayName: 'Alice' });
  sandbox.addAccount({ username: 'robot', bot: true });
});

afterEach(async () => {
  await sandbox.close();
});

describe('mentions and the notification list', () => {
  it('creates a mention notification whose status carries account, bot flag, visibility and mentions', async () => {
    const status = sandbox.mention('robot', 'Wann ist die Wartung vorbei?');
    expect(status.text).toBe('@b2c Wann ist die Wartung vorbei?');
    const [notification] = await restClient(sandbox).v1.notifications.list({ types: ['mention'] });
    expect(notification).toMatchObject({
      type: 'mention',
      groupKey: `ungrouped-${notification?.id}`,
      account: { username: 'robot', bot: true },
      status: { id: status.id, visibility: 'public', mentions: [{ username: 'b2c', acct: 'b2c' }] },
    });
    expect(notification?.status?.account.bot).toBe(true);
    expect(notification?.status?.content).toContain('Wann ist die Wartung vorbei?');
  });

  it('keeps the mention as written when the text already mentions the bot', () => {
    const status = sandbox.mention('alice', 'Hallo @b2c@wien.rocks, Frage', { visibility: 'unlisted' });
    expect(status).toMatchObject({ text: 'Hallo @b2c@wien.rocks, Frage', visibility: 'unlisted', mentions: ['b2c'] });
  });

  it('filters by types[] and exclude_types[]', async () => {
    sandbox.follow('alice', 'b2c');
    sandbox.mention('alice', 'eine Frage');
    const client = restClient(sandbox);
    expect((await client.v1.notifications.list()).map((n) => n.type)).toEqual(['mention', 'follow']);
    expect((await client.v1.notifications.list({ types: ['follow'] })).map((n) => n.type)).toEqual(['follow']);
    expect((await client.v1.notifications.list({ excludeTypes: ['follow'] })).map((n) => n.type)).toEqual(['mention']);
  });

  it('pages with Link headers and catches up with min_id, comparing ids as numbers', async () => {
    // Ids start at 99990, so this crosses into six digits.
    for (let i = 1; i <= 15; i += 1) sandbox.mention('alice', `Frage ${i}`);
    // The inspection list is in creation order, the API newest first.
    const ids = sandbox.notifications().map((n) => n.id);
    expect(ids[0]).toBe('99990');
    expect(ids.at(-1)).toBe('100004');

    const first = await api(sandbox, '/api/v1/notifications?types[]=mention&limit=4');
    const page = first.body as { id: string }[];
    expect(page.map((n) => n.id)).toEqual(['100004', '100003', '100002', '100001']);
    const link = first.headers.get('link') ?? '';
    expect(link).toBe(
      `<${sandbox.url}/api/v1/notifications?limit=4&max_id=100001&types%5B%5D=mention>; rel="next", ` +
        `<${sandbox.url}/api/v1/notifications?limit=4&min_id=100004&types%5B%5D=mention>; rel="prev"`,
    );

    // masto follows rel="next" through the whole list.
    const seen: string[] = [];
    for await (const batch of restClient(sandbox).v1.notifications.list({ limit: 4 })) {
      seen.push(...batch.map((n) => n.id));
      if (batch.length === 0) break;
    }
    expect(seen).toEqual([...ids].reverse());

    // min_id returns the oldest `limit` items after the cursor, newest first.
    const catchUp = await restClient(sandbox).v1.notifications.list({ minId: '99995', limit: 3 });
    expect(catchUp.map((n) => n.id)).toEqual(['99998', '99997', '99996']);
    const since = await restClient(sandbox).v1.notifications.list({ sinceId: '100001', limit: 2 });
    expect(since.map((n) => n.id)).toEqual(['100004', '100003']);
    const nothingNew = await api(sandbox, '/api/v1/notifications?min_id=100004');
    expect(nothingNew.body).toEqual([]);
    expect(nothingNew.headers.get('link')).toBeNull();
  });

  it('drops the notification when the mentioning status is deleted', async () => {
    const status = await restClient(sandbox, 'alice-token').v1.statuses.create({ status: '@b2c oops' });
    expect(sandbox.notifications()).toHaveLength(1);
    await restClient(sandbox, 'alice-token').v1.statuses.$select(status.id).remove();
    expect(await restClient(sandbox).v1.notifications.list()).toEqual([]);
  });

  it('notifies accounts mentioned in a reply by the bot', async () => {
    const question = sandbox.mention('alice', 'Frage?');
    await restClient(sandbox).v1.statuses.create({ status: '@alice Antwort!', inReplyToId: question.id });
    const [notification] = await restClient(sandbox, 'alice-token').v1.notifications.list();
    expect(notification?.status?.inReplyToId).toBe(question.id);
  });
});

describe('notification policy', () => {
  it("uses Mastodon's defaults: private mentions from strangers are filtered, public ones accepted", async () => {
    const client = restClient(sandbox);
    expect(await client.v2.notifications.policy.fetch()).toEqual({
      forNotFollowing: 'accept',
      forNotFollowers: 'accept',
      forNewAccounts: 'accept',
      forPrivateMentions: 'filter',
      forLimitedAccounts: 'filter',
      summary: { pendingRequestsCount: 0, pendingNotificationsCount: 0 },
    });
    sandbox.mention('alice', 'öffentlich');
    sandbox.mention('alice', 'privat', { visibility: 'direct' });
    const listed = await client.v1.notifications.list();
    expect(listed.map((n) => n.status?.visibility)).toEqual(['public']);
    // masto 7 does not type include_filtered for the v1 list, so ask directly.
    const all = await api(sandbox, '/api/v1/notifications?include_filtered=true');
    expect(all.body).toHaveLength(2);
    expect((all.body as { filtered?: boolean }[]).map((n) => n.filtered)).toEqual([true, undefined]);
    expect(sandbox.notificationPolicy()).toMatchObject({ pendingNotificationsCount: 1, pendingRequestsCount: 1 });
  });

  it('accepts private mentions from followed accounts and replies to the bot’s own DMs', async () => {
    const dm = await restClient(sandbox).v1.statuses.create({ status: '@robot Hallo', visibility: 'direct' });
    sandbox.mention('robot', 'Danke', { visibility: 'direct', inReplyToId: dm.id });
    sandbox.follow('b2c', 'alice');
    sandbox.mention('alice', 'Frage', { visibility: 'direct' });
    const listed = await restClient(sandbox).v1.notifications.list({ types: ['mention'] });
    expect(listed.map((n) => n.account.username).sort()).toEqual(['alice', 'robot']);
  });

  it('updates the policy with PUT (masto) or PATCH (the docs) and applies it to new notifications', async () => {
    const client = restClient(sandbox);
    const updated = await client.v2.notifications.policy.update({ forPrivateMentions: 'accept' });
    expect(updated.forPrivateMentions).toBe('accept');
    sandbox.mention('alice', 'privat', { visibility: 'direct' });
    expect(await client.v1.notifications.list()).toHaveLength(1);

    const patched = await api(sandbox, '/api/v2/notifications/policy', {
      method: 'PATCH',
      json: { for_not_following: 'drop' },
    });
    expect(patched.status).toBe(200);
    sandbox.mention('alice', 'wird verworfen');
    expect(sandbox.notifications()).toHaveLength(1);
    const invalid = await api(sandbox, '/api/v2/notifications/policy', { method: 'PATCH', json: { for_new_accounts: 'maybe' } });
    expect(invalid.status).toBe(422);
  });

  it('filters everything from strangers when started with a single policy value', async () => {
    const strict = await startSandbox({ notificationPolicy: 'filter' });
    try {
      strict.addAccount({ username: 'alice' });
      strict.mention('alice', 'öffentlich');
      expect(await restClient(strict).v1.notifications.list()).toEqual([]);
      expect(strict.notificationPolicy().forNotFollowing).toBe('filter');
      const v1 = await api(strict, '/api/v1/notifications/policy');
      expect(v1.body).toMatchObject({ filter_not_following: true, filter_private_mentions: true });
    } finally {
      await strict.close();
    }
  });

  it('treats accounts younger than 30 days as new', async () => {
    sandbox.setNotificationPolicy({ forNewAccounts: 'filter' });
    sandbox.addAccount({ username: 'newbie', createdAt: new Date(Date.now() - 86_400_000) });
    sandbox.mention('newbie', 'hallo');
    sandbox.mention('alice', 'hallo');
    expect(sandbox.notifications().map((n) => [n.from, n.filtered])).toEqual([
      ['newbie', true],
      ['alice', false],
    ]);
  });
});

describe('streaming', () => {
  let streaming: mastodon.streaming.Client | undefined;

  afterAll(() => {
    streaming?.close();
  });

  it('pushes a mention to a masto user:notification subscription, and again after the stream drops', async () => {
    streaming = createStreamingAPIClient({ streamingApiUrl: sandbox.streamingUrl, accessToken: 'sandbox-token' });
    const events = streaming.user.notification.subscribe()[Symbol.asyncIterator]();
    const first = events.next();
    await sandbox.waitForStream();
    const status = sandbox.mention('alice', 'Live-Frage');
    const event = (await first).value as mastodon.streaming.Event;
    expect(event.event).toBe('notification');
    expect(event.stream).toEqual(['user:notification']);
    const payload = event.payload as mastodon.v1.Notification;
    expect(payload).toMatchObject({ type: 'mention', account: { username: 'alice' }, status: { id: status.id } });

    // masto reconnects by itself (after a one second back-off) and subscribes again.
    sandbox.dropStreams();
    expect(sandbox.streamCount()).toBe(0);
    const second = events.next();
    await sandbox.waitForStream({ timeoutMs: 5_000 });
    sandbox.mention('alice', 'Nach dem Abbruch');
    const again = (await second).value as mastodon.streaming.Event;
    expect((again.payload as mastodon.v1.Notification).status?.content).toContain('Nach dem Abbruch');
    streaming.close();
  });

  it('accepts the token as access_token and the stream as query parameter, and skips filtered notifications', async () => {
    const socket = new WebSocket(`${sandbox.streamingUrl}/api/v1/streaming?access_token=sandbox-token&stream=user`);
    const messages: { stream: string[]; event: string; payload: string }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    await sandbox.waitForStream({ stream: 'user' });
    sandbox.mention('alice', 'gefiltert', { visibility: 'direct' });
    sandbox.mention('alice', 'sichtbar');
    const own = await restClient(sandbox).v1.statuses.create({ status: 'eigener Post' });
    await restClient(sandbox).v1.statuses.$select(own.id).update({ status: 'eigener Post, bearbeitet' });
    await restClient(sandbox).v1.statuses.$select(own.id).remove();
    await sleep(100);
    socket.close();
    expect(messages.map((m) => m.event)).toEqual(['notification', 'update', 'status.update', 'delete']);
    expect(messages.every((m) => m.stream[0] === 'user')).toBe(true);
    expect(JSON.parse(messages[0]?.payload ?? '{}').status.content).toContain('sichtbar');
    expect(messages[3]?.payload).toBe(own.id);
  });

  it('refuses a websocket with an unknown token with 401', async () => {
    const socket = new WebSocket(`${sandbox.streamingUrl}/api/v1/streaming`, ['not-a-token']);
    const status = await new Promise<number | undefined>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      socket.on('error', () => resolve(undefined));
    });
    expect(status).toBe(401);
    expect(sandbox.requests().at(-1)).toMatchObject({ path: '/api/v1/streaming', status: 401 });
  });

  it('answers the streaming health check with OK', async () => {
    const response = await api(sandbox, '/api/v1/streaming/health', { token: null });
    expect(response.status).toBe(200);
    expect(response.text).toBe('OK');
  });
});
