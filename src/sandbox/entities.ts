/**
 * JSON renderings of the store's records, shaped like Mastodon 4.3's
 * REST serializers (snake_case, the same optional attributes present or
 * absent under the same conditions), so that they validate against the
 * OpenAPI schema and so masto's camelCase conversion sees what it would see
 * from a real server.
 */
import type { AccountRecord, NotificationRecord, StatusRecord, Store } from './store.ts';
import { renderContent } from './text.ts';
import type { Visibility } from './types.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface EntityConfig {
  readonly domain: string;
  /** Reported instead of the profile's version string, if set. */
  readonly version: string | undefined;
  readonly maxCharacters: number;
  /** ws:// base URL published as configuration.urls.streaming. */
  readonly streamingUrl: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Mastodon publishes account creation dates rounded down to midnight UTC. */
const midnight = (ms: number): string => iso(ms - (ms % 86_400_000));

export class Entities {
  constructor(
    private readonly store: Store,
    private config: EntityConfig,
  ) {}

  private get version(): string {
    return this.config.version ?? this.store.profile.version;
  }

  /** The version string /api/v1/instance and /api/v2/instance report from now on; null: the profile's again. */
  setVersion(version: string | null): void {
    this.config = { ...this.config, version: version ?? undefined };
  }

  profileUrl(account: AccountRecord): string {
    return `https://${this.config.domain}/@${account.username}`;
  }

  statusUri(status: StatusRecord): string {
    const author = this.store.accountById(status.accountId);
    return `https://${this.config.domain}/users/${author?.username ?? 'unknown'}/statuses/${status.id}`;
  }

  statusUrl(status: StatusRecord): string {
    const author = this.store.accountById(status.accountId);
    return `https://${this.config.domain}/@${author?.username ?? 'unknown'}/${status.id}`;
  }

  account(account: AccountRecord): JsonObject {
    const base = `https://${this.config.domain}`;
    const statuses = this.store.liveStatuses(account);
    const last = statuses.at(-1);
    return {
      id: account.id,
      username: account.username,
      acct: account.username,
      display_name: account.displayName,
      locked: false,
      bot: account.bot,
      discoverable: true,
      indexable: false,
      group: false,
      created_at: midnight(account.createdAt),
      note: '',
      url: this.profileUrl(account),
      uri: `${base}/users/${account.username}`,
      avatar: `${base}/avatars/original/missing.png`,
      avatar_static: `${base}/avatars/original/missing.png`,
      header: `${base}/headers/original/missing.png`,
      header_static: `${base}/headers/original/missing.png`,
      followers_count: this.store.followersCount(account),
      following_count: this.store.followingCount(account),
      statuses_count: statuses.length,
      last_status_at: last ? iso(last.createdAt).slice(0, 10) : null,
      hide_collections: false,
      noindex: false,
      emojis: [],
      roles: [],
      fields: [],
    };
  }

  credentialAccount(account: AccountRecord): JsonObject {
    const json: JsonObject = {
      ...this.account(account),
      source: {
        privacy: 'public',
        sensitive: false,
        language: null,
        note: '',
        fields: [],
        follow_requests_count: 0,
        hide_collections: false,
        discoverable: true,
        indexable: false,
      },
      // The "everyone" role every plain user has.
      role: { id: '-99', name: '', permissions: '65536', color: '', highlighted: false },
    };
    if (this.store.profile.instanceFields44) (json.source as JsonObject).attribution_domains = [];
    return json;
  }

  private content(text: string): string {
    return renderContent(text, {
      domain: this.config.domain,
      resolveMention: (username, domain) => {
        const account = this.store.resolveMention(username, domain);
        return account ? { username: account.username, url: this.profileUrl(account) } : undefined;
      },
    });
  }

  private mentions(status: StatusRecord): Json[] {
    const result: Json[] = [];
    for (const id of status.mentionIds) {
      const account = this.store.accountById(id);
      if (!account) continue;
      result.push({ id: account.id, username: account.username, url: this.profileUrl(account), acct: account.username });
    }
    return result;
  }

  /** `viewer` decides the per-user attributes (favourited, pinned, ...), absent for anonymous requests. */
  status(status: StatusRecord, viewer: AccountRecord | null, options: { withSource?: boolean } = {}): JsonObject {
    const author = this.store.accountById(status.accountId);
    if (!author) throw new Error(`Status ${status.id} has no author; the sandbox store is inconsistent.`);
    const replies = this.store
      .allStatuses()
      .filter((s) => s.inReplyToId === status.id && s.deletedAt === null).length;
    const json: JsonObject = {
      id: status.id,
      created_at: iso(status.createdAt),
      in_reply_to_id: status.inReplyToId,
      in_reply_to_account_id: status.inReplyToAccountId,
      sensitive: status.sensitive,
      spoiler_text: status.spoilerText,
      visibility: status.visibility,
      language: status.language,
      uri: this.statusUri(status),
      url: this.statusUrl(status),
      replies_count: replies,
      reblogs_count: 0,
      favourites_count: status.favouritedBy.length,
      edited_at: status.editedAt === null ? null : iso(status.editedAt),
    };
    if (viewer !== null) {
      json.favourited = status.favouritedBy.includes(viewer.id);
      json.reblogged = false;
      json.muted = false;
      json.bookmarked = false;
      const pinnable: Visibility[] = ['public', 'unlisted', 'private'];
      if (viewer.id === status.accountId && pinnable.includes(status.visibility)) json.pinned = status.pinnedAt !== null;
    }
    if (options.withSource) json.text = status.text;
    json.content = this.content(status.text);
    if (viewer !== null) json.filtered = [];
    json.reblog = null;
    json.application = { name: status.application, website: null };
    json.account = this.account(author);
    json.media_attachments = [];
    json.mentions = this.mentions(status);
    json.tags = status.tags.map((name) => ({
      name,
      url: `https://${this.config.domain}/tags/${encodeURIComponent(name.toLowerCase())}`,
    }));
    json.emojis = [];
    json.card = null;
    json.poll = null;
    return json;
  }

  statusHistory(status: StatusRecord): JsonObject[] {
    const author = this.store.accountById(status.accountId);
    if (!author) return [];
    const account = this.account(author);
    return status.revisions.map((revision) => ({
      content: this.content(revision.text),
      spoiler_text: revision.spoilerText,
      sensitive: revision.sensitive,
      created_at: iso(revision.createdAt),
      account,
      media_attachments: [],
      emojis: [],
    }));
  }

  statusSource(status: StatusRecord): JsonObject {
    return { id: status.id, text: status.text, spoiler_text: status.spoilerText };
  }

  notification(notification: NotificationRecord, viewer: AccountRecord): JsonObject {
    const from = this.store.accountById(notification.fromAccountId);
    if (!from) throw new Error(`Notification ${notification.id} has no sender; the sandbox store is inconsistent.`);
    const json: JsonObject = {
      id: notification.id,
      type: notification.type,
      created_at: iso(notification.createdAt),
    };
    if (this.store.profile.notificationGroupKey) json.group_key = `ungrouped-${notification.id}`;
    if (notification.filtered) json.filtered = true;
    json.account = this.account(from);
    if (notification.statusId !== null) {
      const status = this.store.statusRecord(notification.statusId);
      if (status) json.status = this.status(status, viewer);
    }
    return json;
  }

  policyV2(account: AccountRecord): JsonObject {
    const summary = this.store.pendingSummary(account);
    return {
      for_not_following: account.policy.forNotFollowing,
      for_not_followers: account.policy.forNotFollowers,
      for_new_accounts: account.policy.forNewAccounts,
      for_private_mentions: account.policy.forPrivateMentions,
      for_limited_accounts: account.policy.forLimitedAccounts,
      summary: {
        pending_requests_count: summary.requests,
        pending_notifications_count: summary.notifications,
      },
    };
  }

  /** The 4.3 v1 view: a setting counts as "filter" unless it accepts. */
  policyV1(account: AccountRecord): JsonObject {
    const summary = this.store.pendingSummary(account);
    return {
      filter_not_following: account.policy.forNotFollowing !== 'accept',
      filter_not_followers: account.policy.forNotFollowers !== 'accept',
      filter_new_accounts: account.policy.forNewAccounts !== 'accept',
      filter_private_mentions: account.policy.forPrivateMentions !== 'accept',
      summary: {
        pending_requests_count: summary.requests,
        pending_notifications_count: summary.notifications,
      },
    };
  }

  private mediaConfiguration(): JsonObject {
    return {
      supported_mime_types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4'],
      image_size_limit: 16_777_216,
      image_matrix_limit: 33_177_600,
      video_size_limit: 103_809_024,
      video_frame_rate_limit: 120,
      video_matrix_limit: 8_294_400,
    };
  }

  private pollConfiguration(): JsonObject {
    return { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 };
  }

  instanceV2(): JsonObject {
    const { domain } = this.config;
    const fields44 = this.store.profile.instanceFields44;
    const json: JsonObject = {
      domain,
      title: domain,
      version: this.version,
      source_url: 'https://github.com/mastodon/mastodon',
      description: 'In-memory Mastodon sandbox for Herold tests and rehearsals.',
      usage: { users: { active_month: this.store.allAccounts().length } },
      thumbnail: { url: `https://${domain}/packs/media/images/preview.png` },
      icon: [{ src: `https://${domain}/packs/media/icons/android-chrome-36x36.png`, size: '36x36' }],
      languages: ['de', 'en'],
      configuration: {
        urls: {
          streaming: this.config.streamingUrl,
          status: null,
          ...(fields44 ? { about: `https://${domain}/about`, privacy_policy: `https://${domain}/privacy-policy`, terms_of_service: null } : {}),
        },
        vapid: { public_key: 'BPsandbox-not-a-real-vapid-key' },
        accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
        statuses: {
          max_characters: this.config.maxCharacters,
          max_media_attachments: 4,
          characters_reserved_per_url: 23,
        },
        media_attachments: { ...this.mediaConfiguration(), ...(fields44 ? { description_limit: 1500 } : {}) },
        polls: this.pollConfiguration(),
        translation: { enabled: false },
      },
      registrations: {
        enabled: false,
        approval_required: false,
        message: null,
        url: null,
        ...(fields44 ? { reason_required: false } : {}),
      },
      contact: { email: `admin@${domain}`, account: null },
      rules: [],
    };
    // Added in 4.3.0 with value 2.
    if (this.store.profile.apiVersions) json.api_versions = { mastodon: 2 };
    return json;
  }

  /** NodeInfo::Serializer with NodeInfo::Adapter's camelCase keys. */
  nodeInfo(): JsonObject {
    const users = this.store.allAccounts().length;
    return {
      version: '2.0',
      software: { name: 'mastodon', version: this.version },
      protocols: ['activitypub'],
      services: { outbound: [], inbound: [] },
      usage: {
        users: { total: users, activeMonth: users, activeHalfyear: users },
        localPosts: this.store.allStatuses().filter((s) => s.deletedAt === null).length,
      },
      openRegistrations: false,
      metadata: { nodeName: this.config.domain, nodeDescription: 'In-memory Mastodon sandbox.' },
    };
  }

  instanceV1(): JsonObject {
    const { domain } = this.config;
    return {
      uri: domain,
      title: domain,
      short_description: 'In-memory Mastodon sandbox.',
      description: 'In-memory Mastodon sandbox for Herold tests and rehearsals.',
      email: `admin@${domain}`,
      version: this.version,
      urls: { streaming_api: this.config.streamingUrl },
      stats: {
        user_count: this.store.allAccounts().length,
        status_count: this.store.allStatuses().filter((s) => s.deletedAt === null).length,
        domain_count: 0,
      },
      thumbnail: `https://${domain}/packs/media/images/preview.png`,
      languages: ['de', 'en'],
      registrations: false,
      approval_required: false,
      invites_enabled: false,
      configuration: {
        accounts: { max_featured_tags: 10 },
        statuses: {
          max_characters: this.config.maxCharacters,
          max_media_attachments: 4,
          characters_reserved_per_url: 23,
        },
        media_attachments: this.mediaConfiguration(),
        polls: this.pollConfiguration(),
      },
      contact_account: null,
      rules: [],
    };
  }
}
