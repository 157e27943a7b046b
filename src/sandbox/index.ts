/**
 * An in-memory Mastodon-compatible server for integration tests, benchmarks
 * and rehearsals. See README.md in this directory.
 */
export { startSandbox, DEFAULT_ACCOUNT } from './server.ts';
export { ApiError, SandboxError } from './api-error.ts';
export { countableLength, renderContent, URL_PLACEHOLDER_CHARS } from './text.ts';
export { compareIds } from './ids.ts';
export { DEFAULT_POLICY } from './store.ts';
export { NGINX_502_PAGE, DEFAULT_SLOW_DELAY_MS } from './outage.ts';
export type {
  MentionOptions,
  NotificationPolicySettings,
  NotificationPolicySnapshot,
  OutageMode,
  PolicyValue,
  RateLimitConfig,
  RecordedRequest,
  Sandbox,
  SandboxAccount,
  SandboxAccountSeed,
  SandboxNotification,
  SandboxOptions,
  SandboxStatus,
  StatusRevision,
  Visibility,
} from './types.ts';
