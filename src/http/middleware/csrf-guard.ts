import type { Context, MiddlewareHandler } from 'hono';
import { expectedOrigin, isSameOrigin } from '../auth/same-origin.ts';
import { sameSecret } from '../auth/same-secret.ts';

export interface CsrfGuardOptions {
  /** The token every change must carry, as the form field `_csrf` or the header X-CSRF-Token. */
  readonly token: string;
  /** HEROLD_PUBLIC_URL: the origin browsers use; else the request's own. */
  readonly publicUrl?: string | null;
  /** The answer to a refused request (a short German page). */
  readonly refuse: (c: Context, reason: string) => Response | Promise<Response>;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_FIELD = '_csrf';

/**
 * Every change (any method but GET/HEAD/OPTIONS) must pass two checks: it
 * comes from a page of this site (Origin, or Sec-Fetch-Site), and it carries
 * the panel's token. Either alone is refused, so neither a cross-site form
 * riding on cached basic-auth credentials nor a same-site page without the
 * token can change anything.
 */
export function csrfGuard(options: CsrfGuardOptions): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    if (!isSameOrigin(c, options.publicUrl)) {
      return options.refuse(c, `Änderungen nimmt Herold nur von der eigenen Seite an (${expectedOrigin(c, options.publicUrl)}). Öffne das Panel direkt und versuch es dort noch einmal.`);
    }
    let given = c.req.header('x-csrf-token') ?? '';
    if (!given) {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const field = (await c.req.parseBody())[CSRF_FIELD];
        given = typeof field === 'string' ? field : '';
      }
    }
    if (!given || !sameSecret(given, options.token)) {
      return options.refuse(c, 'Das Formular ist veraltet oder kam nicht von dieser Seite (Sicherheits-Token fehlt oder stimmt nicht). Lade das Panel neu und versuch es noch einmal.');
    }
    await next();
  };
}
