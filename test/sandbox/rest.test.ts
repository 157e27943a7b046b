import { MastoHttpError } from 'masto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, BOT_TOKEN, rejectionOf, restClient } from './helpers.ts';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    accounts: [
      { username: 'b2c', token: BOT_TOKEN, bot: true, displayName: 'Herold' },
      { username: 'readonly', token: 'read-token', scopes: ['read'] },
      { username: 'poster', token: 'poster-token', scopes: ['read', 'write:statuses'] },
      { username: 'alice', token: 'alice-token' },
    ],
  });
});

afterAll(async () => {
  await sandbox.close();
});

async function httpError(promise: Promise<unknown>): Promise<MastoHttpError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(MastoHttpError);
  return error as MastoHttpError;
}

describe('accounts and instance', () => {
  it('verifies the credentials of the seeded bot account', async () => {
    const me = await restClient(sandbox).v1.accounts.verifyCredentials();
    expect(me).toMatchObject({ username: 'b2c', acct: 'b2c', bot: true, displayName: 'Herold' });
    expect(me.url).toBe('https://wien.rocks/@b2c');
    expect(me.source.privacy).toBe('public');
  });

  it('answers an unknown token with 401 "The access token is invalid"', async () => {
    const error = await httpError(restClient(sandbox, 'wrong').v1.accounts.verifyCredentials());
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe('The access token is invalid');
    const raw = await api(sandbox, '/api/v1/accounts/verify_credentials', { token: null });
    expect(raw.status).toBe(401);
    expect(raw.body).toEqual({ error: 'The access token is invalid' });
  });

  it('publishes the character limit, version and streaming URL in the v2 instance', async () => {
    const instance = await restClient(sandbox).v2.instance.fetch();
    expect(instance.domain).toBe('wien.rocks');
    expect(instance.version).toBe('4.6.6');
    expect(instance.configuration.statuses.maxCharacters).toBe(500);
    expect(instance.configuration.statuses.charactersReservedPerUrl).toBe(23);
    expect(instance.configuration.urls.streaming).toBe(sandbox.streamingUrl);
    expect(sandbox.streamingUrl).toBe(sandbox.url.replace('http://', 'ws://'));
    const v1 = await restClient(sandbox).v1.instance.fetch();
    expect(v1.urls.streamingApi).toBe(sandbox.streamingUrl);
  });

  it('honours maxCharacters, domain and version options', async () => {
    const other = await startSandbox({ maxCharacters: 1000, domain: 'test.example', version: '4.4.1' });
    try {
      const instance = await restClient(other).v2.instance.fetch();
      expect(instance).toMatchObject({ domain: 'test.example', version: '4.4.1' });
      expect(instance.configuration.statuses.maxCharacters).toBe(1000);
      const status = await restClient(other).v1.statuses.create({ status: 'x'.repeat(1000) });
      expect(status.url).toBe(`https://test.example/@b2c/${status.id}`);
    } finally {
      await other.close();
    }
  });
});

describe('posting', () => {
  it('creates a full Mastodon status', async () => {
    const status = await restClient(sandbox).v1.statuses.create({
      status: 'Wartung heute ab 22:00 <b>UTC</b>',
      visibility: 'unlisted',
      language: 'de',
      spoilerText: 'Wartung',
    });
    expect(status).toMatchObject({
      visibility: 'unlisted',
      language: 'de',
      spoilerText: 'Wartung',
      sensitive: true,
      content: '<p>Wartung heute ab 22:00 &lt;b&gt;UTC&lt;/b&gt;</p>',
      url: `https://wien.rocks/@b2c/${status.id}`,
      uri: `https://wien.rocks/users/b2c/statuses/${status.id}`,
      inReplyToId: null,
      editedAt: null,
      pinned: false,
      reblog: null,
      poll: null,
      card: null,
      mediaAttachments: [],
      application: { name: 'Herold', website: null },
    });
    expect(status.id).toMatch(/^\d{18}$/);
    expect(sandbox.status(status.id)?.text).toBe('Wartung heute ab 22:00 <b>UTC</b>');
  });

  it('refuses text over the limit with 422, counting URLs as 23 characters', async () => {
    const client = restClient(sandbox);
    const exact = await client.v1.statuses.create({ status: 'x'.repeat(500) });
    expect(exact.id).toBeTruthy();
    const error = await httpError(client.v1.statuses.create({ status: 'x'.repeat(501) }));
    expect(error.statusCode).toBe(422);
    expect(error.message).toBe('Validation failed: Text character limit of 500 exceeded');
    // 476 characters, a space and a long URL counted as 23 make exactly 500.
    const withUrl = `${'y'.repeat(476)} https://wien.rocks/${'z'.repeat(300)}`;
    expect((await client.v1.statuses.create({ status: withUrl })).id).toBeTruthy();
    const withCw = await httpError(client.v1.statuses.create({ status: 'x'.repeat(499), spoilerText: 'CW' }));
    expect(withCw.statusCode).toBe(422);
  });

  it('refuses empty text with 422', async () => {
    const error = await httpError(restClient(sandbox).v1.statuses.create({ status: '   ' }));
    expect(error.statusCode).toBe(422);
    expect(error.message).toBe("Validation failed: Text can't be blank");
  });

  it('answers 403 when the token lacks the write scope', async () => {
    const error = await httpError(restClient(sandbox, 'read-token').v1.statuses.create({ status: 'hi' }));
    expect(error.statusCode).toBe(403);
    expect(error.message).toBe('This action is outside the authorized scopes');
    // write:statuses is enough to post but not to pin (write:accounts).
    const status = await restClient(sandbox, 'poster-token').v1.statuses.create({ status: 'ok' });
    const pin = await httpError(restClient(sandbox, 'poster-token').v1.statuses.$select(status.id).pin());
    expect(pin.statusCode).toBe(403);
  });

  it('accepts application/x-www-form-urlencoded like Rails', async () => {
    const form = new URLSearchParams({ status: 'Form post', visibility: 'private', sensitive: 'true' });
    const response = await api(sandbox, '/api/v1/statuses', { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ visibility: 'private', sensitive: true, content: '<p>Form post</p>' });
  });

  it('replies into a thread and refuses replies to statuses that do not exist', async () => {
    const client = restClient(sandbox);
    const parent = await client.v1.statuses.create({ status: 'Thread 1/2' });
    const reply = await client.v1.statuses.create({ status: 'Thread 2/2', inReplyToId: parent.id });
    expect(reply).toMatchObject({ inReplyToId: parent.id, inReplyToAccountId: parent.account.id });
    expect((await client.v1.statuses.$select(parent.id).fetch()).repliesCount).toBe(1);
    const error = await httpError(client.v1.statuses.create({ status: 'x', inReplyToId: '1' }));
    expect(error.statusCode).toBe(404);
  });
});

describe('editing, pinning, deleting', () => {
  it('edits in place, records history and sets edited_at', async () => {
    const client = restClient(sandbox);
    const status = await client.v1.statuses.create({ status: 'Fortschritt: 10 %', language: 'de' });
    const edited = await client.v1.statuses.$select(status.id).update({ status: 'Fortschritt: 50 %' });
    expect(edited.id).toBe(status.id);
    expect(edited.content).toBe('<p>Fortschritt: 50 %</p>');
    expect(edited.editedAt).not.toBeNull();
    expect(edited.language).toBe('de');
    const history = await client.v1.statuses.$select(status.id).history.list();
    expect(history.map((h) => h.content)).toEqual(['<p>Fortschritt: 10 %</p>', '<p>Fortschritt: 50 %</p>']);
    const source = await client.v1.statuses.$select(status.id).source.fetch();
    expect(source.text).toBe('Fortschritt: 50 %');
    expect(sandbox.status(status.id)?.history).toHaveLength(2);
  });

  it('treats an edit like Mastodon: omitted spoiler_text clears the warning, no change adds no history', async () => {
    const client = restClient(sandbox);
    const status = await client.v1.statuses.create({ status: 'body', spoilerText: 'CW' });
    const same = await client.v1.statuses.$select(status.id).update({ status: 'body', spoilerText: 'CW' });
    expect(same.editedAt).toBeNull();
    const cleared = await client.v1.statuses.$select(status.id).update({ status: 'body' });
    expect(cleared).toMatchObject({ spoilerText: '', sensitive: false });
    expect(sandbox.status(status.id)?.history).toHaveLength(2);
  });

  it("answers 404 for editing or deleting someone else's status", async () => {
    const theirs = await restClient(sandbox, 'alice-token').v1.statuses.create({ status: 'alice' });
    const edit = await httpError(restClient(sandbox).v1.statuses.$select(theirs.id).update({ status: 'hijack' }));
    expect(edit.statusCode).toBe(404);
    expect(edit.message).toBe('Record not found');
    const remove = await httpError(restClient(sandbox).v1.statuses.$select(theirs.id).remove());
    expect(remove.statusCode).toBe(404);
  });

  it('pins and unpins, with Mastodon’s 422 answers', async () => {
    const client = restClient(sandbox);
    const status = await client.v1.statuses.create({ status: 'Angepinnt' });
    const pinned = await client.v1.statuses.$select(status.id).pin();
    expect(pinned.pinned).toBe(true);
    expect(sandbox.status(status.id)?.pinned).toBe(true);
    const twice = await httpError(client.v1.statuses.$select(status.id).pin());
    expect(twice.statusCode).toBe(422);
    expect(twice.message).toBe('Duplicate record');
    const me = await client.v1.accounts.verifyCredentials();
    const listed = await client.v1.accounts.$select(me.id).statuses.list({ pinned: true });
    expect(listed.map((s) => s.id)).toContain(status.id);
    const unpinned = await client.v1.statuses.$select(status.id).unpin();
    expect(unpinned.pinned).toBe(false);

    const direct = await client.v1.statuses.create({ status: '@alice psst', visibility: 'direct' });
    const directPin = await httpError(client.v1.statuses.$select(direct.id).pin());
    expect(directPin.message).toBe('Validation failed: Posts that are only visible to mentioned users cannot be pinned');
    const theirs = await restClient(sandbox, 'alice-token').v1.statuses.create({ status: 'alice' });
    const foreign = await httpError(client.v1.statuses.$select(theirs.id).pin());
    expect(foreign.message).toBe("Validation failed: Someone else's post cannot be pinned");
  });

  it('refuses a sixth pin', async () => {
    const own = await startSandbox();
    try {
      const client = restClient(own);
      for (let i = 0; i < 5; i += 1) {
        const status = await client.v1.statuses.create({ status: `pin ${i}` });
        await client.v1.statuses.$select(status.id).pin();
      }
      const sixth = await client.v1.statuses.create({ status: 'pin 6' });
      const error = await httpError(client.v1.statuses.$select(sixth.id).pin());
      expect(error.message).toBe('Validation failed: You have already pinned the maximum number of posts');
    } finally {
      await own.close();
    }
  });

  it('deletes, returning the source text, after which the status is gone', async () => {
    const client = restClient(sandbox);
    const status = await client.v1.statuses.create({ status: 'Kurzlebig' });
    const deleted = await client.v1.statuses.$select(status.id).remove();
    expect(deleted.text).toBe('Kurzlebig');
    const error = await httpError(client.v1.statuses.$select(status.id).fetch());
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe('Record not found');
    expect(sandbox.status(status.id)?.deletedAt).not.toBeNull();
  });

  it('hides direct statuses from accounts that are not mentioned', async () => {
    const direct = await restClient(sandbox).v1.statuses.create({ status: '@alice only for you', visibility: 'direct' });
    expect((await restClient(sandbox, 'alice-token').v1.statuses.$select(direct.id).fetch()).id).toBe(direct.id);
    const error = await httpError(restClient(sandbox, 'poster-token').v1.statuses.$select(direct.id).fetch());
    expect(error.statusCode).toBe(404);
  });

  it("answers unknown paths like Rails' routing error: HTML for */*, JSON only when asked, no rate-limit headers", async () => {
    const response = await api(sandbox, '/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toContain("The page you are looking for isn&#39;t here.");
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    const json = await api(sandbox, '/api/v1/nothing-here', { headers: { Accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(json.body).toEqual({ error: 'Not Found' });
    // A missing record inside an existing API route stays Api::ErrorHandling's JSON.
    const record = await api(sandbox, '/api/v1/statuses/1');
    expect(record.body).toEqual({ error: 'Record not found' });
  });
});

describe('favourites', () => {
  it('favourites once per account (a repeat changes nothing), notifies the author, and needs write:favourites', async () => {
    const question = sandbox.mention('alice', 'Danke!', { visibility: 'direct' });
    const first = await api(sandbox, `/api/v1/statuses/${question.id}/favourite`, { method: 'POST' });
    const again = await api(sandbox, `/api/v1/statuses/${question.id}/favourite`, { method: 'POST' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: question.id, favourited: true, favourites_count: 1 });
    expect(again.body).toMatchObject({ favourited: true, favourites_count: 1 });
    expect(sandbox.status(question.id)?.favouritedBy).toEqual(['b2c']);
    expect(sandbox.notifications('alice').filter((n) => n.type === 'favourite' && n.statusId === question.id)).toHaveLength(1);
    const poster = await api(sandbox, `/api/v1/statuses/${question.id}/favourite`, { method: 'POST', token: 'poster-token' });
    expect(poster.status).toBe(403);
  });

  it('answers 404 for a status the account may not see (StatusPolicy#favourite?)', async () => {
    const own = await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'nur für mich', visibility: 'direct' } });
    const hidden = await api(sandbox, `/api/v1/statuses/${(own.body as { id: string }).id}/favourite`, { method: 'POST', token: 'alice-token' });
    expect(hidden.status).toBe(404);
    const missing = await api(sandbox, '/api/v1/statuses/999999999/favourite', { method: 'POST' });
    expect(missing.status).toBe(404);
  });
});

describe('request log', () => {
  it('records requests with the token redacted', async () => {
    sandbox.clearRequests();
    await restClient(sandbox).v1.notifications.list({ types: ['mention'], limit: 5 });
    const [entry] = sandbox.requests();
    expect(entry).toMatchObject({ method: 'GET', path: '/api/v1/notifications', status: 200, outage: 'none' });
    expect(entry?.query).toEqual({ 'types[]': 'mention', limit: '5' });
    expect(entry?.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(sandbox.requests())).not.toContain(BOT_TOKEN);
  });
});
