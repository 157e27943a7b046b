import type { mastodon } from 'masto';
import type { IncomingNotification, NotificationPolicy } from '../../replies/types.ts';
import type { RateLimitState } from '../../core/ports/mastodon-account.ts';
import type { RequestCost } from '../../core/rate-budget.ts';
import type { RequestGate } from './request-gate.ts';
import { InstanceCalls, type RawRequest } from './instance-calls.ts';
import { createMastoClient } from './masto-client.ts';

export interface MastoNotificationsOptions {
  readonly url: string;
  readonly accessToken: string;
  readonly timeoutMs?: number;
  /** Told about every rate-limit reading: polls and posts share the account's limit. */
  readonly onRateLimit?: (state: RateLimitState) => void;
  /** The account's shared rate budget (Redis), the same one its posts and edits use. */
  readonly gate?: RequestGate;
}

/** Listening is a poll: it leaves a few requests for the schedule's toots. */
const POLL: RequestCost = { use: 'poll' };

/** Mastodon caps a notification page at 80 (twice the default of 40). */
export const MAX_PAGE = 80;

/**
 * The masto side of receiving questions over REST: who the bot is, where the
 * streaming server lives, the notification policy, and pages of mentions.
 * Errors become Herold's three kinds, like MastoAccount's.
 */
export class MastoNotifications {
  private readonly client: mastodon.rest.Client;
  private readonly calls: InstanceCalls;

  constructor(private readonly options: MastoNotificationsOptions) {
    this.client = createMastoClient({ url: options.url, accessToken: options.accessToken, timeoutMs: options.timeoutMs ?? 15_000 });
    this.calls = new InstanceCalls({
      where: `instance ${options.url}`,
      scopeHint: 'answering questions needs read:notifications (and write:notifications for --accept-dms)',
      gate: options.gate,
      onRateLimit: options.onRateLimit,
    });
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
    return toPolicy(await this.call('change the notification policy', () => this.client.v2.notifications.policy.update.$raw(changes), { use: 'write' }));
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
      // rack-attack counts any request with min_id or max_id against the paging budget.
      { use: 'poll', paging: page.minId !== undefined || page.maxId !== undefined },
    );
    return list.map(toIncoming);
  }

  /**
   * Mentions the notification policy holds back (Mastodon 4.3+: `include_filtered`, and `filtered: true` on
   * each). Herold never sees these while listening; `herold questions` lists them so a person can let them
   * through. A server before 4.3 has no filtering and answers an empty list here.
   */
  async filteredMentions(limit = 40): Promise<IncomingNotification[]> {
    const list = await this.call('list filtered notifications', async () =>
      this.client.v1.notifications.list.$raw({ types: ['mention'], limit, includeFiltered: true } as Parameters<typeof this.client.v1.notifications.list.$raw>[0]),
    );
    return list.filter((n) => (n as { filtered?: boolean }).filtered === true).map(toIncoming);
  }

  private call<T>(what: string, request: RawRequest<T>, cost: RequestCost = POLL): Promise<T> {
    return this.calls.call(what, request, cost);
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
