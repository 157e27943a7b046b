import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { clientIp } from '../auth/client-ip.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { sameSecret } from '../auth/same-secret.ts';

export interface AdminCredentials {
  readonly user: string;
  readonly password: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * HTTP basic auth. Both parts are hashed before the constant-time
 * comparison, so neither their content nor their length leaks through timing.
 */
export interface BasicAuthOptions {
  readonly realm?: string;
  /** Failed logins per client address; default: 10 per 15 min. */
  readonly throttle?: LoginThrottle;
  readonly trustProxy?: boolean;
  /** Each failed login is logged here (address and user name, never the password). */
  readonly log?: Logger;
  /** What the log calls the protected part; default "the queue dashboard". */
  readonly area?: string;
}

export function basicAuth(credentials: AdminCredentials, options: BasicAuthOptions = {}): MiddlewareHandler {
  const user = digest(credentials.user);
  const password = digest(credentials.password);
  const realm = options.realm ?? 'Herold';
  const throttle = options.throttle ?? new LoginThrottle();
  return async (c, next) => {
    const ip = clientIp(c, options.trustProxy ?? false);
    const wait = throttle.blockedFor(ip);
    if (wait > 0) {
      return c.text(`Zu viele falsche Anmeldungen. Bitte in ${Math.ceil(wait / 60)} Minute(n) noch einmal versuchen.`, 429, { 'Retry-After': String(wait), 'Cache-Control': 'no-store' });
    }
    const header = c.req.header('authorization') ?? '';
    let given = '';
    if (/^basic /i.test(header)) {
      try {
        given = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      } catch {
        given = '';
      }
    }
    const colon = given.indexOf(':');
    const userOk = sameSecret(digest(colon >= 0 ? given.slice(0, colon) : ''), user);
    const passwordOk = sameSecret(digest(colon >= 0 ? given.slice(colon + 1) : ''), password);
    if (colon < 0 || !userOk || !passwordOk) {
      // A browser's first request carries no credentials: that is a prompt, not a failed login.
      if (header !== '') {
        const failures = throttle.fail(ip);
        const name = colon >= 0 ? given.slice(0, colon).replace(/[^\x20-\x7e]/g, '?').slice(0, 64) : null;
        options.log?.warn({ ip, user: name, path: c.req.path, failures }, `Failed login to ${options.area ?? 'the queue dashboard'}.`);
      }
      c.header('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      c.header('Cache-Control', 'no-store');
      return c.text('Anmeldung erforderlich: HEROLD_ADMIN_USER und HEROLD_ADMIN_PASSWORD.', 401);
    }
    throttle.succeed(ip);
    await next();
  };
}
