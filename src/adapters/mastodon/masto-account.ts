import type { mastodon } from 'masto';
import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError, PinLimitError } from '../../errors.ts';
import type { MastodonAccount, OwnStatusQuery, PinResult, PostedStatus, PostParams, RateLimitState } from '../../core/ports/mastodon-account.ts';
import { findOwnStatus, PIN_LIMIT } from './own-status-lookup.ts';
import { unseenPostOutcome } from './unseen-post-outcome.ts';
import type { RequestCost } from '../../core/rate-budget.ts';
import type { RequestGate } from './request-gate.ts';
import { InstanceCalls, type RawRequest } from './instance-calls.ts';
import { createMastoClient } from './masto-client.ts';

export interface MastoAccountOptions {
  readonly url: string;
  readonly accessToken: string;
  readonly role: 'primary' | 'fallback';
  readonly timeoutMs?: number;
  /** Told about every rate-limit reading, so the queue can pause before a 429. */
  readonly onRateLimit?: (state: RateLimitState) => void;
  /** The account's shared rate budget (Redis); every request asks it first. */
  readonly gate?: RequestGate;
}

/** What a plain request costs: one from the per-token and per-account budgets. */
const READ: RequestCost = { use: 'read' };

/**
 * Posting and editing through masto. Every call goes through `call`
 * (InstanceCalls): the rate gate, the rate-limit headers, and masto's errors
 * as Herold's three kinds.
 */
export class MastoAccount implements MastodonAccount {
  readonly role: 'primary' | 'fallback';
  private readonly client: mastodon.rest.Client;
  private readonly calls: InstanceCalls;

  constructor(private readonly options: MastoAccountOptions) {
    this.role = options.role;
    this.client = createMastoClient({ url: options.url, accessToken: options.accessToken, timeoutMs: options.timeoutMs ?? 15_000 });
    this.calls = new InstanceCalls({
      where: `${options.role} instance ${options.url}`,
      scopeHint: 'Herold needs write:statuses, write:accounts (for pinning), read:statuses (to look for a toot whose answer was lost) and read:notifications',
      gate: options.gate,
      onRateLimit: options.onRateLimit,
    });
  }

  /** The last rate-limit reading of this account's requests (metrics). */
  get rateLimit(): RateLimitState | null {
    return this.calls.lastReading;
  }

  /**
   * https://docs.joinmastodon.org/methods/statuses/#create — an answer Herold
   * did not see becomes a PostOutcomeUnknownError ("maybe posted").
   */
  async post(params: PostParams): Promise<PostedStatus> {
    try {
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
        { use: params.use ?? 'toot', status: true },
      );
      return { id: status.id, url: status.url ?? status.uri ?? null };
    } catch (error) {
      throw error instanceof MastodonUnavailableError ? unseenPostOutcome(error) : error;
    }
  }

  /** https://docs.joinmastodon.org/methods/accounts/#statuses and https://docs.joinmastodon.org/methods/statuses/#context */
  async findOwnStatus(query: OwnStatusQuery): Promise<PostedStatus | null> {
    const { id } = await this.ownAccount();
    return findOwnStatus(query, {
      ownId: id,
      recent: (maxId) =>
        this.call('look for a status it may have posted', () =>
          // A Paginator is only PromiseLike; one page is all we want.
          Promise.resolve(this.client.v1.accounts.$select(id).statuses.list.$raw({ limit: 40, ...(maxId ? { maxId } : {}) })),
          // A page with max_id counts against the paging budget too.
          { use: 'read', paging: Boolean(maxId) },
        ),
      descendants: async (statusId) => {
        try {
          return (await this.call('read the thread of a status', () => this.client.v1.statuses.$select(statusId).context.fetch.$raw())).descendants;
        } catch (error) {
          // The status answered was deleted (or is not visible): no reply of ours can be found under it.
          if (error instanceof MastodonRejectedError && error.status === 404) return [];
          throw error;
        }
      },
      source: async (statusId) => (await this.call('read the source of a status', () => this.client.v1.statuses.$select(statusId).source.fetch.$raw())).text,
    });
  }

  /** https://docs.joinmastodon.org/methods/accounts/#statuses with pinned=true */
  async freePinSlots(): Promise<number> {
    const { id } = await this.ownAccount();
    const pinned = await this.call('list its pinned statuses', () =>
      Promise.resolve(this.client.v1.accounts.$select(id).statuses.list.$raw({ pinned: true, limit: 40 })),
    );
    return Math.max(0, PIN_LIMIT - pinned.length);
  }

  private ownId: Promise<{ id: string; acct: string }> | null = null;

  /** The account's id, read once per process (verify_credentials). */
  private ownAccount(): Promise<{ id: string; acct: string }> {
    this.ownId ??= this.verify().catch((error: unknown) => {
      this.ownId = null;
      throw error;
    });
    return this.ownId;
  }

  /** https://docs.joinmastodon.org/methods/statuses/#edit — every field is resent, a missing one would be cleared. */
  async edit(id: string, text: string, language: string): Promise<void> {
    await this.call('edit a status', () =>
      this.client.v1.statuses.$select(id).update.$raw({ status: text, language, spoilerText: '', sensitive: false }),
      { use: 'edit', status: true },
    );
  }

  /**
   * https://docs.joinmastodon.org/methods/statuses/#pin — Mastodon answers 422
   * both for a status already pinned ("Duplicate record", the unique index)
   * and for a full pin list ("You have already pinned the maximum number of
   * posts", StatusPinValidator); only the first is what we wanted.
   */
  async pin(id: string): Promise<PinResult> {
    try {
      await this.call('pin a status', () => this.client.v1.statuses.$select(id).pin.$raw(), { use: 'toot' });
      return 'pinned';
    } catch (error) {
      if (error instanceof MastodonRejectedError && error.status === 422) {
        if (/maximum number/i.test(error.message)) {
          throw new PinLimitError(
            422,
            `The ${this.role} account already has ${PIN_LIMIT} pinned posts, the most Mastodon allows, so the progress toot is not pinned. Unpin one of them (herold doctor checks this before the day).`,
            { cause: error },
          );
        }
        // Already pinned (a retry after a crash): that is what we wanted.
        return 'already-pinned';
      }
      throw error;
    }
  }

  /** https://docs.joinmastodon.org/methods/statuses/#unpin */
  async unpin(id: string): Promise<void> {
    await this.call('unpin a status', () => this.client.v1.statuses.$select(id).unpin.$raw(), { use: 'toot' });
  }

  /** https://docs.joinmastodon.org/methods/statuses/#favourite: FavouriteService returns the existing favourite on a repeat. */
  async favourite(id: string): Promise<void> {
    await this.call('favourite a status', () => this.client.v1.statuses.$select(id).favourite.$raw(), { use: 'reply' });
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

  private async call<T>(what: string, request: RawRequest<T>, cost: RequestCost = READ): Promise<T> {
    const limit = this.calls.lastReading;
    // No shared budget (a process without Redis): the last reading of this client decides.
    if (!this.calls.gated && limit && limit.remaining <= 0 && limit.resetAt > Date.now()) {
      throw new MastodonRateLimitedError(
        limit.resetAt,
        `The ${this.role} instance ${this.options.url} has no requests left for us before ${new Date(limit.resetAt).toISOString()}; waiting to ${what} until then.`,
      );
    }
    return this.calls.call(what, request, cost);
  }
}
