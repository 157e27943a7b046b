import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatCheck, maskUrl } from '../../src/doctor/check.ts';
import { CLOCK_FAIL_MS, CLOCK_WARN_MS, clockCheck, clockSkewMs } from '../../src/doctor/clock.ts';
import { versionCheck } from '../../src/doctor/mastodon-checks.ts';
import { parseVersion, supportsEditing } from '../../src/doctor/version.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { REDIS_URL } from '../support/harness.ts';

describe('doctor check pieces', () => {
  test('reads Mastodon versions and knows editing came with 3.5', () => {
    expect(parseVersion('4.3.0')).toEqual({ major: 4, minor: 3, patch: 0, compatible: null });
    expect(parseVersion('4.2.10+glitch')).toMatchObject({ major: 4, minor: 2, patch: 10 });
    expect(parseVersion('2.7.2 (compatible; Akkoma 3.10.3)')).toMatchObject({ major: 2, compatible: 'Akkoma 3.10.3' });
    expect(parseVersion('banana')).toBeNull();
    expect(supportsEditing(parseVersion('3.5.0')!)).toBe(true);
    expect(supportsEditing(parseVersion('3.4.9')!)).toBe(false);
    expect(supportsEditing(parseVersion('10.0')!)).toBe(true);
    const facts = (version: string) => ({ version, maxCharacters: 500, source: 'v2' as const, date: null, sentAt: 0, receivedAt: 0 });
    expect(versionCheck(facts('3.4.0'), 'https://x').status).toBe('fail');
    expect(versionCheck(facts('4.3.0'), 'https://x').status).toBe('ok');
    expect(versionCheck(facts('2.7.2 (compatible; Pleroma 2.5.0)'), 'https://x').status).toBe('warn');
    expect(versionCheck(facts('nope'), 'https://x').status).toBe('warn');
  });

  test('clock skew: the Date header has whole seconds, so we compare the middles; warn above 5 s, fail above 60 s', () => {
    const now = Date.parse('2024-05-01T12:00:00.000Z');
    const header = (offsetMs: number) => new Date(now + offsetMs).toUTCString();
    expect(clockSkewMs(header(0), now - 100, now + 100)).toBe(500);
    expect(clockCheck(header(0), now, now, 'x').status).toBe('ok');
    expect(clockCheck(header(CLOCK_WARN_MS + 1000), now, now, 'x').status).toBe('warn');
    expect(clockCheck(header(-(CLOCK_WARN_MS + 2000)), now, now, 'x').message).toContain('ahead of');
    expect(clockCheck(header(CLOCK_FAIL_MS + 1000), now, now, 'x').status).toBe('fail');
    expect(clockCheck(null, now, now, 'x').status).toBe('warn');
    expect(clockCheck('yesterday-ish', now, now, 'x').status).toBe('warn');
  });

  test('one line per check; the fix only for warn and fail; no Redis password', () => {
    expect(formatCheck({ status: 'ok', check: 'redis', message: 'fine.', fix: 'never shown' })).toBe('ok    redis                fine.');
    expect(formatCheck({ status: 'fail', check: 'token', message: 'bad.', fix: 'Do this.' })).toBe('fail  token                bad. Fix: Do this.');
    expect(maskUrl('redis://:secret@redis.example:6379/0')).toBe('redis://***@redis.example:6379/0');
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** status by check name. */
  checks: Map<string, { status: string; line: string }>;
}

/** `node bin/herold.js doctor …` as an operator would run it, with only the given environment. */
function doctor(env: Record<string, string>, files: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/herold.js', 'doctor', ...files],
      { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        const checks = new Map<string, { status: string; line: string }>();
        for (const line of stdout.split('\n')) {
          const match = /^(ok|warn|fail) +(\S+)/.exec(line);
          if (!match) continue;
          const name = match[2]!;
          if (!checks.has(name) || match[1] === 'fail') checks.set(name, { status: match[1]!, line });
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr, checks });
      },
    );
  });
}

const status = (run: Run, check: string) => run.checks.get(check)?.status;

describe('herold doctor against the sandbox', () => {
  let good: Sandbox;
  let old: Sandbox;
  let brokenFile: string;

  beforeAll(async () => {
    good = await startSandbox({
      rateLimit: null,
      accounts: [
        { username: 'b2c', token: 'sandbox-token', scopes: ['read', 'write'], bot: true },
        { username: 'half', token: 'no-notifications-token', scopes: ['read:accounts', 'write'] },
        { username: 'pinned', token: 'five-pins-token', scopes: ['read', 'write'], bot: true },
      ],
    });
    old = await startSandbox({ rateLimit: null, version: '3.4.0', maxCharacters: 400 });
    const dir = mkdtempSync(path.join(tmpdir(), 'herold-doctor-'));
    brokenFile = path.join(dir, 'broken.yaml');
    writeFileSync(brokenFile, 'id: broken\ninstance: wien.rocks\ntimezone: Europe/Wien\n');
  });

  afterAll(async () => {
    await good?.close();
    await old?.close();
  });

  const env = (sandbox: Sandbox, token = 'sandbox-token', extra: Record<string, string> = {}) => ({
    MASTODON_URL: sandbox.url,
    MASTODON_ACCESS_TOKEN: token,
    REDIS_URL,
    ...extra,
  });

  test('a healthy setup: one line per check, warnings only, exit 0', async () => {
    const run = await doctor(env(good));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const check of ['config', 'redis', 'redis-eviction', 'faq', 'token', 'scopes', 'instance-version', 'clock', 'schedule', 'toot-length', 'pin-slot', 'task-checks']) {
      expect(status(run, check), `${check}\n${run.stdout}`).toBe('ok');
    }
    // This dev machine (and CI) runs Redis without AOF: a warning, not a failure.
    expect(['ok', 'warn']).toContain(status(run, 'redis-persistence'));
    // Mastodon's default policy filters private mentions from strangers.
    expect(status(run, 'notification-policy')).toBe('warn');
    expect(run.checks.get('notification-policy')!.line).toContain('private mentions');
    expect(run.checks.get('token')!.line).toContain('@b2c');
    expect(run.checks.get('scopes')!.line).toMatch(/write:statuses and write:accounts cannot be checked/);
    expect(run.checks.get('toot-length')!.line).toMatch(/has \d+ of the instance's 500 characters/);
    expect(run.checks.get('pin-slot')!.line).toContain('5 of 5 pin slots are free');
    // The shipped schedule names a fallback account this setup has no token for: said, not failed.
    expect(status(run, 'fallback-account')).toBe('warn');
    expect(run.checks.get('fallback-account')!.line).toContain('@wienrocks@mastodon.social');
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^15 checks: \d+ ok, [23] warn, 0 fail\.$/);

    // With private mentions accepted, the policy check passes too.
    good.setNotificationPolicy({ forPrivateMentions: 'accept' }, 'b2c');
    const accepted = await doctor(env(good));
    expect(status(accepted, 'notification-policy')).toBe('ok');
  });

  test('pin-slot: an account with five pins fails the check before the day, with the fix; one unpinned, it passes', async () => {
    const api = async (method: string, path: string, body?: Record<string, string>) => {
      const response = await fetch(`${good.url}${path}`, {
        method,
        headers: { Authorization: 'Bearer five-pins-token', 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(response.status, `${method} ${path}`).toBe(200);
      return (await response.json()) as { id: string };
    };
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const status = await api('POST', '/api/v1/statuses', { status: `Wichtig ${i}` });
      await api('POST', `/api/v1/statuses/${status.id}/pin`);
      ids.push(status.id);
    }
    const full = await doctor(env(good, 'five-pins-token'));
    expect(full.code).toBe(1);
    expect(full.checks.get('pin-slot')).toMatchObject({ status: 'fail' });
    expect(full.checks.get('pin-slot')!.line).toContain('already has 5 pinned posts');
    expect(full.checks.get('pin-slot')!.line).toContain('Fix: Unpin one before the day');

    await api('POST', `/api/v1/statuses/${ids[0]}/unpin`);
    const free = await doctor(env(good, 'five-pins-token'));
    expect(free.checks.get('pin-slot')!.line).toContain('1 of 5 pin slots are free');
    expect(status(free, 'pin-slot')).toBe('ok');
  });

  test('a wrong token and a broken schedule file fail: exit 1, with the fix', async () => {
    const run = await doctor(env(good, 'wrong-token'), ['schedules/wien-rocks-2023-02-12.yaml', brokenFile]);
    expect(run.code).toBe(1);
    expect(run.checks.get('token')).toMatchObject({ status: 'fail' });
    expect(run.checks.get('token')!.line).toContain('HTTP 401');
    expect(run.checks.get('token')!.line).toContain('Fix: Create a token');
    expect(run.stdout).toMatch(/^ok +schedule wien-rocks-2023-02-12\.yaml/m);
    expect(run.stdout).toMatch(/^fail +schedule broken\.yaml .*Fix: Run herold validate/m);
    expect(run.stderr).toMatch(/^✘ \d+ checks: .* [1-9] fail\./);
  });

  test('a token without read:notifications fails the scope check', async () => {
    const run = await doctor(env(good, 'no-notifications-token'));
    expect(run.code).toBe(1);
    expect(status(run, 'token')).toBe('ok');
    expect(status(run, 'scopes')).toBe('fail');
    expect(run.checks.get('scopes')!.line).toContain('HTTP 403');
  });

  test('an instance too old to edit, with a smaller limit than the toots need', async () => {
    const run = await doctor(env(old));
    expect(run.code).toBe(1);
    expect(status(run, 'instance-version')).toBe('fail');
    expect(run.checks.get('instance-version')!.line).toContain('3.4.0');
    expect(status(run, 'toot-length')).toBe('fail');
    expect(run.checks.get('toot-length')!.line).toContain('over the limit of 400');
    // Valid against its own maxCharacters (500) all the same.
    expect(status(run, 'schedule')).toBe('ok');
  });

  test('no Redis and no MASTODON_URL', async () => {
    const run = await doctor({ MASTODON_ACCESS_TOKEN: 'x', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.checks.get('config')).toMatchObject({ status: 'fail' });
    expect(run.checks.get('config')!.line).toContain('MASTODON_URL is not set');
    expect(status(run, 'redis')).toBe('fail');
    expect(run.checks.get('redis')!.line).toContain('ECONNREFUSED');
    expect(run.checks.has('token')).toBe(false);
  });
});
