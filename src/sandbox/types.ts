/** Public types of the sandbox Mastodon server. */

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

export type PolicyValue = 'accept' | 'filter' | 'drop';

/** Mastodon 4.3+ notification policy (the v2 API), in camelCase. */
export interface NotificationPolicySettings {
  forNotFollowing: PolicyValue;
  forNotFollowers: PolicyValue;
  forNewAccounts: PolicyValue;
  forPrivateMentions: PolicyValue;
  forLimitedAccounts: PolicyValue;
}

export interface NotificationPolicySnapshot extends NotificationPolicySettings {
  /** Filtered notifications that are waiting in notification requests. */
  pendingNotificationsCount: number;
  /** Distinct accounts with filtered notifications. */
  pendingRequestsCount: number;
}

export type OutageMode = 'none' | 'refuse' | 'html502' | 'slow';

/** A fault that hits single writes to statuses; see faults.ts. `times` limits how many requests it hits (default: all until cleared). */
export type SandboxFault =
  | { readonly kind: 'slow-commit'; readonly delayMs: number; readonly times?: number; readonly firstPerKey?: boolean }
  | { readonly kind: 'lost-answer'; readonly times?: number; readonly firstPerKey?: boolean };

/** The account's login state: 'pending' (not approved yet) and 'unconfirmed' (e-mail not confirmed) get 403 on every authenticated API call. */
export type AccountState = 'active' | 'pending' | 'unconfirmed';

/** The old single-bucket form: sets the per-token (and per-IP) bucket only. */
export interface RateLimitConfig {
  limit: number;
  windowMs: number;
}

/** Mastodon's buckets; see rate-limiter.ts for what each counts. */
export type RateLimitBucket = 'account' | 'token' | 'ip' | 'media' | 'paging' | 'deletes' | 'statuses';

export interface RateLimitBucketConfig {
  limit: number;
  periodMs: number;
}

export interface RateLimitSettings {
  /** Divides every period (1000: the 3 h statuses window lasts 10.8 s); default 1. */
  scale?: number;
  /** Overrides of single buckets (periods before scaling). */
  buckets?: Partial<Record<RateLimitBucket, Partial<RateLimitBucketConfig>>>;
}

export interface SandboxAccountSeed {
  username: string;
  /** Access token for this account; default: a random one. Accounts without a token cannot use the API. */
  token?: string;
  /** OAuth scopes of the token; default ['read', 'write']. */
  scopes?: string[];
  bot?: boolean;
  displayName?: string;
  /** Login state; default 'active'. */
  state?: AccountState;
  /** Account creation time; default one year before start. Newer than 30 days counts as a "new account" for the notification policy. */
  createdAt?: Date | string;
}

export interface SandboxOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Instance domain used in URIs, URLs and accts; default 'wien.rocks'. */
  domain?: string;
  /** configuration.statuses.max_characters; default 500. */
  maxCharacters?: number;
  /** Which Mastodon release to behave like: '4.0', '4.3', '4.5' or '4.6' (default, the newest). See profiles.ts. */
  mastodonVersion?: string;
  /** Instance version string to report instead of the profile's (e.g. '3.4.0' for doctor tests); behaviour stays the profile's. */
  version?: string;
  /**
   * Mastodon's buckets (default: as Mastodon has them); `{scale, buckets}` scales or
   * changes them; the old `{limit, windowMs}` sets the per-token/per-IP bucket only;
   * null switches limiting off (headers still sent, with limit 1,000,000).
   */
  rateLimit?: RateLimitSettings | RateLimitConfig | null;
  /** Default: the bot account 'b2c' with token 'sandbox-token' and scopes ['read', 'write']. */
  accounts?: SandboxAccountSeed[];
  /**
   * Notification policy of every account. A single value applies to all five
   * settings; an object overrides single settings of Mastodon's defaults
   * (accept, accept, accept, filter private mentions, filter limited accounts).
   */
  notificationPolicy?: PolicyValue | Partial<NotificationPolicySettings>;
  /** How long an Idempotency-Key is remembered; default one hour like Mastodon. */
  idempotencyTtlMs?: number;
  /** Public statuses the first account has pinned already at start (0 to 5); default 0. */
  pins?: number;
  /** A fault in force from the start; change it with setFault(). */
  fault?: SandboxFault | null;
  /** Time source in epoch milliseconds, for tests that move time; default Date.now. */
  clock?: () => number;
  /**
   * First notification id; default 99990 so ids cross a digit boundary after
   * ten notifications and string comparison bugs show up in tests.
   */
  firstNotificationId?: number;
}

export interface SandboxAccount {
  readonly id: string;
  readonly username: string;
  readonly acct: string;
  readonly token: string | null;
  readonly scopes: readonly string[];
  readonly bot: boolean;
  readonly displayName: string;
  readonly createdAt: string;
}

/** One version of a status, as kept for its edit history. */
export interface StatusRevision {
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly createdAt: string;
}

export interface SandboxStatus {
  readonly id: string;
  readonly uri: string;
  readonly url: string;
  readonly accountId: string;
  readonly username: string;
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly visibility: Visibility;
  readonly language: string | null;
  readonly inReplyToId: string | null;
  readonly inReplyToAccountId: string | null;
  /** Usernames of the local accounts mentioned. */
  readonly mentions: readonly string[];
  readonly tags: readonly string[];
  readonly createdAt: string;
  readonly editedAt: string | null;
  /** Deleted statuses stay in the inspection list with this set. */
  readonly deletedAt: string | null;
  readonly pinned: boolean;
  /** Usernames of the accounts that favourited it, in order. */
  readonly favouritedBy: readonly string[];
  readonly idempotencyKey: string | null;
  readonly application: string;
  /** Every version, oldest first; the last one is the current text. */
  readonly history: readonly StatusRevision[];
}

export interface SandboxNotification {
  readonly id: string;
  readonly type: string;
  readonly recipient: string;
  readonly from: string;
  readonly statusId: string | null;
  readonly createdAt: string;
  /** Filtered by the recipient's notification policy: hidden from lists and streams. */
  readonly filtered: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters as sent (array keys keep their `[]`); repeated keys become arrays. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lower-cased header names; the Authorization value is redacted. */
  readonly headers: Readonly<Record<string, string>>;
  readonly idempotencyKey: string | null;
  /** Parsed request body (JSON, form or multipart), or null. */
  readonly body: unknown;
  /** Receipt time, epoch milliseconds from the sandbox clock. */
  readonly at: number;
  /** HTTP status sent back (101 for an accepted websocket upgrade). */
  readonly status: number;
  /** Outage mode in force when the request arrived. */
  readonly outage: OutageMode;
  /** The fault that hit this request, if any ('lost-answer' requests got no answer at all). */
  readonly fault: SandboxFault['kind'] | null;
  /** For a 429: the bucket that refused it and when that bucket's window ends (epoch ms); else null. */
  readonly refusedBy: { readonly bucket: string; readonly resetAt: number } | null;
}

export interface MentionOptions {
  visibility?: Visibility;
  inReplyToId?: string;
  /** Username mentioned; default the first seeded account ('b2c'). Prepended as `@name ` if the text lacks it. */
  to?: string;
  spoilerText?: string;
  language?: string;
}

export interface Sandbox {
  /** Base URL of the REST API, e.g. http://127.0.0.1:43123 */
  readonly url: string;
  /** Websocket base URL, as published in configuration.urls.streaming. */
  readonly streamingUrl: string;
  readonly domain: string;
  readonly port: number;
  close(): Promise<void>;
  /**
   * Changes the version string the instance reports (an upgrade check sees it change); behaviour stays
   * the profile's (setMastodonVersion switches that). null reports the profile's version again.
   */
  setVersion(version: string | null): void;
  setOutage(mode: OutageMode, opts?: { delayMs?: number }): Promise<void>;
  readonly outage: OutageMode;
  /** Replaces the rate limits (same forms as the option) and starts fresh windows. */
  setRateLimit(limit: RateLimitSettings | RateLimitConfig | null): void;
  /** The profile in force ('4.0', '4.3', '4.5', '4.6'). */
  readonly mastodonVersion: string;
  /** Switches the profile at runtime, like an upgrade during the maintenance; the data stays. */
  setMastodonVersion(version: string): void;
  /** Sets or clears (null) the fault that hits writes to statuses. */
  setFault(fault: SandboxFault | null): void;
  readonly fault: SandboxFault | null;
  /** Sets an account's login state (default: the first account). */
  setAccountState(state: AccountState, username?: string): void;
  /** Changes how long new Idempotency-Keys are remembered. */
  setIdempotencyTtl(ms: number): void;
  /** Posts `count` public statuses as the account (default: the first) and pins them, like pins made before Herold started. */
  addPins(count: number, username?: string): SandboxStatus[];

  statuses(): SandboxStatus[];
  status(id: string): SandboxStatus | undefined;
  /** Notifications of the account (default: the first one) in creation order, filtered ones included. */
  notifications(username?: string): SandboxNotification[];
  requests(): RecordedRequest[];
  clearRequests(): void;

  addAccount(seed: SandboxAccountSeed): SandboxAccount;
  account(username: string): SandboxAccount | undefined;
  /** `follower` follows `followee`; a 'follow' notification goes to `followee`. Counts for the notification policy at once. */
  follow(follower: string, followee: string): void;
  mention(from: string, text: string, opts?: MentionOptions): SandboxStatus;
  notificationPolicy(username?: string): NotificationPolicySnapshot;
  setNotificationPolicy(policy: Partial<NotificationPolicySettings>, username?: string): NotificationPolicySnapshot;
  /** Number of open streaming websockets. */
  streamCount(): number;
  /** Terminates all streaming websockets abruptly, like a dropped connection. */
  dropStreams(): void;
  /**
   * Resolves once a client of the account (default: the first one) has
   * subscribed to the stream (default 'user:notification'); rejects after
   * timeoutMs (default 5000). Mastodon never acknowledges a subscription, so
   * tests need this to know when pushed events will arrive.
   */
  waitForStream(opts?: { stream?: string; username?: string; timeoutMs?: number }): Promise<void>;
}
