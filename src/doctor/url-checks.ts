import { warn, type CheckResult } from './check.ts';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * MASTODON_URL (or FALLBACK_MASTODON_URL) as Herold will use it: the access
 * token goes with every request, so plain http:// is only fine on this
 * machine; and the API paths are appended to the URL, so a path in it
 * (https://wien.rocks/web) points every request at the wrong place.
 */
export function instanceUrlChecks(variable: string, value: string): CheckResult[] {
  const check = variable === 'MASTODON_URL' ? 'mastodon-url' : 'fallback-url';
  const results: CheckResult[] = [];
  const url = new URL(value);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    results.push(
      warn(check, `${variable} uses plain http:// to ${url.host}: the access token and every toot travel unencrypted and can be read or changed on the way.`, `Use https://${url.host}.`),
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    results.push(
      warn(check, `${variable} has a path (${url.pathname}${url.search}${url.hash}); Herold appends /api/v1/… to it, so requests would miss the API.`, `Set it to the instance's address only, like ${url.protocol}//${url.host}.`),
    );
  }
  return results;
}
