import { expect, test } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { ConfigError } from '../../../src/errors.ts';
import { parseRedisUrl, redactRedisUrl } from '../../../src/adapters/redis/redis-url.ts';

test.each([
  ['redis://127.0.0.1:6379', { kind: 'single', url: 'redis://127.0.0.1:6379' }],
  ['rediss://:pw@redis.example:6380/2', { kind: 'single', url: 'rediss://:pw@redis.example:6380/2' }],
  [
    'redis+sentinel://s1:26379,s2,[::1]:26380/mymaster',
    { kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }, { host: '::1', port: 26380 }], name: 'mymaster', db: 0, sentinelPassword: null, username: null, password: null, tls: false },
  ],
  [
    'rediss+sentinel://herold:p%40ss@s1:26379/main/3?sentinelPassword=sp',
    { kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }], name: 'main', db: 3, sentinelPassword: 'sp', username: 'herold', password: 'p@ss', tls: true },
  ],
  ['redis+cluster://:pw@n1:7000,n2:7001', { kind: 'cluster', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }], username: null, password: 'pw', tls: false }],
] as const)('%s', (url, expected) => {
  expect(parseRedisUrl(url)).toEqual(expected);
});

test.each([
  ['http://127.0.0.1:6379', 'starts with http://'],
  ['redis+sentinel://s1:26379', 'needs the master name'],
  ['redis+sentinel://s1:26379/mymaster/x', '"x" where the database number belongs'],
  ['redis+cluster://n1:7000/0', 'takes no path'],
  ['redis+cluster://n1:99999', '"n1:99999" where host:port belongs'],
  ['127.0.0.1:6379', 'is not a Redis URL'],
])('REDIS_URL=%s is refused with one line naming the problem and the accepted forms', (url, problem) => {
  let error: unknown;
  try {
    loadConfig({ MASTODON_URL: 'https://wien.rocks', MASTODON_ACCESS_TOKEN: 't', REDIS_URL: url });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variable).toBe('REDIS_URL');
  expect((error as Error).message).toContain(problem);
  expect((error as Error).message).toContain('redis+sentinel://sentinel1:26379,sentinel2:26379/mymaster');
  expect((error as Error).message).not.toContain('\n');
});

test('passwords never reach a message', () => {
  expect(redactRedisUrl('redis+sentinel://u:secret@s1:26379/m?sentinelPassword=other')).toBe('redis+sentinel://***@s1:26379/m?sentinelPassword=***');
});
