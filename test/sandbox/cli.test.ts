import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { extraUsername, parseFault, parseOutage, sandboxOptionsFromFlags } from '../../src/cli/sandbox.ts';
import { UsageError } from '../../src/errors.ts';

let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

/** Starts `herold sandbox` the way an operator would, right after npm ci, and returns its first stdout line. */
async function startCommand(args: string[]): Promise<{ first: string; exited: Promise<number | null> }> {
  child = spawn(process.execPath, ['bin/herold.js', 'sandbox', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child?.once('exit', (code) => reject(new Error(`herold sandbox exited with ${code} before printing a line`)));
  });
  return { first, exited };
}

describe('herold sandbox', () => {
  it('--json prints url, streamingUrl, the bot token and the extra users first, and serves the profile', async () => {
    const { first, exited } = await startCommand([
      '--json', '--mastodon-version', '4.6', '--port', '0', '--accounts', '2', '--pins', '5', '--idempotency-ttl', '15', '--rate-scale', '1000',
    ]);
    const info = JSON.parse(first) as { url: string; streamingUrl: string; token: string; accounts: { acct: string; token: string }[] };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.streamingUrl).toBe(info.url.replace('http://', 'ws://'));
    expect(info.token).toBe('sandbox-token');
    expect(info.accounts.map((a) => a.acct)).toEqual(['anna', 'ferdl']);

    const instance = (await (await fetch(`${info.url}/api/v2/instance`)).json()) as { version: string };
    expect(instance.version).toBe('4.6.6');
    const anna = (await (
      await fetch(`${info.url}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${info.accounts[0]?.token}` } })
    ).json()) as { username: string; bot: boolean };
    expect(anna).toMatchObject({ username: 'anna', bot: false });
    const bot = (await (await fetch(`${info.url}/api/v1/accounts/lookup?acct=b2c`)).json()) as { id: string };
    const pinned = (await (await fetch(`${info.url}/api/v1/accounts/${bot.id}/statuses?pinned=true`)).json()) as unknown[];
    expect(pinned).toHaveLength(5);
    const post = () =>
      fetch(`${info.url}/api/v1/statuses`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sandbox-token', 'Content-Type': 'application/json', 'Idempotency-Key': 'k' },
        body: JSON.stringify({ status: 'Hallo' }),
      });
    const posted = await post();
    expect(posted.status).toBe(200);
    // The statuses window runs 3 h / 1000 = 10.8 s.
    expect(Date.parse(posted.headers.get('x-ratelimit-reset') ?? '') - Date.now()).toBeLessThanOrEqual(10_800);
    expect((await post()).status).toBe(500);

    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('starts with a fault and an account state from flags', async () => {
    const { first } = await startCommand(['--json', '--port', '0', '--mastodon-version', '4.0', '--account-state', 'pending']);
    const { url, token } = JSON.parse(first) as { url: string; token: string };
    const me = await fetch(`${url}/api/v1/accounts/verify_credentials`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(403);
    expect(await me.json()).toEqual({ error: 'Your login is currently pending approval' });
    expect((await fetch(`${url}/api/v2/notifications/policy`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('refuses a bad flag in one line with what to do, exit 1, no stack trace', async () => {
    child = spawn(process.execPath, ['bin/herold.js', 'sandbox', '--mastodon-version', '3.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close': the whole of stderr has been read ('exit' may come first).
    const code = await new Promise((resolve) => child?.once('close', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('✘ --mastodon-version must be one of 4.0, 4.3, 4.5, 4.6; got "3.5".');
  });
});

describe('sandbox flags', () => {
  it('turn into sandbox options', () => {
    const { options, extraAccounts, outage } = sandboxOptionsFromFlags({
      port: '0', mastodonVersion: '4.5', rateScale: '1000', rateBucket: ['statuses=10/60', 'token=50'], pins: '3',
      idempotencyTtl: '15', fault: 'slow-commit=5000', faultTimes: '1', faultFirstPerKey: true, accountState: 'unconfirmed', accounts: '3',
      notificationPolicy: 'accept', outage: 'slow=200', reportVersion: '4.5.0-rc.1',
    });
    expect(options).toMatchObject({
      port: 0,
      mastodonVersion: '4.5',
      rateLimit: { scale: 1000, buckets: { statuses: { limit: 10, periodMs: 60_000 }, token: { limit: 50 } } },
      pins: 3,
      idempotencyTtlMs: 15_000,
      fault: { kind: 'slow-commit', delayMs: 5000, times: 1, firstPerKey: true },
      notificationPolicy: 'accept',
      version: '4.5.0-rc.1',
    });
    expect(options.accounts?.[0]).toMatchObject({ username: 'b2c', state: 'unconfirmed', bot: true });
    expect(extraAccounts).toBe(3);
    expect(outage).toEqual({ mode: 'slow', delayMs: 200 });
    expect(sandboxOptionsFromFlags({ rateLimit: false }).options.rateLimit).toBeNull();
  });

  it.each([
    [{ port: '70000' }, /--port needs a whole number from 0 to 65535/],
    [{ pins: '6' }, /--pins needs a whole number from 0 to 5/],
    [{ rateScale: '0' }, /--rate-scale needs a positive number/],
    [{ rateBucket: ['bogus=1'] }, /--rate-bucket takes <bucket>=<limit>/],
    [{ rateLimit: false, rateScale: '10' }, /--no-rate-limit switches every limit off/],
    [{ accountState: 'banned' }, /--account-state must be active, pending or unconfirmed/],
    [{ faultTimes: '2' }, /--fault-times needs a --fault/],
    [{ faultFirstPerKey: true }, /--fault-first-per-key needs a --fault/],
    [{ notificationPolicy: 'maybe' }, /--notification-policy must be accept, filter or drop/],
  ])('refuse %o', (flags, message) => {
    expect(() => sandboxOptionsFromFlags(flags)).toThrow(UsageError);
    expect(() => sandboxOptionsFromFlags(flags)).toThrow(message);
  });

  it('parse faults and outages', () => {
    expect(parseFault('lost-answer')).toEqual({ kind: 'lost-answer' });
    expect(parseFault('slow-commit=5000', 2)).toEqual({ kind: 'slow-commit', delayMs: 5000, times: 2 });
    expect(() => parseFault('slow-commit')).toThrow(/slow-commit=<milliseconds>/);
    expect(parseOutage('html502')).toEqual({ mode: 'html502' });
    expect(() => parseOutage('refuse')).toThrow(/html502 or slow=<milliseconds>/);
    expect([0, 1, 9, 10].map(extraUsername)).toEqual(['anna', 'ferdl', 'poldi', 'user11']);
  });
});
