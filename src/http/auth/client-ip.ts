import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The address a request came from, for the per-IP caps and the login
 * throttle. Without `trustProxy` it is the TCP peer. Behind a reverse proxy
 * every peer is the proxy, so with `trustProxy` it is the last address the
 * proxy appended to X-Forwarded-For (the only one a client cannot forge);
 * set HEROLD_TRUST_PROXY=on only when a proxy always sets that header.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}
