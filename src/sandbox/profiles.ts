/**
 * Mastodon version profiles: what differs between the releases admins run,
 * as far as Herold and the clients it is checked with can see. Every entry
 * names the Mastodon source it was read from; docs/mastodon-versions.md has
 * the full table.
 */
import { SandboxError } from './api-error.ts';

export const MASTODON_VERSIONS = ['4.0', '4.3', '4.5', '4.6'] as const;
export type MastodonVersion = (typeof MASTODON_VERSIONS)[number];

/** The newest profile; the default. */
export const NEWEST_MASTODON_VERSION: MastodonVersion = '4.6';

export interface MastodonProfile {
  readonly name: MastodonVersion;
  /** What /api/v1/instance and /api/v2/instance report. */
  readonly version: string;
  /**
   * What a repeated Idempotency-Key (within its TTL, original still there) answers:
   * 'original' returns the first status (≤ 4.5); 'server-error' is the 4.6 HTTP 500.
   */
  readonly repeatedIdempotencyKey: 'original' | 'server-error';
  /**
   * 4.6 takes a Redis lock per key around the post (#37879): a second request
   * with the key while the first is still committing gets 503. Before, both post.
   */
  readonly idempotencyLock: boolean;
  /** Notification policies (filtering, /api/v1|v2/notifications/policy) came with 4.3. */
  readonly notificationPolicy: boolean;
  /** `api_versions` in /api/v2/instance came with 4.3.0. */
  readonly apiVersions: boolean;
  /** Notifications carry `group_key` since 4.3.0. */
  readonly notificationGroupKey: boolean;
  /**
   * 4.4.0 added `configuration.urls.about/privacy_policy/terms_of_service` (#33849),
   * `registrations.reason_required` (#34280), `media_attachments.description_limit`
   * (#33153) to /api/v2/instance and `source.attribution_domains` (#32730).
   */
  readonly instanceFields44: boolean;
}

const PROFILES: Readonly<Record<MastodonVersion, MastodonProfile>> = {
  '4.0': {
    name: '4.0',
    version: '4.0.2',
    repeatedIdempotencyKey: 'original',
    idempotencyLock: false,
    notificationPolicy: false,
    apiVersions: false,
    notificationGroupKey: false,
    instanceFields44: false,
  },
  '4.3': {
    name: '4.3',
    version: '4.3.0',
    repeatedIdempotencyKey: 'original',
    idempotencyLock: false,
    notificationPolicy: true,
    apiVersions: true,
    notificationGroupKey: true,
    instanceFields44: false,
  },
  '4.5': {
    name: '4.5',
    version: '4.5.11',
    repeatedIdempotencyKey: 'original',
    idempotencyLock: false,
    notificationPolicy: true,
    apiVersions: true,
    notificationGroupKey: true,
    instanceFields44: true,
  },
  '4.6': {
    name: '4.6',
    version: '4.6.6',
    repeatedIdempotencyKey: 'server-error',
    idempotencyLock: true,
    notificationPolicy: true,
    apiVersions: true,
    notificationGroupKey: true,
    instanceFields44: true,
  },
};

export function isMastodonVersion(value: string): value is MastodonVersion {
  return (MASTODON_VERSIONS as readonly string[]).includes(value);
}

export function mastodonProfile(version: string = NEWEST_MASTODON_VERSION): MastodonProfile {
  if (!isMastodonVersion(version)) {
    throw new SandboxError(
      `There is no sandbox profile for Mastodon "${version}"; use one of ${MASTODON_VERSIONS.join(', ')}.`,
    );
  }
  return PROFILES[version];
}
