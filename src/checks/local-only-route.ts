import { isIP } from 'node:net';
import type { CheckSpec } from '../schedule/check-spec.ts';
import type { CheckRoute } from './check-route.ts';

const isLoopback = (host: string) => {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
};

/** The hosts a check would talk to. */
export function checkHosts(spec: CheckSpec): string[] {
  switch (spec.kind) {
    case 'mastodonVersion':
      return [new URL(spec.url).hostname];
    case 'http':
      return [new URL(spec.url).hostname];
    case 'tls':
      return [spec.endpoint.host];
    case 'dns':
      // No resolvers listed means the machine's own, which ask the world.
      return spec.resolvers.length > 0 ? spec.resolvers.map((r) => r.host) : ['(system resolver)'];
  }
}

/**
 * While Herold speaks to a Mastodon on this machine (the sandbox: tests,
 * rehearsals, demos), its checks never leave the machine either: a check of
 * anything but a loopback address is not run.
 */
export const localOnly: CheckRoute = (_schedule, _task, spec) => (checkHosts(spec).every(isLoopback) ? spec : null);

export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopback(new URL(url).hostname);
  } catch {
    return false;
  }
}
