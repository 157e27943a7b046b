import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { NotificationStream } from '../../src/adapters/mastodon/notification-stream.ts';
import type { IncomingNotification } from '../../src/replies/types.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { waitFor } from '../support/harness.ts';

let sandbox: Sandbox | undefined;
let stream: NotificationStream | undefined;
let silent: WebSocketServer | undefined;
let http: Server | undefined;
afterEach(async () => {
  await stream?.close();
  await sandbox?.close();
  for (const client of silent?.clients ?? []) client.terminate();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  stream = sandbox = silent = http = undefined;
});

it('streams mentions through masto, says when it is up or down, and reconnects after a drop', async () => {
  sandbox = await startSandbox();
  sandbox.addAccount({ username: 'alice' });
  sandbox.addAccount({ username: 'robot', bot: true });
  const received: IncomingNotification[] = [];
  const events: string[] = [];
  stream = new NotificationStream({
    streamingUrl: sandbox.streamingUrl,
    accessToken: 'sandbox-token',
    onNotification: (n) => received.push(n),
    onUp: () => events.push('up'),
    onDown: () => events.push('down'),
  });
  stream.start();
  await sandbox.waitForStream();
  expect(stream.state).toBe('up');
  const status = sandbox.mention('robot', 'Wie lange dauert das?', { visibility: 'unlisted' });
  await waitFor('the streamed mention', () => received.length === 1);
  expect(received[0]).toMatchObject({
    type: 'mention',
    account: { acct: 'robot', bot: true },
    status: { id: status.id, visibility: 'unlisted', spoilerText: '' },
  });
  expect(received[0]!.status!.content).toContain('Wie lange dauert das?');

  sandbox.dropStreams();
  await waitFor('down', () => stream!.state !== 'up');
  await sandbox.waitForStream({ timeoutMs: 5000 });
  await waitFor('up again', () => stream!.state === 'up');
  expect(events).toEqual(['up', 'down', 'up']);
  expect(stream.connections).toBe(2);
  sandbox.mention('alice', 'Nach dem Abbruch');
  await waitFor('the next mention', () => received.length === 2);

  await stream.close();
  expect(stream.state).toBe('closed');
  await waitFor('the socket closed', () => sandbox!.streamCount() === 0);
});

it('finds a connection that stays open but answers no pings, drops it and connects again', async () => {
  // A streaming server that accepts the websocket, then says nothing, not even pong.
  // Its health check says OK, like a streaming server whose connection died somewhere on the way.
  http = createServer((_req, res) => res.end('OK'));
  silent = new WebSocketServer({ server: http, autoPong: false, handleProtocols: (protocols) => [...protocols][0] ?? false });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  const downs: string[] = [];
  stream = new NotificationStream({
    streamingUrl: `ws://127.0.0.1:${port}`,
    accessToken: 'token',
    heartbeatMs: 150,
    onNotification: () => undefined,
    onDown: (reason) => downs.push(reason),
  });
  stream.start();
  await waitFor('connected', () => stream!.state === 'up', 5000);
  await waitFor('the dead connection noticed', () => downs.length >= 1, 5000);
  await waitFor('connected again', () => stream!.connections >= 2 && stream!.state === 'up', 5000);
});

it('keeps trying with a capped back-off while the streaming server is gone, and connects once it is back', async () => {
  sandbox = await startSandbox();
  const port = sandbox.port;
  await sandbox.setOutage('refuse');
  stream = new NotificationStream({
    streamingUrl: sandbox.streamingUrl,
    accessToken: 'sandbox-token',
    reconnectMinMs: 100,
    reconnectMaxMs: 300,
    onNotification: () => undefined,
  });
  stream.start();
  await sleep(2000);
  expect(stream.state).not.toBe('up');
  await sandbox.setOutage('none');
  expect(sandbox.port).toBe(port);
  await sandbox.waitForStream({ timeoutMs: 5000 });
  await waitFor('up', () => stream!.state === 'up');
});
