import type { Context } from 'hono';

/**
 * Whether a request was sent by a page of this very site: its Origin is ours
 * (HEROLD_PUBLIC_URL when set, else the request's own), or, where a browser
 * sends no Origin (or "null"), Sec-Fetch-Site says same-origin. A request with neither
 * is not from a page of ours.
 */
export function isSameOrigin(c: Context, publicUrl: string | null | undefined): boolean {
  const expected = expectedOrigin(c, publicUrl);
  const origin = c.req.header('origin');
  // "null" is what a browser sends when it will not say (a privacy setting, a sandboxed frame): then only Sec-Fetch-Site, which no page can set, may vouch.
  return origin && origin !== 'null' ? origin === expected : c.req.header('sec-fetch-site') === 'same-origin';
}

/** The origin browsers use for Herold's pages. */
export function expectedOrigin(c: Context, publicUrl: string | null | undefined): string {
  return publicUrl ? new URL(publicUrl).origin : new URL(c.req.url).origin;
}
