/**
 * An in-memory Mastodon-compatible server for integration tests, benchmarks
 * and rehearsals. See README.md in this directory.
 */
export { startSandbox, DEFAULT_ACCOUNT } from './server.ts';
export { ApiError, InternalServerError, SandboxError } from './api-error.ts';
export { FAULT_KINDS } from './faults.ts';
export {
  isMastodonVersion,
  MASTODON_VERSIONS,
  type MastodonProfile,
  type MastodonVersion,
  mastodonProfile,
  NEWEST_MASTODON_VERSION,
} from './profiles.ts';
export { MASTODON_500_PAGE } from './rails-exceptions.ts';
export { DEFAULT_RATE_LIMITS, RATE_LIMIT_BUCKETS } from './rate-limiter.ts';
export { countableLength, renderContent, URL_PLACEHOLDER_CHARS } from './text.ts';
export { compareIds } from './ids.ts';
export { DEFAULT_POLICY } from './store.ts';
export { NGINX_502_PAGE, DEFAULT_SLOW_DELAY_MS } from './outage.ts';
export type * from './types.ts';
