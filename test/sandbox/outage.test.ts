import { MastoTimeoutError } from 'masto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { NGINX_502_PAGE, type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, rejectionOf, restClient } from './helpers.ts';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox();
});

afterEach(async () => {
  await sandbox.close();
});

/** The system error code behind a failed fetch (undici wraps it as `cause`). */
function causeCode(error: unknown): unknown {
  return (error as { cause?: { code?: unknown } }).cause?.code;
}

describe("outage 'refuse'", () => {
  it('really stops listening and comes back on the same port', async () => {
    const port = sandbox.port;
    // A pooled keep-alive connection exists before the outage starts.
    expect((await api(sandbox, '/api/v2/instance')).status).toBe(200);
    await sandbox.setOutage('refuse');
    expect(sandbox.outage).toBe('refuse');

    const error = await rejectionOf(fetch(`${sandbox.url}/api/v2/instance`));
    expect(error).toBeInstanceOf(TypeError);
    expect(causeCode(error)).toBe('ECONNREFUSED');

    await sandbox.setOutage('none');
    expect(sandbox.port).toBe(port);
    expect((await api(sandbox, '/api/v2/instance')).status).toBe(200);
  });

  it('surfaces in masto as the TypeError of fetch with ECONNREFUSED as cause', async () => {
    const client = restClient(sandbox);
    await client.v1.accounts.verifyCredentials();
    await sandbox.setOutage('refuse');
    const error = await rejectionOf(client.v1.accounts.verifyCredentials());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect(causeCode(error)).toBe('ECONNREFUSED');
    await sandbox.setOutage('none');
    expect((await client.v1.accounts.verifyCredentials()).username).toBe('b2c');
  });

  it('records nothing while refusing', async () => {
    sandbox.clearRequests();
    await sandbox.setOutage('refuse');
    await rejectionOf(fetch(`${sandbox.url}/api/v2/instance`));
    expect(sandbox.requests()).toEqual([]);
  });
});

describe("outage 'html502'", () => {
  it("answers every request with nginx's 502 page and no rate-limit headers", async () => {
    await sandbox.setOutage('html502');
    const response = await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'lost' } });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.text).toBe(NGINX_502_PAGE);
    expect(response.text).toContain('<title>502 Bad Gateway</title>');
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    expect(sandbox.statuses()).toEqual([]);
    expect(sandbox.requests().at(-1)).toMatchObject({ status: 502, outage: 'html502', path: '/api/v1/statuses' });
    await sandbox.setOutage('none');
    expect((await api(sandbox, '/api/v2/instance')).status).toBe(200);
  });

  it('cuts open streams and refuses new websocket handshakes with the 502 page', async () => {
    const socket = new WebSocket(`${sandbox.streamingUrl}/api/v1/streaming?stream=user`, ['sandbox-token']);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    await sandbox.setOutage('html502');
    expect(await closed).toBe(1006);
    expect(sandbox.streamCount()).toBe(0);
    const refused = new WebSocket(`${sandbox.streamingUrl}/api/v1/streaming`, ['sandbox-token']);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      refused.on('error', () => resolve(undefined));
    });
    expect(status).toBe(502);
  });

  it('makes masto 7 throw a TypeError from its error decoding, without a status code', async () => {
    await sandbox.setOutage('html502');
    const error = await rejectionOf(restClient(sandbox).v1.statuses.create({ status: 'lost' }));
    // masto deserializes text/html to undefined and then fails destructuring it.
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/destructure/);
    expect((error as { statusCode?: unknown }).statusCode).toBeUndefined();
  });
});

describe("outage 'slow'", () => {
  it('holds every answer back by delayMs, after the request has taken effect', async () => {
    await sandbox.setOutage('slow', { delayMs: 300 });
    const started = Date.now();
    const response = await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'slow' } });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await sandbox.setOutage('none');
    const quick = Date.now();
    await api(sandbox, '/api/v2/instance');
    expect(Date.now() - quick).toBeLessThan(250);
  });

  it('lets a masto timeout fire while the status is created anyway', async () => {
    await sandbox.setOutage('slow', { delayMs: 600 });
    const error = await rejectionOf(restClient(sandbox, undefined, 150).v1.statuses.create({ status: 'did it post?' }));
    expect(error).toBeInstanceOf(MastoTimeoutError);
    expect(sandbox.statuses().map((s) => s.text)).toEqual(['did it post?']);
  });
});
