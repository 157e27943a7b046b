import { ConfigError } from '../../errors.ts';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Credentials and TLS shared by every kind of deployment. */
interface Common {
  readonly username: string | null;
  readonly password: string | null;
  readonly tls: boolean;
}

/**
 * Where Herold's Redis is, as REDIS_URL says:
 * - `redis://[user:password@]host:port[/db]` (`rediss://` for TLS): one server;
 * - `redis+sentinel://[user:password@]host:port,host:port/mastername[/db]`: ask these
 *   Sentinels for the current master of `mastername` (`rediss+sentinel://` for TLS);
 *   `?sentinelPassword=…` when the Sentinels themselves need a password;
 * - `redis+cluster://[user:password@]host:port,host:port`: any nodes of a Redis
 *   Cluster (`rediss+cluster://` for TLS).
 */
export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | (Common & { readonly kind: 'sentinel'; readonly sentinels: readonly HostPort[]; readonly name: string; readonly db: number; readonly sentinelPassword: string | null })
  | (Common & { readonly kind: 'cluster'; readonly nodes: readonly HostPort[] });

export const REDIS_URL_FORMS =
  'redis://host:6379, rediss://host:6379, redis+sentinel://sentinel1:26379,sentinel2:26379/mymaster or redis+cluster://node1:6379,node2:6379';

const MULTI = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;

const problem = (message: string) => new ConfigError('REDIS_URL', `REDIS_URL ${message} Use one of: ${REDIS_URL_FORMS}.`);

/** Reads REDIS_URL; a ConfigError names what is wrong and the accepted forms. */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'single', url };
  const match = MULTI.exec(url);
  if (!match) return unknownScheme(url);
  const [, scheme, kind, auth, hostList, path, query] = match as unknown as [string, string, 'sentinel' | 'cluster', string | undefined, string, string | undefined, string | undefined];
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const hosts = hostList.split(',').map((h) => hostPort(h.trim(), defaultPort));
  const [user, ...rest] = auth === undefined ? [] : auth.split(':');
  const common: Common = {
    username: user ? decodeURIComponent(user) : null,
    password: rest.length > 0 ? decodeURIComponent(rest.join(':')) : null,
    tls: scheme === 'rediss',
  };
  const params = new URLSearchParams(query ?? '');
  const segments = (path ?? '').split('/').filter(Boolean);
  if (kind === 'cluster') {
    if (segments.length > 0) throw problem(`(${kind}) takes no path: Redis Cluster has only database 0 and no master name.`);
    return { kind, nodes: hosts, ...common };
  }
  const [name, db, ...extra] = segments;
  if (!name || extra.length > 0) throw problem('for Sentinel needs the master name after the hosts, e.g. redis+sentinel://sentinel1:26379,sentinel2:26379/mymaster.');
  const dbNumber = db === undefined ? 0 : Number(db);
  if (!Number.isInteger(dbNumber) || dbNumber < 0) throw problem(`has "${db}" where the database number belongs (…/mymaster/0).`);
  return { kind, sentinels: hosts, name: decodeURIComponent(name), db: dbNumber, sentinelPassword: params.get('sentinelPassword'), ...common };
}

function hostPort(text: string, defaultPort: number): HostPort {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(text);
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (!match || port < 1 || port > 65535) throw problem(`has "${text}" where host:port belongs.`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function unknownScheme(url: string): never {
  const scheme = /^([a-z+]+):\/\//i.exec(url)?.[1];
  throw problem(scheme ? `starts with ${scheme}://, which Herold does not know.` : 'is not a Redis URL.');
}

/** REDIS_URL with any password replaced by ***, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@').replace(/([?&]sentinelPassword=)[^&#]*/, '$1***');
}
