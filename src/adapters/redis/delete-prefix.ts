import { serversOf, type RedisConnection } from './connect.ts';

/**
 * Deletes every key under `prefix` (a rehearsal's or a benchmark's fresh
 * prefix); returns how many. On a cluster SCAN sees one node's keys, so
 * every master is asked (a prefix with a hash tag puts all keys on one).
 */
export async function deletePrefix(redis: RedisConnection, prefix: string): Promise<number> {
  let deleted = 0;
  for (const node of serversOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await node.del(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}
