import { createHash } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono, MiddlewareHandler } from 'hono';
import { sameSecret } from './app.ts';

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
export function basicAuth(credentials: AdminCredentials, realm = 'Herold'): MiddlewareHandler {
  const user = digest(credentials.user);
  const password = digest(credentials.password);
  return async (c, next) => {
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
      c.header('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
      c.header('Cache-Control', 'no-store');
      return c.text('Anmeldung erforderlich: HEROLD_ADMIN_USER und HEROLD_ADMIN_PASSWORD.', 401);
    }
    await next();
  };
}

/**
 * The bull-board queue dashboard at /admin/queues, behind basic auth. Not
 * mounted at all without credentials, so the path answers 404.
 */
export function mountDashboard(app: Hono, queue: Queue, credentials: AdminCredentials): void {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue)],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Herold' } },
  });
  const auth = basicAuth(credentials);
  app.use(DASHBOARD_PATH, auth);
  app.use(`${DASHBOARD_PATH}/*`, auth);
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
}
