import type { Context } from 'hono';

/**
 * Whether a request was sent by a page of this very site: its Origin is ours
 * (HEROLD_PUBLIC_URL when set, else the request's own), or, where a browser
 * sends no Origin, Sec-Fetch-Site says same-origin. A request with neither
 * is not from a page of ours.
 */
export function isSameOrigin(c: Context, publicUrl: string | null | undefined): boolean {
  const expected = expectedOrigin(c, publicUrl);
  const origin = c.req.header('origin');
  return origin ? origin === expected : c.req.header('sec-fetch-site') === 'same-origin';
}

/** The origin browsers use for Herold's pages. */
export function expectedOrigin(c: Context, publicUrl: string | null | undefined): string {
  return publicUrl ? new URL(publicUrl).origin : new URL(c.req.url).origin;
}
