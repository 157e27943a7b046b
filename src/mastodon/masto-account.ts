import { createRestAPIClient, type mastodon } from 'masto';
import { MastodonRateLimitedError, MastodonRejectedError } from '../errors.ts';
import type { MastodonAccount, PostedStatus, PostParams, RateLimitState } from './mastodon-account.ts';
import { readRateLimit } from './rate-limit-headers.ts';
import { translateMastoError } from './translate-error.ts';

export interface MastoAccountOptions {
  readonly url: string;
  readonly accessToken: string;
  readonly role: 'primary' | 'fallback';
  readonly timeoutMs?: number;
  /** Told about every rate-limit reading, so the queue can pause before a 429. */
  readonly onRateLimit?: (state: RateLimitState) => void;
}

/**
 * The one place that knows masto. Every call goes through `call`, which reads
 * the rate-limit headers and turns masto's errors into Herold's three kinds.
 */
export class MastoAccount implements MastodonAccount {
  readonly role: 'primary' | 'fallback';
  rateLimit: RateLimitState | null = null;
  private readonly client: mastodon.rest.Client;

  constructor(private readonly options: MastoAccountOptions) {
    this.role = options.role;
    this.client = createRestAPIClient({
      url: options.url,
      accessToken: options.accessToken,
      timeout: options.timeoutMs ?? 15_000,
    });
  }

  /** https://docs.joinmastodon.org/methods/statuses/#create */
  async post(params: PostParams): Promise<PostedStatus> {
    const status = await this.call('post a status', () =>
      this.client.v1.statuses.create.$raw(
        {
          status: params.text,
          visibility: params.visibility,
          language: params.language,
          inReplyToId: params.inReplyToId ?? undefined,
        },
        { requestInit: { headers: { 'Idempotency-Key': params.idempotencyKey } } },
      ),
    );
    return { id: status.id, url: status.url ?? status.uri ?? null };
  }

  /** https://docs.joinmastodon.org/methods/statuses/#edit — every field is resent, a missing one would be cleared. */
  async edit(id: string, text: string, language: string): Promise<void> {
    await this.call('edit a status', () =>
      this.client.v1.statuses.$select(id).update.$raw({ status: text, language, spoilerText: '', sensitive: false }),
    );
  }

  /** https://docs.joinmastodon.org/methods/statuses/#pin */
  async pin(id: string): Promise<void> {
    try {
      await this.call('pin a status', () => this.client.v1.statuses.$select(id).pin.$raw());
    } catch (error) {
      // Already pinned (a retry after a crash): that is what we wanted.
      if (error instanceof MastodonRejectedError && error.status === 422) return;
      throw error;
    }
  }

  /** https://docs.joinmastodon.org/methods/statuses/#unpin */
  async unpin(id: string): Promise<void> {
    await this.call('unpin a status', () => this.client.v1.statuses.$select(id).unpin.$raw());
  }

  /** https://docs.joinmastodon.org/methods/accounts/#verify_credentials */
  async verify(): Promise<{ id: string; acct: string }> {
    const account = await this.call('verify the access token', () => this.client.v1.accounts.verifyCredentials.$raw());
    return { id: account.id, acct: account.acct };
  }

  /** https://docs.joinmastodon.org/methods/instance/#v2 */
  async characterLimit(): Promise<number> {
    const instance = await this.call('read the instance', () => this.client.v2.instance.fetch.$raw());
    return instance.configuration?.statuses?.maxCharacters ?? 500;
  }

  private async call<T>(what: string, request: () => Promise<{ headers: Headers; data: T }>): Promise<T> {
    // The instance said the budget is used up: wait for the reset instead of asking to be refused.
    const limit = this.rateLimit;
    if (limit && limit.remaining <= 0 && limit.resetAt > Date.now()) {
      throw new MastodonRateLimitedError(
        limit.resetAt,
        `The ${this.role} instance ${this.options.url} has no requests left for us before ${new Date(limit.resetAt).toISOString()}; waiting to ${what} until then.`,
      );
    }
    try {
      const response = await request();
      this.observe(response.headers);
      return response.data;
    } catch (error) {
      throw this.translate(what, error);
    }
  }

  private observe(headers: Headers | undefined) {
    const state = headers ? readRateLimit(headers) : null;
    if (!state) return;
    this.rateLimit = state;
    this.options.onRateLimit?.(state);
  }

  private translate(what: string, error: unknown): Error {
    return translateMastoError(error, {
      where: `${this.role} instance ${this.options.url}`,
      what,
      scopeHint: 'Herold needs write:statuses, write:accounts (for pinning) and read:notifications',
      observe: (headers) => this.observe(headers),
    });
  }

}
