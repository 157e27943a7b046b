import { createHash } from 'node:crypto';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export interface PagePolicyOptions {
  /** Our own inline CSS and script: the only ones allowed, by hash. */
  readonly css: string;
  readonly script: string;
  /** 'none' for read-only pages, 'self' where our own forms post. */
  readonly formAction: "'none'" | "'self'";
  /** no-cache for public pages, no-store for the operator's. */
  readonly cache: 'no-cache' | 'no-store';
  /**
   * no-referrer for public pages. Pages with forms need same-origin: under
   * no-referrer a browser sends "Origin: null" with a form post, and the
   * same-origin check could not tell our own forms from anyone's.
   */
  readonly referrer: 'no-referrer' | 'same-origin';
}

/**
 * The headers of our HTML pages: a Content-Security-Policy that allows
 * exactly our own inline CSS and script (by hash), our own origin for live
 * updates and nothing from elsewhere; no framing, no sniffing, no referrer.
 */
export function pageHeaders(options: PagePolicyOptions): Record<string, string> {
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(options.css)}`,
    `script-src ${sha256(options.script)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    `form-action ${options.formAction}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': options.referrer, 'Cache-Control': options.cache };
}
