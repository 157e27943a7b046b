import { setTimeout as sleep } from 'node:timers/promises';
import { MastoTimeoutError } from 'masto';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.ts';
import { api, rejectionOf, restClient } from './helpers.ts';

let sandbox: Sandbox | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox(options);
  return sandbox;
}

const keyed = (key: string) => ({ requestInit: { headers: { 'Idempotency-Key': key } } });

function causeCode(error: unknown): unknown {
  return (error as { cause?: { code?: unknown } }).cause?.code;
}

describe("fault 'slow-commit'", () => {
  it('saves the status only after the delay, after the client has given up, then answers at once', async () => {
    // The client gives up after 1 s (time enough for the request to arrive on a busy machine); the sandbox saves after 2 s.
    const s = await start({ fault: { kind: 'slow-commit', delayMs: 2000 } });
    const error = await rejectionOf(restClient(s, undefined, 1000).v1.statuses.create({ status: 'Wartung beginnt' }));
    expect(error).toBeInstanceOf(MastoTimeoutError);
    expect(s.statuses()).toHaveLength(0);
    // Saved 2 s after the request arrived; on a busy machine (files run side by side) that can be later
    // than 1 s after the client gave up, so look until it is there instead of sleeping a fixed time.
    for (const until = Date.now() + 5_000; s.statuses().length === 0 && Date.now() < until; ) await sleep(20);
    expect(s.statuses().map((st) => st.text)).toEqual(['Wartung beginnt']);
    expect(s.requests().at(-1)).toMatchObject({ fault: 'slow-commit', status: 200 });
  });

  it('4.5: a retry with the key during the commit posts a second status (the race #37879 fixed)', async () => {
    const s = await start({ mastodonVersion: '4.5', fault: { kind: 'slow-commit', delayMs: 300, times: 1 } });
    const first = api(s, '/api/v1/statuses', { method: 'POST', json: { status: 'eins' }, headers: { 'Idempotency-Key': 'k' } });
    await sleep(50);
    const retry = await restClient(s).v1.statuses.create({ status: 'eins' }, keyed('k'));
    expect((await first).status).toBe(200);
    expect(retry.id).not.toBe(((await first).body as { id: string }).id);
    expect(s.statuses()).toHaveLength(2);
  });

  it('4.6: a retry during the commit gets 503 from the lock; after the commit, 500', async () => {
    const s = await start({ mastodonVersion: '4.6' });
    s.setFault({ kind: 'slow-commit', delayMs: 300, times: 1 });
    const first = api(s, '/api/v1/statuses', { method: 'POST', json: { status: 'eins' }, headers: { 'Idempotency-Key': 'k' } });
    await sleep(50);
    const during = await api(s, '/api/v1/statuses', { method: 'POST', json: { status: 'eins' }, headers: { 'Idempotency-Key': 'k' } });
    expect(during.status).toBe(503);
    expect(during.body).toEqual({ error: 'There was a temporary problem serving your request, please try again' });
    expect((await first).status).toBe(200);
    const after = await api(s, '/api/v1/statuses', { method: 'POST', json: { status: 'eins' }, headers: { 'Idempotency-Key': 'k' } });
    expect(after.status).toBe(500);
    expect(s.statuses()).toHaveLength(1);
    expect(s.fault).toBeNull();
  });

  it("differs from outage 'slow', which saves at once: a retry then meets the stored key", async () => {
    const s = await start({ mastodonVersion: '4.6' });
    await s.setOutage('slow', { delayMs: 300 });
    const error = await rejectionOf(restClient(s, undefined, 100).v1.statuses.create({ status: 'eins' }, keyed('k')));
    expect(error).toBeInstanceOf(MastoTimeoutError);
    expect(s.statuses()).toHaveLength(1);
    await s.setOutage('none');
    expect((await api(s, '/api/v1/statuses', { method: 'POST', json: { status: 'eins' }, headers: { 'Idempotency-Key': 'k' } })).status).toBe(500);
  });

  it('leaves reads alone', async () => {
    const s = await start({ fault: { kind: 'slow-commit', delayMs: 5_000 } });
    const started = Date.now();
    expect((await api(s, '/api/v1/accounts/verify_credentials')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("fault 'lost-answer'", () => {
  it('saves the status and drops the connection without an answer', async () => {
    const s = await start({ fault: { kind: 'lost-answer', times: 1 } });
    const error = await rejectionOf(restClient(s).v1.statuses.create({ status: 'verloren?' }, keyed('k')));
    expect(error).toBeInstanceOf(TypeError);
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(causeCode(error));
    expect(s.statuses().map((st) => st.text)).toEqual(['verloren?']);
    expect(s.requests().at(-1)).toMatchObject({ fault: 'lost-answer', status: 200 });
    // times: 1 — the next write is answered again.
    expect(s.fault).toBeNull();
    const edit = await api(s, `/api/v1/statuses/${s.statuses()[0]?.id}`, { method: 'PUT', json: { status: 'doch da' } });
    expect(edit.status).toBe(200);
  });

  it('hits edits too, until cleared', async () => {
    const s = await start();
    const status = await restClient(s).v1.statuses.create({ status: 'eins' });
    s.setFault({ kind: 'lost-answer' });
    const error = await rejectionOf(restClient(s).v1.statuses.$select(status.id).update({ status: 'zwei' }));
    expect(error).toBeInstanceOf(TypeError);
    expect(s.status(status.id)?.text).toBe('zwei');
    s.setFault(null);
    expect((await restClient(s).v1.statuses.$select(status.id).update({ status: 'drei' })).content).toBe('<p>drei</p>');
  });

  it('firstPerKey: hits only the first request of each Idempotency-Key, so the retry gets its answer', async () => {
    const s = await start({ mastodonVersion: '4.5', fault: { kind: 'lost-answer', firstPerKey: true } });
    const client = restClient(s);
    expect(await rejectionOf(client.v1.statuses.create({ status: 'eins' }, keyed('k1')))).toBeInstanceOf(TypeError);
    const retry = await client.v1.statuses.create({ status: 'eins' }, keyed('k1'));
    expect(retry.id).toBe(s.statuses()[0]?.id);
    // Writes without a key (edits) are not hit; a new key is.
    expect((await client.v1.statuses.$select(retry.id).update({ status: 'zwei' })).content).toBe('<p>zwei</p>');
    expect(await rejectionOf(client.v1.statuses.create({ status: 'drei' }, keyed('k2')))).toBeInstanceOf(TypeError);
    // Setting the fault again starts over.
    s.setFault({ kind: 'lost-answer', firstPerKey: true });
    expect(await rejectionOf(client.v1.statuses.create({ status: 'eins' }, keyed('k1')))).toBeInstanceOf(TypeError);
    expect(s.statuses().map((st) => st.text)).toEqual(['zwei', 'drei']);
  });

  it('refuses unknown faults and bad numbers', async () => {
    const s = await start();
    expect(() => s.setFault({ kind: 'boom' } as never)).toThrow(/Unknown fault "boom"/);
    expect(() => s.setFault({ kind: 'slow-commit', delayMs: -1 })).toThrow(/delayMs/);
    expect(() => s.setFault({ kind: 'lost-answer', times: 0 })).toThrow(/times/);
  });
});

describe('account state', () => {
  it.each([
    ['pending', 'Your login is currently pending approval'],
    ['unconfirmed', 'Your login is missing a confirmed e-mail address'],
  ] as const)('%s: 403 with Mastodon\'s message on authenticated calls', async (state, message) => {
    const s = await start({ accounts: [{ username: 'b2c', token: 'sandbox-token', state }] });
    for (const [path, method] of [
      ['/api/v1/accounts/verify_credentials', 'GET'],
      ['/api/v1/statuses', 'POST'],
      ['/api/v1/notifications', 'GET'],
    ] as const) {
      const response = await api(s, path, { method, ...(method === 'POST' ? { json: { status: 'x' } } : {}) });
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ error: message });
    }
    expect(s.statuses()).toHaveLength(0);
    // Public reads with the token still work (no require_user! there).
    expect((await api(s, '/api/v2/instance')).status).toBe(200);
    s.setAccountState('active');
    expect((await api(s, '/api/v1/accounts/verify_credentials')).status).toBe(200);
  });

  it('switches at runtime', async () => {
    const s = await start();
    s.setAccountState('pending');
    expect((await api(s, '/api/v1/accounts/verify_credentials')).status).toBe(403);
    expect(() => s.setAccountState('gone' as never)).toThrow(/Unknown account state/);
  });
});

describe('pins', () => {
  it('starts with preset pins; the 6th answers 422 with the validator message', async () => {
    const s = await start({ pins: 5 });
    const pinned = s.statuses().filter((st) => st.pinned);
    expect(pinned).toHaveLength(5);
    const listed = await api(s, `/api/v1/accounts/${s.account('b2c')?.id}/statuses?pinned=true`);
    expect((listed.body as unknown[]).length).toBe(5);
    const status = await restClient(s).v1.statuses.create({ status: 'neu' });
    const sixth = await api(s, `/api/v1/statuses/${status.id}/pin`, { method: 'POST' });
    expect(sixth.status).toBe(422);
    expect(sixth.body).toEqual({ error: 'Validation failed: You have already pinned the maximum number of posts' });
  });

  it('answers a second pin of the same status with 422 "Duplicate record"', async () => {
    const s = await start({ pins: 2 });
    const status = await restClient(s).v1.statuses.create({ status: 'neu' });
    expect((await api(s, `/api/v1/statuses/${status.id}/pin`, { method: 'POST' })).status).toBe(200);
    const again = await api(s, `/api/v1/statuses/${status.id}/pin`, { method: 'POST' });
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ error: 'Duplicate record' });
  });

  it('adds pins at runtime and refuses more than five', async () => {
    const s = await start();
    expect(s.addPins(3)).toHaveLength(3);
    expect(() => s.addPins(3)).toThrow(/at most 5 pins and has 3/);
    await expect(startSandbox({ pins: 6 })).rejects.toThrow(/at most 5 pins/);
  });
});
