import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError } from '../../src/errors.ts';
import type { AccountRole, MastodonAccount, OwnStatusQuery, PinResult, PostedStatus, PostParams, RateLimitState } from '../../src/core/ports/mastodon-account.ts';

export type FailureKind = 'unavailable' | 'rate-limited' | 'rejected';

/**
 * A Mastodon account in memory for the use cases' unit tests: it keeps what
 * was posted, edited and pinned, and fails the next calls as told. The
 * integration tests use the real masto adapter against the sandbox.
 */
export class MemoryAccount implements MastodonAccount {
  readonly posts: (PostParams & { id: string })[] = [];
  readonly edits: { id: string; text: string }[] = [];
  readonly pinned = new Set<string>();
  readonly favourites: string[] = [];
  readonly rateLimit: RateLimitState | null = null;
  private failures: FailureKind[] = [];
  private nextId = 100;

  constructor(readonly role: AccountRole = 'primary') {}

  /** The next calls (post, edit, pin, favourite) fail with these kinds, in order. */
  failNext(...kinds: FailureKind[]) {
    this.failures.push(...kinds);
  }

  private maybeFail() {
    const kind = this.failures.shift();
    if (kind === 'unavailable') throw new MastodonUnavailableError('The instance did not answer (test).');
    if (kind === 'rate-limited') throw new MastodonRateLimitedError(Date.now() + 60_000, 'Rate limited (test).');
    if (kind === 'rejected') throw new MastodonRejectedError(422, 'Rejected (test).');
  }

  async post(params: PostParams): Promise<PostedStatus> {
    this.maybeFail();
    const id = String((this.nextId += 1));
    this.posts.push({ ...params, id });
    return { id, url: `https://example.test/@herold/${id}` };
  }

  async edit(id: string, text: string): Promise<void> {
    this.maybeFail();
    this.edits.push({ id, text });
  }

  async pin(id: string): Promise<PinResult> {
    this.maybeFail();
    if (this.pinned.has(id)) return 'already-pinned';
    this.pinned.add(id);
    return 'pinned';
  }

  async unpin(id: string): Promise<void> {
    this.pinned.delete(id);
  }

  async freePinSlots(): Promise<number> {
    return 5 - this.pinned.size;
  }

  async findOwnStatus(query: OwnStatusQuery): Promise<PostedStatus | null> {
    const found = this.posts.find((p) => p.text.trim() === query.text.trim() && (p.inReplyToId ?? null) === query.inReplyToId);
    return found ? { id: found.id, url: null } : null;
  }

  async favourite(id: string): Promise<void> {
    this.maybeFail();
    this.favourites.push(id);
  }

  async verify() {
    return { id: '1', acct: 'herold' };
  }

  async characterLimit(): Promise<number> {
    return 500;
  }
}
