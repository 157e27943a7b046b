import { createRestAPIClient, MastoHttpError, type mastodon } from 'masto';
import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError } from '../errors.ts';
import type { IncomingNotification, NotificationPolicy } from '../replies/types.ts';
import type { RateLimitState } from './mastodon-account.ts';
import { parseReset, readRateLimit } from './rate-limit-headers.ts';

export interface MastoNotificationsOptions {
  readonly url: string;
  readonly accessToken: string;
  readonly timeoutMs?: number;
  /** Told about every rate-limit reading: polls and posts share the account's limit. */
  readonly onRateLimit?: (state: RateLimitState) => void;
}

/** Mastodon caps a notification page at 80 (twice the default of 40). */
export const MAX_PAGE = 80;

/**
 * The masto side of receiving questions over REST: who the bot is, where the
 * streaming server lives, the notification policy, and pages of mentions.
 * Errors become Herold's three kinds, like MastoAccount's.
 */
export class MastoNotifications {
  private readonly client: mastodon.rest.Client;

  constructor(private readonly options: MastoNotificationsOptions) {
    this.client = createRestAPIClient({ url: options.url, accessToken: options.accessToken, timeout: options.timeoutMs ?? 15_000 });
  }

  /** https://docs.joinmastodon.org/methods/accounts/#verify_credentials */
  async me(): Promise<{ id: string; acct: string; username: string }> {
    const account = await this.call('verify the access token', () => this.client.v1.accounts.verifyCredentials.$raw());
    return { id: account.id, acct: account.acct, username: account.username };
  }

  /** configuration.urls.streaming of https://docs.joinmastodon.org/methods/instance/#v2 */
  async streamingUrl(): Promise<string> {
    const instance = await this.call('read the instance', () => this.client.v2.instance.fetch.$raw());
    return instance.configuration?.urls?.streaming ?? this.options.url.replace(/^http/, 'ws');
  }

  /** https://docs.joinmastodon.org/methods/notifications/#get-policy (Mastodon 4.3+) */
  async policy(): Promise<NotificationPolicy> {
    return toPolicy(await this.call('read the notification policy', () => this.client.v2.notifications.policy.fetch.$raw()));
  }

  /** https://docs.joinmastodon.org/methods/notifications/#update-the-filtering-policy-for-notifications (needs write:notifications) */
  async updatePolicy(changes: { forNotFollowing?: 'accept'; forPrivateMentions?: 'accept' }): Promise<NotificationPolicy> {
    return toPolicy(await this.call('change the notification policy', () => this.client.v2.notifications.policy.update.$raw(changes)));
  }

  /**
   * One page of mention notifications, newest first, like the API returns it.
   * `minId`: the page right after that id (catching up); `maxId`: the page
   * before it (going back in time).
   */
  async mentions(page: { minId?: string; maxId?: string; limit?: number }): Promise<IncomingNotification[]> {
    const list = await this.call('list notifications', async () =>
      this.client.v1.notifications.list.$raw({
        types: ['mention'],
        limit: page.limit ?? MAX_PAGE,
        ...(page.minId !== undefined ? { minId: page.minId } : {}),
        ...(page.maxId !== undefined ? { maxId: page.maxId } : {}),
      }),
    );
    return list.map(toIncoming);
  }

  private async call<T>(what: string, request: () => Promise<{ headers: Headers; data: T }>): Promise<T> {
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
    if (state) this.options.onRateLimit?.(state);
  }

  private translate(what: string, error: unknown): Error {
    const where = `instance ${this.options.url}`;
    if (error instanceof MastoHttpError) {
      const response = error.cause instanceof Response ? error.cause : undefined;
      this.observe(response?.headers);
      const status = error.statusCode;
      if (status === 429) {
        const retryAt = parseReset(response?.headers.get('x-ratelimit-reset') ?? null);
        return new MastodonRateLimitedError(retryAt, `The ${where} rate-limited us while trying to ${what}; waiting until ${new Date(retryAt).toISOString()}.`);
      }
      if ([400, 401, 403, 404, 410, 422].includes(status)) {
        const hint =
          status === 401 || status === 403
            ? ' Check the access token and its scopes: answering questions needs read:notifications (and write:notifications for --accept-dms).'
            : '';
        return new MastodonRejectedError(status, `The ${where} refused to ${what} (HTTP ${status}): ${error.message}.${hint}`, { cause: error });
      }
      return new MastodonUnavailableError(`The ${where} answered HTTP ${status} while trying to ${what}.`, { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new MastodonUnavailableError(`The ${where} did not answer while trying to ${what} (${reason}).`, { cause: error });
  }
}

function toPolicy(policy: mastodon.v2.NotificationPolicy): NotificationPolicy {
  return {
    forNotFollowing: policy.forNotFollowing,
    forNotFollowers: policy.forNotFollowers,
    forNewAccounts: policy.forNewAccounts,
    forPrivateMentions: policy.forPrivateMentions,
    forLimitedAccounts: policy.forLimitedAccounts,
  };
}

/** masto's camelCase notification (REST or streaming payload) in Herold's terms. */
export function toIncoming(n: mastodon.v1.Notification): IncomingNotification {
  const status = 'status' in n ? n.status : undefined;
  return {
    id: n.id,
    type: n.type,
    createdAt: n.createdAt,
    account: { id: n.account.id, acct: n.account.acct, bot: Boolean(n.account.bot) },
    status: status
      ? {
          id: status.id,
          content: status.content ?? '',
          spoilerText: status.spoilerText ?? '',
          visibility: status.visibility,
          url: status.url ?? status.uri ?? null,
        }
      : null,
  };
}
