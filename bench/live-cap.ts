/**
 * Memory of the HTTP server at the live-update cap, and after a HEAD flood.
 * Starts the web parts (status page, SSE, real Redis state) in a child
 * process, opens live-update streams up to the cap, and reads the child's
 * RSS from /proc; then the same number again past the cap (each must get a
 * 503), then HEAD requests on the event stream (which leaked a subscription
 * each before issue 11).
 *
 *   npx tsx bench/live-cap.ts [--max 1000] [--heads 5000]
 *
 * Clients are spread over addresses with X-Forwarded-For (HEROLD_TRUST_PROXY
 * on), so only the global cap applies.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { Redis } from 'ioredis';
import { args, benchPrefix, REDIS_URL, rebasedSchedule, treeState } from './lib.ts';

const options = args();
const MAX = Number(options.get('max') ?? 1000);
const HEADS = Number(options.get('heads') ?? 5000);

if (process.argv[2] === 'server') {
  const { serve } = await import('@hono/node-server');
  const { createApp } = await import('../src/http/app.ts');
  const { createWeb } = await import('../src/http/web.ts');
  const { StateStore } = await import('../src/adapters/redis/state-store.ts');
  const prefix = process.argv[3]!;
  const schedule = rebasedSchedule(Date.now() + 3600_000, 'bench-live');
  const redis = new Redis(REDIS_URL);
  const web = await createWeb({
    schedules: new Map([[schedule.id, schedule]]),
    store: new StateStore(redis, prefix),
    now: () => DateTime.now(),
    feedKey: 'bench',
    faq: null,
    liveLimits: { max: Number(process.argv[4]), maxPerIp: 20 },
    trustProxy: true,
  });
  const app = createApp({ operations: {} as never, webhookToken: null, ready: async () => true, web });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => process.send!({ port: info.port, id: schedule.id }));
  server.on('connection', (socket) => socket.setNoDelay(true));
  process.on('message', (message) => {
    if (message === 'stats') process.send!({ open: web.liveLimits.open, subscribers: web.hub.subscribers });
  });
} else {
  const prefix = benchPrefix('live');
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['server', prefix, String(MAX)], { execArgv: ['--import', 'tsx'] });
  const ready = await new Promise<{ port: number; id: string }>((resolve) => child.once('message', (m) => resolve(m as { port: number; id: string })));
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  const stats = () => new Promise<{ open: number; subscribers: number }>((resolve) => {
    child.once('message', (m) => resolve(m as { open: number; subscribers: number }));
    child.send('stats');
  });
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const request = (method: string, i: number) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: ready.port, path: `/s/${ready.id}/events`, method, agent, headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
  const settle = () => sleep(1500);
  console.log(`tree ${treeState()}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  await settle();
  const idle = rssMb();
  const open: http.IncomingMessage[] = [];
  for (let i = 0; i < MAX; i += 1) {
    const res = await request('GET', i);
    if (res.statusCode !== 200) throw new Error(`stream ${i} got ${res.statusCode}`);
    res.resume();
    open.push(res);
  }
  await settle();
  const atCap = rssMb();
  let refused = 0;
  for (let i = MAX; i < 2 * MAX; i += 1) {
    const res = await request('GET', i);
    if (res.statusCode === 503 && res.headers['retry-after']) refused += 1;
    res.resume();
  }
  await settle();
  const pastCap = rssMb();
  const during = await stats();
  for (const res of open) res.destroy();
  await settle();
  const closed = await stats();
  for (let i = 0; i < HEADS; i += 1) (await request('HEAD', i)).resume();
  await settle();
  const afterHeads = rssMb();
  const heads = await stats();
  console.log(`cap ${MAX}: RSS idle ${idle.toFixed(0)} MB, at the cap ${atCap.toFixed(0)} MB (+${((atCap - idle) * 1024 / MAX).toFixed(0)} KB per stream), after ${MAX} more attempts ${pastCap.toFixed(0)} MB (${refused} refused with 503 + Retry-After)`);
  console.log(`streams open at the cap: ${during.open} (hub subscribers ${during.subscribers}); after closing them: ${closed.open} (${closed.subscribers})`);
  console.log(`${HEADS} HEAD requests: RSS ${afterHeads.toFixed(0)} MB, streams open ${heads.open}, subscribers ${heads.subscribers}`);
  child.kill();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  agent.destroy();
}
