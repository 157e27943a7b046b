import { MastoHttpError } from 'masto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MASTODON_500_PAGE,
  MASTODON_VERSIONS,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox/index.ts';
import { api, rejectionOf, restClient } from './helpers.ts';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: SandboxOptions): Promise<Sandbox> {
  sandbox = await startSandbox({
    ...options,
    accounts: [
      { username: 'b2c', token: 'sandbox-token', bot: true },
      { username: 'alice', token: 'alice-token' },
    ],
  });
  return sandbox;
}

const post = (s: Sandbox, key: string, status: string, extra: RequestInit & { token?: string } = {}) =>
  api(s, '/api/v1/statuses', { method: 'POST', json: { status }, headers: { 'Idempotency-Key': key }, ...extra });

describe('version profiles', () => {
  it('defaults to the newest profile, 4.6, and reports it in both instance endpoints', async () => {
    const s = await start({});
    expect(s.mastodonVersion).toBe('4.6');
    expect(((await api(s, '/api/v2/instance')).body as { version: string }).version).toBe('4.6.6');
    expect(((await api(s, '/api/v1/instance')).body as { version: string }).version).toBe('4.6.6');
  });

  it.each([
    ['4.0', '4.0.2'],
    ['4.3', '4.3.0'],
    ['4.5', '4.5.11'],
    ['4.6', '4.6.6'],
  ])('profile %s reports version %s', async (profile, version) => {
    const s = await start({ mastodonVersion: profile });
    expect(((await api(s, '/api/v2/instance')).body as { version: string }).version).toBe(version);
    expect(((await api(s, '/api/v1/instance')).body as { version: string }).version).toBe(version);
  });

  it('refuses an unknown profile with the list of known ones', async () => {
    await expect(startSandbox({ mastodonVersion: '3.9' })).rejects.toThrow(/use one of 4\.0, 4\.3, 4\.5, 4\.6/);
    expect(MASTODON_VERSIONS).toEqual(['4.0', '4.3', '4.5', '4.6']);
  });

  it('4.0 has no notification policy (404), no api_versions, no group_key, and filters nothing', async () => {
    const s = await start({ mastodonVersion: '4.0' });
    expect((await api(s, '/api/v2/notifications/policy')).status).toBe(404);
    expect((await api(s, '/api/v1/notifications/policy')).status).toBe(404);
    expect((await api(s, '/api/v2/notifications/policy', { method: 'PATCH', json: { for_private_mentions: 'accept' } })).status).toBe(404);
    expect((await api(s, '/api/v2/instance')).body).not.toHaveProperty('api_versions');
    // A private mention from a stranger: 4.3+ filters it by default, 4.0 knows no filtering.
    s.mention('alice', 'Geheim?', { visibility: 'direct' });
    const list = (await api(s, '/api/v1/notifications')).body as { type: string }[];
    expect(list).toHaveLength(1);
    expect(list[0]).not.toHaveProperty('group_key');
    expect(s.notifications()[0]?.filtered).toBe(false);
  });

  it('4.0: masto (Accept */*) meets the HTML routing-error page for the policy and cannot decode it', async () => {
    const s = await start({ mastodonVersion: '4.0' });
    const error = await rejectionOf(restClient(s).v2.notifications.policy.fetch());
    expect(error).not.toBeInstanceOf(MastoHttpError);
    expect(error).toBeInstanceOf(TypeError);
    const logged = s.requests().at(-1);
    expect(logged).toMatchObject({ path: '/api/v2/notifications/policy', status: 404 });
    expect(logged?.headers.accept).toBe('*/*');
  });

  it('4.3 has the policy endpoints, api_versions and group_key, and filters private mentions', async () => {
    const s = await start({ mastodonVersion: '4.3' });
    expect((await api(s, '/api/v2/notifications/policy')).status).toBe(200);
    expect((await api(s, '/api/v2/instance')).body).toMatchObject({ api_versions: { mastodon: 2 } });
    s.mention('alice', 'Öffentlich');
    s.mention('alice', 'Geheim?', { visibility: 'direct' });
    const list = (await api(s, '/api/v1/notifications')).body as { group_key: string }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.group_key).toMatch(/^ungrouped-/);
  });

  it.each([
    ['4.0', false],
    ['4.3', false],
    ['4.5', true],
    ['4.6', true],
  ])('%s: the fields 4.4.0 added to the instance and credentials are there: %s', async (profile, present) => {
    const s = await start({ mastodonVersion: profile });
    const instance = (await api(s, '/api/v2/instance')).body as {
      configuration: { urls: object; media_attachments: object };
      registrations: object;
    };
    expect('terms_of_service' in instance.configuration.urls).toBe(present);
    expect('privacy_policy' in instance.configuration.urls).toBe(present);
    expect('description_limit' in instance.configuration.media_attachments).toBe(present);
    expect('reason_required' in instance.registrations).toBe(present);
    const me = (await api(s, '/api/v1/accounts/verify_credentials')).body as { source: object };
    expect('attribution_domains' in me.source).toBe(present);
    // masto still reads what Herold needs from every profile.
    const masto = await restClient(s).v2.instance.fetch();
    expect(masto.configuration.statuses.maxCharacters).toBe(500);
  });

  it('switches profile at runtime, like an upgrade in the middle of the maintenance', async () => {
    const s = await start({ mastodonVersion: '4.0' });
    expect((await api(s, '/api/v2/notifications/policy')).status).toBe(404);
    s.setMastodonVersion('4.6');
    expect(s.mastodonVersion).toBe('4.6');
    expect((await api(s, '/api/v2/notifications/policy')).status).toBe(200);
    expect(((await api(s, '/api/v2/instance')).body as { version: string }).version).toBe('4.6.6');
    expect(() => s.setMastodonVersion('5.0')).toThrow(/no sandbox profile/);
  });

  it('keeps a version override for the report only', async () => {
    const s = await start({ mastodonVersion: '4.6', version: '3.4.0' });
    expect(((await api(s, '/api/v2/instance')).body as { version: string }).version).toBe('3.4.0');
    await post(s, 'k', 'eins');
    expect((await post(s, 'k', 'eins')).status).toBe(500);
  });
});

describe('Idempotency-Key up to 4.5', () => {
  it.each(['4.0', '4.3', '4.5'])('%s returns the original for a repeat, even with another body', async (profile) => {
    const s = await start({ mastodonVersion: profile });
    const first = await post(s, 'announce-42', 'Migration beginnt');
    const again = await post(s, 'announce-42', 'Migration beginnt (retry)');
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect((again.body as { id: string }).id).toBe((first.body as { id: string }).id);
    expect((again.body as { content: string }).content).toBe('<p>Migration beginnt</p>');
    expect(s.statuses()).toHaveLength(1);
    // Keys are per account: alice's identical key is a new status.
    const alice = await post(s, 'announce-42', 'mine', { token: 'alice-token' });
    expect((alice.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
    expect(s.statuses()).toHaveLength(2);
  });

  it('masto gets the original back on a repeat (4.5)', async () => {
    const s = await start({ mastodonVersion: '4.5' });
    const client = restClient(s);
    const meta = { requestInit: { headers: { 'Idempotency-Key': 'k1' } } };
    const first = await client.v1.statuses.create({ status: 'eins' }, meta);
    expect((await client.v1.statuses.create({ status: 'zwei' }, meta)).id).toBe(first.id);
  });
});

describe('Idempotency-Key in 4.6 (PostStatusService#with_idempotency, #37879)', () => {
  it('answers a repeat within the TTL with HTTP 500 and posts nothing', async () => {
    const s = await start({ mastodonVersion: '4.6' });
    const first = await post(s, 'announce-42', 'Migration beginnt');
    expect(first.status).toBe(200);
    const again = await post(s, 'announce-42', 'Migration beginnt');
    expect(again.status).toBe(500);
    // fetch sends Accept: */*, so Rails renders public/500.html.
    expect(again.headers.get('content-type')).toMatch(/^text\/html/);
    expect(again.text).toBe(MASTODON_500_PAGE);
    expect(s.statuses()).toHaveLength(1);
    expect(s.requests().map((r) => r.status)).toEqual([200, 500]);
  });

  it('answers JSON 500 when the client asks for JSON', async () => {
    const s = await start({ mastodonVersion: '4.6' });
    await post(s, 'k', 'eins');
    const again = await post(s, 'k', 'eins', { headers: { 'Idempotency-Key': 'k', Accept: 'application/json' } });
    expect(again.status).toBe(500);
    expect(again.body).toEqual({ status: 500, error: 'Internal Server Error' });
  });

  it('makes masto throw on the repeat, as the real 4.6 does', async () => {
    const s = await start({ mastodonVersion: '4.6' });
    const client = restClient(s);
    const meta = { requestInit: { headers: { 'Idempotency-Key': 'k1' } } };
    await client.v1.statuses.create({ status: 'eins' }, meta);
    const error = await rejectionOf(client.v1.statuses.create({ status: 'eins' }, meta));
    // masto cannot decode the HTML error page: a TypeError, not a MastoHttpError.
    expect(error).not.toBeInstanceOf(MastoHttpError);
    expect(error).toBeInstanceOf(TypeError);
    expect(s.statuses()).toHaveLength(1);
  });

  it('posts a second status when the key is repeated after its TTL', async () => {
    let now = Date.parse('2026-11-24T12:00:00Z');
    const s = await start({ mastodonVersion: '4.6', clock: () => now, idempotencyTtlMs: 60_000 });
    await post(s, 'k', 'eins');
    now += 59_000;
    expect((await post(s, 'k', 'zwei')).status).toBe(500);
    now += 2_000;
    expect((await post(s, 'k', 'drei')).status).toBe(200);
    expect(s.statuses().map((st) => st.text)).toEqual(['eins', 'drei']);
  });

  it('starts the TTL only when the status is saved: a refused post stores no key', async () => {
    const s = await start({ mastodonVersion: '4.6' });
    expect((await post(s, 'k', '')).status).toBe(422);
    expect((await post(s, 'k', 'jetzt richtig')).status).toBe(200);
    expect(s.statuses()).toHaveLength(1);
  });

  it('changes the TTL at runtime', async () => {
    let now = Date.parse('2026-11-24T12:00:00Z');
    const s = await start({ mastodonVersion: '4.6', clock: () => now });
    s.setIdempotencyTtl(15_000);
    await post(s, 'k', 'eins');
    now += 15_001;
    expect((await post(s, 'k', 'zwei')).status).toBe(200);
    expect(() => s.setIdempotencyTtl(0)).toThrow(/positive/);
  });
});

describe('Idempotency-Key with a deleted original, every profile', () => {
  it.each(['4.0', '4.3', '4.5', '4.6'])('%s answers 404 "Record not found" and posts nothing', async (profile) => {
    const s = await start({ mastodonVersion: profile });
    const first = await post(s, 'k', 'eins');
    const id = (first.body as { id: string }).id;
    expect((await api(s, `/api/v1/statuses/${id}`, { method: 'DELETE' })).status).toBe(200);
    const again = await post(s, 'k', 'eins');
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'Record not found' });
    expect(s.statuses().filter((st) => st.deletedAt === null)).toHaveLength(0);
    expect(s.statuses()).toHaveLength(1);
  });
});
