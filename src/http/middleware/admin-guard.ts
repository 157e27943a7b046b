import type { MiddlewareHandler } from 'hono';
import { expectedOrigin, isSameOrigin } from '../auth/same-origin.ts';

export interface AdminGuardOptions {
  /** HEROLD_ADMIN_WRITE=on: bull-board may change jobs. Default off (read-only). */
  readonly write: boolean;
  /** HEROLD_PUBLIC_URL: the origin browsers use; else the request's own. */
  readonly publicUrl?: string | null;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards every request to the queue dashboard that could change something.
 * Read-only (the default): any other method is refused here, whatever
 * bull-board would do. With writes on: the request must come from the
 * dashboard's own page (Origin or Sec-Fetch-Site same-origin), and a body
 * must be declared JSON, so a cross-site form (text/plain, urlencoded,
 * multipart) riding on the browser's cached basic-auth credentials cannot
 * promote, add, retry, clean or remove jobs.
 */
export function adminGuard(options: AdminGuardOptions): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    if (!options.write) {
      return c.json({ error: 'The queue dashboard is read-only. Set HEROLD_ADMIN_WRITE=on to allow changes (see docs/security.md).' }, 405, { Allow: 'GET, HEAD' });
    }
    if (!isSameOrigin(c, options.publicUrl)) {
      return c.json({ error: `Changes to the queue are accepted only from the dashboard itself (Origin ${expectedOrigin(c, options.publicUrl)}).` }, 403);
    }
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const hasBody = c.req.header('content-length') !== undefined ? c.req.header('content-length') !== '0' : c.req.header('transfer-encoding') !== undefined;
    if (hasBody && type !== 'application/json') {
      return c.json({ error: 'Send the body as Content-Type: application/json.' }, 415);
    }
    return next();
  };
}
