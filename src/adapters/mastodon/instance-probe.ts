import { MastoHttpError, type mastodon } from 'masto';
import { createMastoClient } from './masto-client.ts';

/** The answer to one probe: the value, or why there is none (HTTP status, or null when nothing answered). */
export type Probe<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number | null; readonly message: string };

export interface InstanceFacts {
  readonly version: string;
  /** configuration.statuses.max_characters; null from /api/v1/instance without it. */
  readonly maxCharacters: number | null;
  /** Where the facts came from: /api/v2/instance, or /api/v1/instance on servers older than Mastodon 4.0. */
  readonly source: 'v2' | 'v1';
  /** The response's Date header, and our clock just before sending and after receiving. */
  readonly date: string | null;
  readonly sentAt: number;
  readonly receivedAt: number;
}

export interface InstanceProbeOptions {
  readonly url: string;
  readonly accessToken: string;
  readonly timeoutMs?: number;
}

/**
 * Read-only questions `herold doctor` asks an instance, with the raw answers
 * (status codes, headers) the engine's MastoAccount hides. Never writes.
 */
export class InstanceProbe {
  private readonly client: mastodon.rest.Client;

  constructor(options: InstanceProbeOptions) {
    this.client = createMastoClient({ url: options.url, accessToken: options.accessToken, timeoutMs: options.timeoutMs ?? 10_000 });
  }

  /** https://docs.joinmastodon.org/methods/accounts/#verify_credentials (needs read:accounts or profile) */
  account(): Promise<Probe<{ id: string; acct: string; bot: boolean }>> {
    return probe(async () => {
      const a = await this.client.v1.accounts.verifyCredentials();
      return { id: a.id, acct: a.acct, bot: a.bot };
    });
  }

  /** https://docs.joinmastodon.org/methods/instance/#v2, falling back to v1 on servers before 4.0. */
  async instance(): Promise<Probe<InstanceFacts>> {
    const sentAt = Date.now();
    const v2 = await probe(() => this.client.v2.instance.fetch.$raw());
    const receivedAt = Date.now();
    if (v2.ok) {
      const { data, headers } = v2.value;
      return { ok: true, value: { version: data.version, maxCharacters: data.configuration?.statuses?.maxCharacters ?? null, source: 'v2', date: headers.get('date'), sentAt, receivedAt } };
    }
    if (v2.status !== 404) return v2;
    const v1SentAt = Date.now();
    const v1 = await probe(() => this.client.v1.instance.fetch.$raw());
    const v1ReceivedAt = Date.now();
    if (!v1.ok) return v1;
    const { data, headers } = v1.value;
    return {
      ok: true,
      value: { version: data.version, maxCharacters: data.configuration?.statuses?.maxCharacters ?? null, source: 'v1', date: headers.get('date'), sentAt: v1SentAt, receivedAt: v1ReceivedAt },
    };
  }

  /** https://docs.joinmastodon.org/methods/accounts/#statuses with pinned=true (needs read:statuses when a token is sent). */
  pinnedCount(accountId: string): Promise<Probe<number>> {
    return probe(async () => (await this.client.v1.accounts.$select(accountId).statuses.list({ pinned: true, limit: 40 })).length);
  }

  /** GET /api/v1/notifications?limit=1: works only with read:notifications. */
  notifications(): Promise<Probe<number>> {
    return probe(async () => (await this.client.v1.notifications.list({ limit: 1 })).length);
  }

  /** https://docs.joinmastodon.org/methods/notifications/#get-policy (Mastodon 4.3+; 404 before). */
  notificationPolicy(): Promise<Probe<{ forPrivateMentions: string; forNotFollowing: string }>> {
    return probe(async () => {
      const p = await this.client.v2.notifications.policy.fetch();
      return { forPrivateMentions: p.forPrivateMentions, forNotFollowing: p.forNotFollowing };
    });
  }
}

async function probe<T>(request: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { ok: true, value: await request() };
  } catch (error) {
    if (error instanceof MastoHttpError) return { ok: false, status: error.statusCode, message: error.message };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, status: null, message: reason };
  }
}
