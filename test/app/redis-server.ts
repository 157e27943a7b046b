import { setTimeout as sleep } from 'node:timers/promises';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function untilPing(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await run('redis-cli', ['-p', String(port), 'ping']).then(
      (r) => r.stdout.trim() === 'PONG',
      () => false,
    );
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A redis-server of the test's own, with AOF in a temp dir: stop, freeze, thaw and start it again. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Stops it (SIGTERM) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** SIGSTOP: the port stays open, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

export async function ownRedis(extraArgs: string[] = []): Promise<OwnRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herold-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', ...extraArgs], { stdio: 'ignore' });
    await untilPing(port);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    await gone;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A local Redis Cluster of `masters` masters (no replicas), created with redis-cli --cluster create. */
export async function ownCluster(masters = 3): Promise<{ readonly url: string; readonly nodes: readonly OwnRedis[]; destroy(): Promise<void> }> {
  const nodes: OwnRedis[] = [];
  // The bus port of its own: the default (port + 10000) lies beyond 65535 for a free port above 55535.
  for (let i = 0; i < masters; i += 1) nodes.push(await ownRedis(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--cluster-node-timeout', '5000', '--cluster-port', String(await freePort())]));
  await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  // Until every slot is served, commands fail with CLUSTERDOWN.
  const until = Date.now() + 15_000;
  for (;;) {
    const info = await run('redis-cli', ['-p', String(nodes[0]!.port), 'cluster', 'info']).then((r) => r.stdout, () => '');
    if (/cluster_state:ok/.test(info)) break;
    if (Date.now() > until) throw new Error(`The cluster did not come up: ${info}`);
    await sleep(100);
  }
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    async destroy() {
      for (const n of nodes) await n.destroy();
    },
  };
}

/** A Redis Sentinel watching `master` under the name `name` (quorum 1). */
export async function ownSentinel(master: OwnRedis, name = 'mymaster'): Promise<{ readonly port: number; destroy(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herold-sentinel-'));
  const port = await freePort();
  const conf = path.join(dir, 'sentinel.conf');
  writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`, `sentinel down-after-milliseconds ${name} 2000`, ''].join('\n'));
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  await untilPing(port);
  // Until the Sentinel knows the master, clients asking for it get nothing.
  const until = Date.now() + 10_000;
  for (;;) {
    const reply = await run('redis-cli', ['-p', String(port), 'sentinel', 'get-master-addr-by-name', name]).then((r) => r.stdout, () => '');
    if (reply.includes(String(master.port))) break;
    if (Date.now() > until) throw new Error(`The Sentinel does not know ${name}: ${reply}`);
    await sleep(100);
  }
  return {
    port,
    async destroy() {
      if (child.exitCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
