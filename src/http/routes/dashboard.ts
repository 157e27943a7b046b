import { createBullBoard } from '@bull-board/api';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { QueueBoard } from '../../adapters/bullmq/queue-board.ts';
import { adminGuard } from '../middleware/admin-guard.ts';
import { basicAuth, type AdminCredentials } from '../middleware/basic-auth.ts';
import { DASHBOARD_PATH } from '../paths.ts';

export interface DashboardOptions {
  /** HEROLD_ADMIN_WRITE=on; default read-only. */
  readonly write?: boolean;
  readonly publicUrl?: string | null;
  readonly trustProxy?: boolean;
  readonly log?: Logger;
  /** Shared with the operator panel: wrong passwords count together. */
  readonly throttle?: LoginThrottle;
}

/**
 * The bull-board queue dashboard at /admin/queues, behind basic auth. Not
 * mounted at all without credentials, so the path answers 404. Read-only
 * unless `write`: then jobs may be promoted, retried, cleaned, removed and
 * added, but only from the dashboard's own origin (see admin-guard.ts).
 */
export function mountDashboard(app: Hono, board: QueueBoard, credentials: AdminCredentials, options: DashboardOptions = {}): void {
  const write = options.write ?? false;
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: board.adapters({ write }),
    serverAdapter,
    options: { uiConfig: { boardTitle: write ? 'Herold' : 'Herold (nur lesen)' } },
  });
  const auth = basicAuth(credentials, { trustProxy: options.trustProxy, log: options.log, throttle: options.throttle });
  const guard = adminGuard({ write, publicUrl: options.publicUrl });
  for (const path of [DASHBOARD_PATH, `${DASHBOARD_PATH}/*`]) app.use(path, auth, guard);
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
}
