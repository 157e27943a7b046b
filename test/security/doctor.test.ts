import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { instanceUrlChecks } from '../../src/doctor/url-checks.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { REDIS_URL } from '../support/harness.ts';

describe('MASTODON_URL as doctor reads it', () => {
  test.each([
    ['https://wien.rocks', []],
    ['http://127.0.0.1:3000', []],
    ['http://127.8.9.10', []],
    ['http://localhost:3000', []],
    ['http://[::1]:3000', []],
    ['http://wien.rocks', ['plain http:// to wien.rocks']],
    ['http://10.0.0.5:3000', ['plain http:// to 10.0.0.5:3000']],
    ['http://127.0.0.1.evil.example', ['plain http://']],
    ['https://wien.rocks/web', ['has a path (/web)']],
    ['https://wien.rocks/?x=1', ['has a path (/?x=1)']],
    ['http://wien.rocks/mastodon', ['plain http://', 'has a path (/mastodon)']],
  ])('%s', (url, warnings) => {
    const results = instanceUrlChecks('MASTODON_URL', url);
    expect(results.map((r) => r.status)).toEqual(warnings.map(() => 'warn'));
    results.forEach((r, i) => expect(r.message).toContain(warnings[i]));
  });
});

function doctor(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/herold.js', 'doctor', 'schedules/wien-rocks-2023-02-12.yaml'],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', REDIS_URL, ...env }, timeout: 60_000 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout });
      },
    );
  });
}

describe('herold doctor', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      rateLimit: null,
      accounts: [
        { username: 'b2c', token: 'sandbox-token', scopes: ['read', 'write'], bot: true },
        { username: 'ersatz', token: 'fallback-token', scopes: ['read', 'write'], bot: true },
      ],
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  test('checks the fallback token: a wrong one fails, a good one passes', async () => {
    const base = { MASTODON_URL: sandbox.url, MASTODON_ACCESS_TOKEN: 'sandbox-token', FALLBACK_MASTODON_URL: sandbox.url };
    const bad = await doctor({ ...base, FALLBACK_MASTODON_ACCESS_TOKEN: 'wrong-fallback-token' });
    expect(bad.stdout).toMatch(/^fail +fallback-token +.*refuses FALLBACK_MASTODON_ACCESS_TOKEN \(HTTP 401\)/m);
    expect(bad.code).toBe(1);
    const good = await doctor({ ...base, FALLBACK_MASTODON_ACCESS_TOKEN: 'fallback-token' });
    expect(good.stdout).toMatch(/^ok +fallback-token +FALLBACK_MASTODON_ACCESS_TOKEN works: Herold speaks as @ersatz/m);
  });

  test('warns about a path in MASTODON_URL', async () => {
    const run = await doctor({ MASTODON_URL: `${sandbox.url}/web`, MASTODON_ACCESS_TOKEN: 'sandbox-token' });
    expect(run.stdout).toMatch(/^warn +mastodon-url +MASTODON_URL has a path \(\/web\)/m);
  });
});
