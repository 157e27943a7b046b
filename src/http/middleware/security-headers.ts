import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { DASHBOARD_PATH } from '../paths.ts';

/** For anything that is not one of our HTML pages (JSON, Atom, metrics, plain text): nothing may run or load. */
export const LOCKED_DOWN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The same security headers on every response, JSON, the feed, /metrics,
 * the probes and errors included: no MIME sniffing, no framing, no
 * referrer. A handler's own header wins (the status pages set their CSP
 * with the hashes of their inline CSS and script). HSTS is the TLS
 * terminator's job (see docs/security.md). The bull-board UI brings its own
 * scripts, so it gets everything but the CSP.
 */
export function securityHeaders(): MiddlewareHandler {
  const common = secureHeaders({
    overwrite: false,
    xFrameOptions: 'DENY',
    strictTransportSecurity: false,
    // The JSON API and live updates are meant to be read from other origins (CORS *).
    crossOriginResourcePolicy: false,
  });
  return async (c, next) => {
    await common(c, next);
    if (!c.res.headers.has('Content-Security-Policy') && !c.req.path.startsWith(DASHBOARD_PATH)) {
      c.res.headers.set('Content-Security-Policy', LOCKED_DOWN_CSP);
    }
  };
}
