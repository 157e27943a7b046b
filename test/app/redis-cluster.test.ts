import { Cluster } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { rig, type Rig } from '../support/harness.ts';
import { ownCluster } from './redis-server.ts';
import { playWienRocksDay } from './wien-rocks-day.ts';

/**
 * The wien.rocks day against a real local Redis Cluster of three masters,
 * started by the test: REDIS_URL=redis+cluster://…, and every key of Herold
 * (queue, state, budgets, replies) in the one slot of its hash-tag prefix.
 */

let r: Rig | undefined;
let cluster: Awaited<ReturnType<typeof ownCluster>> | undefined;
afterEach(async () => {
  await r?.close();
  await cluster?.destroy();
  r = undefined;
  cluster = undefined;
});

test('the whole wien.rocks day on a 3-master Redis Cluster', async () => {
  cluster = await ownCluster(3);
  r = await rig({}, { redisUrl: cluster.url });
  await playWienRocksDay(r);

  // It really ran on the cluster: Herold's keys are there, all on the master that owns the prefix's slot.
  const client = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
  try {
    await client.ping();
    const owners: number[] = [];
    for (const node of client.nodes('master')) {
      const keys = await node.keys(`${r.config.prefix}*`);
      if (keys.length > 0) owners.push(keys.length);
    }
    expect(owners).toHaveLength(1);
    expect(owners[0]).toBeGreaterThan(10);
  } finally {
    client.disconnect();
  }
}, 90_000);
