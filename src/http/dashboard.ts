import { createHash } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { adminGuard } from './admin-guard.ts';
import { sameSecret } from './app.ts';
import { clientIp } from './client-ip.ts';
import { LoginThrottle } from './login-throttle.ts';

export const DASHBOARD_PATH = '/admin/queues';

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
        options.log?.warn({ ip, user: name, path: c.req.path, failures }, 'Failed login to the queue dashboard.');
      }
      c.header('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      c.header('Cache-Control', 'no-store');
      return c.text('Anmeldung erforderlich: HEROLD_ADMIN_USER und HEROLD_ADMIN_PASSWORD.', 401);
    }
    throttle.succeed(ip);
    await next();
  };
}

export interface DashboardOptions {
  /** HEROLD_ADMIN_WRITE=on; default read-only. */
  readonly write?: boolean;
  readonly publicUrl?: string | null;
  readonly trustProxy?: boolean;
  readonly log?: Logger;
}

/**
 * The bull-board queue dashboard at /admin/queues, behind basic auth. Not
 * mounted at all without credentials, so the path answers 404. Read-only
 * unless `write`: then jobs may be promoted, retried, cleaned, removed and
 * added, but only from the dashboard's own origin (see admin-guard.ts).
 */
export function mountDashboard(app: Hono, queue: Queue, credentials: AdminCredentials, options: DashboardOptions = {}): void {
  const write = options.write ?? false;
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { readOnlyMode: !write, allowRetries: write })],
    serverAdapter,
    options: { uiConfig: { boardTitle: write ? 'Herold' : 'Herold (nur lesen)' } },
  });
  const auth = basicAuth(credentials, { trustProxy: options.trustProxy, log: options.log });
  const guard = adminGuard({ write, publicUrl: options.publicUrl });
  for (const path of [DASHBOARD_PATH, `${DASHBOARD_PATH}/*`]) app.use(path, auth, guard);
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
}
