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
}

export interface PostedStatus {
  readonly id: string;
  readonly url: string | null;
}

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
  readonly role: 'primary' | 'fallback';
  post(params: PostParams): Promise<PostedStatus>;
  edit(id: string, text: string, language: string): Promise<void>;
  pin(id: string): Promise<void>;
  unpin(id: string): Promise<void>;
  /** The account's `acct`; fails with MastodonRejectedError on a bad token. */
  verify(): Promise<{ id: string; acct: string }>;
  /** configuration.statuses.max_characters from /api/v2/instance. */
  characterLimit(): Promise<number>;
  /** The last rate-limit headers seen, if any. */
  readonly rateLimit: RateLimitState | null;
}
