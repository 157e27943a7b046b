/** What Herold needs from a Mastodon account; the masto adapter implements it. */
export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

export interface PostParams {
  readonly text: string;
  readonly visibility: Visibility;
  readonly language: string;
  readonly inReplyToId?: string | null;
  /**
   * Sent as the Idempotency-Key header: Mastodon returns the original status
   * for a repeat within about an hour instead of posting twice.
   */
  readonly idempotencyKey: string;
  /** Whose post: the schedule's toots ('toot', the default) may use the statuses an answer to a question ('reply') must leave them. */
  readonly use?: 'toot' | 'reply';
}

export interface PostedStatus {
  readonly id: string;
  readonly url: string | null;
}

/** What a POST would have created, to be found on the server after its answer was lost. */
export interface OwnStatusQuery {
  /** The text as sent (compared with the status's source, trimmed as Mastodon stores it). */
  readonly text: string;
  readonly inReplyToId: string | null;
  readonly visibility: Visibility;
  /** Epoch ms of the first attempt: older statuses are not looked at (with a minute of slack for clock skew). */
  readonly since: number;
  /** Statuses another toot already owns (two toots may read the same): never returned. */
  readonly isTaken?: (statusId: string) => Promise<boolean>;
}

/** What a pin request did. A full pin list is an error (MastodonRejectedError 422), not this. */
export type PinResult = 'pinned' | 'already-pinned';

export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Epoch ms when the window resets. */
  readonly resetAt: number;
}

/**
 * Errors: MastodonUnavailableError (retry later), MastodonRateLimitedError
 * (retry after `retryAt`), MastodonRejectedError (retrying cannot help).
 */
export interface MastodonAccount {
  /** "primary" or "fallback", for logs and state. */
  readonly role: AccountRole;
  post(params: PostParams): Promise<PostedStatus>;
  edit(id: string, text: string, language: string): Promise<void>;
  /** Fails with PinLimitError when the account has no free pin slot. */
  pin(id: string): Promise<PinResult>;
  /** Pin slots still free (Mastodon allows 5 per local account); for `herold doctor`. */
  freePinSlots(): Promise<number>;
  /**
   * The account's own status that a POST with these parameters created, or
   * null when the server shows none: looks at the context of the status it
   * answers (for a reply) and at the account's own recent statuses (direct
   * ones included). Needs the read:statuses scope.
   */
  findOwnStatus(query: OwnStatusQuery): Promise<PostedStatus | null>;
  unpin(id: string): Promise<void>;
  /** Favourites a status; a repeat changes nothing (Mastodon keeps one favourite per account and status). Needs write:favourites. */
  favourite(id: string): Promise<void>;
  /** The account's `acct`; fails with MastodonRejectedError on a bad token. */
  verify(): Promise<{ id: string; acct: string }>;
  /** configuration.statuses.max_characters from /api/v2/instance. */
  characterLimit(): Promise<number>;
  /** The last rate-limit headers seen, if any. */
  readonly rateLimit: RateLimitState | null;
}

/** Herold speaks as the primary account, and as a fallback account on another instance while the primary is down. */
export type AccountRole = 'primary' | 'fallback';
