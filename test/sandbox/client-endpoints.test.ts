import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, BOT_ALICE_BOB, ids, restClient } from './helpers.ts';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox({ accounts: BOT_ALICE_BOB });
});

afterEach(async () => {
  await sandbox.close();
});

/** Reads an event stream until `until` says stop; returns the text read. */
async function readStream(response: Response, until: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (!until(text)) {
    if (Date.now() > deadline) throw new Error(`The stream did not deliver in time; got so far: ${JSON.stringify(text)}`);
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe('GET /api/v1/timelines/home', () => {
  it("holds the viewer's own statuses and those of accounts it follows, direct ones only if mentioned", async () => {
    const own = await restClient(sandbox).v1.statuses.create({ status: 'Eigener Beitrag' });
    const fromAlice = sandbox.mention('alice', 'Hallo', { to: 'bob' });
    const dmToBot = sandbox.mention('alice', 'Psst', { visibility: 'direct' });
    sandbox.mention('bob', 'Von Bob');
    sandbox.follow('b2c', 'alice');
    const home = await api(sandbox, '/api/v1/timelines/home');
    expect(home.status).toBe(200);
    expect(ids(home.body)).toEqual([dmToBot.id, fromAlice.id, own.id]);
    expect(ids((await api(sandbox, '/api/v1/timelines/home?limit=1')).body)).toEqual([dmToBot.id]);
    expect(ids((await api(sandbox, `/api/v1/timelines/home?max_id=${dmToBot.id}`)).body)).toEqual([fromAlice.id, own.id]);
    expect((await api(sandbox, '/api/v1/timelines/home', { token: null })).status).toBe(401);
    const masto = await restClient(sandbox).v1.timelines.home.list();
    expect(masto.map((s) => s.id)).toEqual([dmToBot.id, fromAlice.id, own.id]);
  });
});

describe('NodeInfo', () => {
  it('links the 2.0 schema from /.well-known/nodeinfo and reports the profile version', async () => {
    sandbox.setMastodonVersion('4.0');
    const discovery = await api(sandbox, '/.well-known/nodeinfo', { token: null });
    expect(discovery.body).toEqual({
      links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${sandbox.url}/nodeinfo/2.0` }],
    });
    const info = await api(sandbox, '/nodeinfo/2.0', { token: null });
    expect(info.body).toMatchObject({
      version: '2.0',
      software: { name: 'mastodon', version: '4.0.2' },
      protocols: ['activitypub'],
      usage: { users: { total: 3 }, localPosts: 0 },
      openRegistrations: false,
    });
    // NodeInfo is outside /api: no rate-limit headers.
    expect(info.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('streaming over server-sent events', () => {
  it('answers the health check without a token and without rate-limit headers', async () => {
    const health = await fetch(`${sandbox.url}/api/v1/streaming/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
    expect(health.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('streams notifications and updates of the user stream as event/data pairs', async () => {
    const response = await fetch(`${sandbox.url}/api/v1/streaming/user`, { headers: { Authorization: 'Bearer sandbox-token' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    await sandbox.waitForStream({ stream: 'user' });
    const mention = sandbox.mention('alice', 'Wann ist es vorbei?');
    const own = await restClient(sandbox).v1.statuses.create({ status: 'Gleich!' });
    const text = await readStream(response, (t) => t.includes('event: update'));
    expect(text.startsWith(':)\n')).toBe(true);
    const events = [...text.matchAll(/event: (\S+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2] ?? '') }));
    expect(events[0]).toMatchObject({ event: 'notification', data: { type: 'mention', status: { id: mention.id } } });
    expect(events[1]).toMatchObject({ event: 'update', data: { id: own.id } });
  });

  it('takes the token as access_token and redacts it in the request log', async () => {
    const controller = new AbortController();
    const response = await fetch(`${sandbox.url}/api/v1/streaming/user/notification?access_token=sandbox-token`, {
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await sandbox.waitForStream();
    controller.abort();
    const logged = sandbox.requests().find((r) => r.path === '/api/v1/streaming/user/notification');
    expect(logged?.query).toEqual({ access_token: '[redacted]' });
    expect(JSON.stringify(sandbox.requests())).not.toContain('sandbox-token');
    await api(sandbox, '/api/v1/accounts/verify_credentials?access_token=sandbox-token', { token: null });
    expect(JSON.stringify(sandbox.requests())).not.toContain('sandbox-token');
  });

  it('refuses a missing or unknown token with 401', async () => {
    expect((await fetch(`${sandbox.url}/api/v1/streaming/user`)).status).toBe(401);
    const wrong = await fetch(`${sandbox.url}/api/v1/streaming/user`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Invalid access token' });
  });

  it('is cut by dropStreams like a network drop', async () => {
    const response = await fetch(`${sandbox.url}/api/v1/streaming/user`, { headers: { Authorization: 'Bearer sandbox-token' } });
    await sandbox.waitForStream({ stream: 'user' });
    expect(sandbox.streamCount()).toBe(1);
    sandbox.dropStreams();
    await expect(readStream(response, () => false)).rejects.toThrow();
    expect(sandbox.streamCount()).toBe(0);
  });
});
