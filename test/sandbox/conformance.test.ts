/**
 * Clients no one here wrote drive the sandbox in every profile: Mastodon.py
 * (Debian's python3-mastodon) and the `toot` CLI (Debian's toot). .ci/run
 * installs both when they are missing; without them this file fails.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MASTODON_VERSIONS, type Sandbox, startSandbox } from '../../src/sandbox/index.ts';

const run = promisify(execFile);
// Debian's interpreter, where python3-mastodon lives (a pyenv python3 on PATH would not have it).
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'clients', 'mastodon_py_conformance.py');

let sandbox: Sandbox | undefined;
let configHome: string | undefined;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  if (configHome) rmSync(configHome, { recursive: true, force: true });
  configHome = undefined;
});

async function start(mastodonVersion: string): Promise<Sandbox> {
  sandbox = await startSandbox({
    mastodonVersion,
    accounts: [
      { username: 'b2c', token: 'sandbox-token', bot: true, displayName: 'Herold' },
      { username: 'anna', token: 'anna-token', displayName: 'Anna' },
    ],
  });
  return sandbox;
}

interface Outcome {
  ok: boolean;
  id?: string | null;
  error?: string;
  status?: number;
  message?: string | null;
}

interface MastodonPyReport {
  me: { acct: string; bot: boolean };
  version: string;
  first: string;
  repeat: Outcome;
  statusesAfterRepeat: number;
  history: string[];
  source: string;
  pins: Outcome[];
  pinAgain: Outcome;
  notifications: { all: string[]; minIdPage: string[]; follows: number };
  streamAlive: boolean;
  stream: string[][];
  accountStatuses: { pinned: number; firstPage: number; nextPage: number; excludeReplies: number };
}

const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe.each(MASTODON_VERSIONS.map((v) => [v]))('Mastodon.py against profile %s', (profile) => {
  it('posts, repeats the key, edits, pins, pages, streams and reads the statuses as real Mastodon answers', async () => {
    const s = await start(profile);
    const { stdout } = await run(PYTHON, [SCRIPT, s.url, 'sandbox-token', 'anna-token'], { timeout: 60_000 });
    const report = JSON.parse(stdout) as MastodonPyReport;

    expect(report.me).toEqual({ acct: 'b2c', bot: true });
    expect(report.version).toBe({ '4.0': '4.0.2', '4.3': '4.3.0', '4.5': '4.5.11', '4.6': '4.6.6' }[profile]);

    if (profile === '4.6') {
      // PostStatusService#with_idempotency (#37879): the repeat fails with 500 and posts nothing.
      expect(report.repeat).toMatchObject({ ok: false, error: 'MastodonInternalServerError', status: 500 });
    } else {
      expect(report.repeat).toEqual({ ok: true, id: report.first });
    }
    expect(report.statusesAfterRepeat).toBe(1);

    expect(report.history.map(text)).toEqual(['Wartung beginnt um 22:00.', 'Wartung beginnt um 22:00. Update: läuft.']);
    expect(report.source).toBe('Wartung beginnt um 22:00. Update: läuft.');

    expect(report.pins.slice(0, 5).every((p) => p.ok)).toBe(true);
    expect(report.pins[5]).toMatchObject({
      ok: false,
      status: 422,
      message: 'Validation failed: You have already pinned the maximum number of posts',
    });
    expect(report.pinAgain).toMatchObject({ ok: false, status: 422, message: 'Duplicate record' });

    expect(report.notifications.all.map(text)).toEqual(['@b2c Frage 3?', '@b2c Frage 2?', '@b2c Frage 1?', '@b2c Frage 0?']);
    // min_id pages forward from the cursor: the two right after it, newest first.
    expect(report.notifications.minIdPage.map(text)).toEqual(['@b2c Frage 2?', '@b2c Frage 1?']);
    expect(report.notifications.follows).toBe(0);

    expect(report.streamAlive).toBe(true);
    expect(report.stream).toEqual([['notification', 'mention', expect.stringContaining('Seid ihr schon fertig?')]]);

    expect(report.accountStatuses).toEqual({ pinned: 5, firstPage: 3, nextPage: 3, excludeReplies: 6 });
  }, 90_000);
});

/** A toot config that is logged in as the bot on this sandbox, in a fresh XDG_CONFIG_HOME. */
function tootConfig(s: Sandbox): NodeJS.ProcessEnv {
  configHome = mkdtempSync(path.join(tmpdir(), 'herold-toot-'));
  const instance = new URL(s.url).host;
  mkdirSync(path.join(configHome, 'toot'));
  writeFileSync(
    path.join(configHome, 'toot', 'config.json'),
    JSON.stringify({
      apps: { [instance]: { instance, base_url: s.url, client_id: 'sandbox', client_secret: 'sandbox' } },
      users: { [`b2c@${instance}`]: { instance, username: 'b2c', access_token: 'sandbox-token' } },
      active_user: `b2c@${instance}`,
    }),
  );
  return { ...process.env, XDG_CONFIG_HOME: configHome, COLUMNS: '100' };
}

describe.each(MASTODON_VERSIONS.map((v) => [v]))('toot against profile %s', (profile) => {
  it('whoami, post, timeline and notifications', async () => {
    const s = await start(profile);
    const env = tootConfig(s);
    const toot = async (...args: string[]) => (await run('toot', args, { env, timeout: 30_000 })).stdout;

    expect(await toot('whoami')).toMatch(/^@b2c Herold/);

    const posted = await toot('post', 'Wartung beginnt um 22:00.');
    const id = /Toot posted: https:\/\/wien\.rocks\/@b2c\/(\d+)/.exec(posted)?.[1];
    expect(id).toBeDefined();
    // toot sends a fresh Idempotency-Key with every post.
    expect(s.status(id ?? '')?.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);

    s.mention('anna', 'Wie lange dauert das?');
    s.follow('b2c', 'anna');
    s.mention('anna', 'Danke für die Info!');
    const timeline = await toot('timeline', '--once');
    expect(timeline).toContain('Wartung beginnt um 22:00.');
    expect(timeline).toContain('Danke für die Info!');

    const notifications = await toot('notifications');
    expect(notifications).toContain('Anna @anna mentioned you');
    expect(notifications).toContain('Wie lange dauert das?');
    expect(notifications).toContain('Danke für die Info!');
  }, 60_000);
});
