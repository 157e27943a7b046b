import { createRestAPIClient, type mastodon } from 'masto';

export interface MastoClientOptions {
  readonly url: string;
  readonly accessToken: string;
  readonly timeoutMs: number;
}

/**
 * The masto REST client every adapter uses. It asks for JSON explicitly:
 * masto sends `Accept: *\/*`, and for that Rails renders its own errors
 * (a route a version lacks, such as the notification policy before 4.3, or
 * 4.6's HTTP 500 on a repeated Idempotency-Key) as HTML pages, which masto
 * cannot parse and throws as a bare TypeError, indistinguishable from a
 * network failure. With `Accept: application/json` they arrive as JSON and
 * become MastoHttpErrors with their status.
 */
export function createMastoClient(options: MastoClientOptions): mastodon.rest.Client {
  return createRestAPIClient({
    url: options.url,
    accessToken: options.accessToken,
    timeout: options.timeoutMs,
    requestInit: { headers: { Accept: 'application/json' } },
  });
}
