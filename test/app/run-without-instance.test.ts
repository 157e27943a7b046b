import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:net';
import { test } from 'vitest';
import { waitFor } from '../support/harness.ts';
import { envFor, finished, lines, setUpRun, spawnHerold } from './support.ts';

/**
 * `herold run` as a process, the way a pod runs it, while the instance is
 * down or the port is taken. One after the other: each child is a whole Herold.
 */

/** The URL pino logged for the HTTP server. */
const httpUrlOf = (stdout: string) => /"url":"(http:\/\/[^"]+)"/.exec(stdout)?.[1];

test('herold run while the instance refuses connections: it runs, serves HTTP, says so honestly, and stops cleanly', async (context) => {
  const { r, file } = await setUpRun(context);
  await r.sandbox.setOutage('refuse');
  const child = spawnHerold(['run', file], envFor(r.config, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }));
  context.onTestFinished(() => child.stop());
  await child.waitForOutput('Herold is running.', 15_000);
  const url = await waitFor('HTTP URL', () => httpUrlOf(child.stdout()), 5000);
  context.expect((await fetch(`${url}/readyz`)).status).toBe(200);
  context.expect((await fetch(`${url}/`)).status).toBe(200);
  // One honest line: it runs without the instance and asks again; no ✘ and no "retrying" it would not do.
  const warning = lines(child.stdout()).find((l) => l.includes('runs without the instance'));
  context.expect(warning).toMatch(/did not answer while trying to verify the access token .*asks again in \d+ s/);
  context.expect(child.stderr()).toBe('');

  child.kill('SIGTERM');
  const result = await finished(child, 12_000);
  context.expect(result.code).toBe(0);
});

test('herold run started while the instance is down, which then refuses the token: exit 1 with the clear line', async (context) => {
  const { r, file } = await setUpRun(context);
  await r.sandbox.setOutage('html502');
  const child = spawnHerold(['run', file], envFor(r.config, { MASTODON_ACCESS_TOKEN: 'not-a-valid-token', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' }));
  context.onTestFinished(() => child.stop());
  await waitFor('a failed check', () => r.sandbox.requests().some((q) => q.path === '/api/v1/accounts/verify_credentials'), 10_000);
  await sleep(500);
  context.expect(child.process.exitCode).toBeNull();
  await r.sandbox.setOutage('none');
  const result = await finished(child);
  context.expect(result.code).toBe(1);
  const errors = lines(result.stderr);
  context.expect(errors).toEqual([
    `✘ MASTODON_ACCESS_TOKEN was refused by ${r.config.mastodonUrl} (HTTP 401). Create a token with the scopes write:statuses, write:accounts (for pinning), read:statuses (to look for a toot whose answer was lost) and read:notifications, and set it in MASTODON_ACCESS_TOKEN.`,
  ]);
  context.expect(r.sandbox.statuses()).toHaveLength(0);
});

test('herold run on a port in use: exit 1 and one line naming PORT, no stack trace', async (context) => {
  const { r, file } = await setUpRun(context);
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  context.onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;
  const child = spawnHerold(['run', file], envFor(r.config, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' }));
  context.onTestFinished(() => child.stop());
  const result = await finished(child);
  context.expect(result.code).toBe(1);
  context.expect(lines(result.stderr)).toEqual([`✘ PORT ${port} is in use; set PORT to a free port.`]);
  context.expect(result.stdout).not.toContain('    at ');
});
