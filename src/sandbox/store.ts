/**
 * The sandbox's whole state, in memory, and the Mastodon rules that change
 * it: posting, editing, pinning, idempotency keys, mentions and the
 * notification policy. HTTP and JSON shapes live elsewhere; this file only
 * knows records and throws ApiError with Mastodon's own messages.
 */
import { randomBytes } from 'node:crypto';
import { ApiError, InternalServerError, SandboxError } from './api-error.ts';
import { compareIds, SequenceIds, SnowflakeIds } from './ids.ts';
import type { MastodonProfile } from './profiles.ts';
import { countableLength, extractEntities } from './text.ts';
import type {
  AccountState,
  NotificationPolicySettings,
  PolicyValue,
  SandboxAccountSeed,
  Visibility,
} from './types.ts';

export const VISIBILITIES: readonly Visibility[] = ['public', 'unlisted', 'private', 'direct'];
const DAY_MS = 86_400_000;
/** StatusPinValidator refuses a sixth pin on local accounts. */
export const MAX_PINNED = 5;
/** NotifyService treats accounts younger than this as new. */
const NEW_ACCOUNT_MS = 30 * DAY_MS;
/** NotifyService follows a thread this far up looking for the recipient's own private mention. */
const THREAD_DEPTH_LIMIT = 100;

/** Mastodon's column defaults (migration AddNewNotificationPolicies): only private mentions and limited accounts are filtered. */
export const DEFAULT_POLICY: Readonly<NotificationPolicySettings> = {
  forNotFollowing: 'accept',
  forNotFollowers: 'accept',
  forNewAccounts: 'accept',
  forPrivateMentions: 'filter',
  forLimitedAccounts: 'filter',
};

export interface AccountRecord {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly bot: boolean;
  readonly createdAt: number;
  readonly token: string | null;
  readonly scopes: readonly string[];
  policy: NotificationPolicySettings;
  state: AccountState;
}

export interface RevisionRecord {
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly language: string | null;
  readonly createdAt: number;
}

export interface StatusRecord {
  readonly id: string;
  readonly accountId: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  readonly visibility: Visibility;
  language: string | null;
  readonly inReplyToId: string | null;
  readonly inReplyToAccountId: string | null;
  mentionIds: string[];
  tags: string[];
  readonly createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  pinnedAt: number | null;
  /** Accounts that favourited it, in order (Mastodon's favourites table: one row per account and status). */
  favouritedBy: string[];
  readonly idempotencyKey: string | null;
  readonly application: string;
  /** All versions, oldest first; the last one mirrors the current fields. */
  readonly revisions: RevisionRecord[];
}

export type NotificationType = 'mention' | 'follow' | 'favourite';

export interface NotificationRecord {
  readonly id: string;
  readonly recipientId: string;
  readonly type: NotificationType;
  readonly fromAccountId: string;
  readonly statusId: string | null;
  readonly createdAt: number;
  readonly filtered: boolean;
}

export type StoreEvent =
  | { readonly type: 'notification'; readonly notification: NotificationRecord }
  | { readonly type: 'status.created'; readonly status: StatusRecord }
  | { readonly type: 'status.updated'; readonly status: StatusRecord }
  | { readonly type: 'status.deleted'; readonly status: StatusRecord };

export interface NewStatusParams {
  readonly text?: string | undefined;
  readonly spoilerText?: string | undefined;
  readonly sensitive?: boolean | undefined;
  readonly visibility?: string | undefined;
  readonly inReplyToId?: string | undefined;
  readonly language?: string | undefined;
}

export interface EditStatusParams {
  readonly text?: string | undefined;
  readonly spoilerText?: string | undefined;
  readonly sensitive?: boolean | undefined;
  readonly language?: string | undefined;
}

export interface StoreOptions {
  readonly domain: string;
  readonly maxCharacters: number;
  idempotencyTtlMs: number;
  profile: MastodonProfile;
  readonly clock: () => number;
  readonly defaultPolicy: NotificationPolicySettings;
  readonly firstNotificationId: number;
}

export function resolvePolicy(
  option: PolicyValue | Partial<NotificationPolicySettings> | undefined,
): NotificationPolicySettings {
  if (option === undefined) return { ...DEFAULT_POLICY };
  if (typeof option === 'string') {
    return {
      forNotFollowing: option,
      forNotFollowers: option,
      forNewAccounts: option,
      forPrivateMentions: option,
      forLimitedAccounts: option,
    };
  }
  return { ...DEFAULT_POLICY, ...option };
}

/** Mastodon keeps a valid ISO 639-1 code and otherwise falls back to the user's posting language (here 'en'). */
function normalizeLanguage(language: string | undefined, fallback: string | null): string | null {
  if (language !== undefined && /^[a-z]{2}$/i.test(language.trim())) return language.trim().toLowerCase();
  return fallback;
}

export class Store {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly statusList: StatusRecord[] = [];
  private readonly statusById = new Map<string, StatusRecord>();
  private readonly notificationList: NotificationRecord[] = [];
  private readonly follows = new Set<string>();
  private readonly idempotency = new Map<string, { statusId: string; expiresAt: number }>();
  /** Keys whose post is still committing (4.6's with_redis_lock). */
  private readonly idempotencyLocks = new Set<string>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly accountIds: SnowflakeIds;
  private readonly statusIds: SnowflakeIds;
  private readonly notificationIds: SequenceIds;

  constructor(readonly options: StoreOptions) {
    this.accountIds = new SnowflakeIds(options.clock);
    this.statusIds = new SnowflakeIds(options.clock);
    this.notificationIds = new SequenceIds(options.firstNotificationId);
  }

  now(): number {
    return this.options.clock();
  }

  get profile(): MastodonProfile {
    return this.options.profile;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // ---- accounts -------------------------------------------------------

  addAccount(seed: SandboxAccountSeed): AccountRecord {
    const username = seed.username.trim();
    if (!/^[a-z0-9_]+$/i.test(username)) {
      throw new SandboxError(`The username "${seed.username}" is not valid on Mastodon; use letters, digits and underscores.`);
    }
    if (this.accountByUsername(username)) {
      throw new SandboxError(`An account named "${username}" exists already; pick another username.`);
    }
    if (seed.token !== undefined && this.accountByToken(seed.token)) {
      throw new SandboxError(`The token of "${username}" is already used by another account; give it its own token.`);
    }
    const createdAt =
      seed.createdAt === undefined ? this.now() - 365 * DAY_MS : new Date(seed.createdAt).getTime();
    if (Number.isNaN(createdAt)) {
      throw new SandboxError(`The createdAt of "${username}" is not a valid date; pass a Date or an ISO 8601 string.`);
    }
    const account: AccountRecord = {
      id: this.accountIds.next(),
      username,
      displayName: seed.displayName ?? username,
      bot: seed.bot ?? false,
      createdAt,
      token: seed.token ?? randomBytes(24).toString('base64url'),
      scopes: [...(seed.scopes ?? ['read', 'write'])],
      policy: { ...this.options.defaultPolicy },
      state: seed.state ?? 'active',
    };
    this.accounts.set(account.id, account);
    return account;
  }

  allAccounts(): AccountRecord[] {
    return [...this.accounts.values()];
  }

  accountById(id: string): AccountRecord | undefined {
    return this.accounts.get(id);
  }

  accountByUsername(username: string): AccountRecord | undefined {
    const wanted = username.replace(/^@/, '').toLowerCase();
    for (const account of this.accounts.values()) {
      if (account.username.toLowerCase() === wanted) return account;
    }
    return undefined;
  }

  requireAccount(username: string): AccountRecord {
    const account = this.accountByUsername(username);
    if (!account) throw new SandboxError(`There is no sandbox account "${username}"; add it with addAccount() first.`);
    return account;
  }

  accountByToken(token: string): AccountRecord | undefined {
    for (const account of this.accounts.values()) {
      if (account.token !== null && account.token === token) return account;
    }
    return undefined;
  }

  /** A mention of `username` or `username@<our domain>`; remote accounts do not exist here. */
  resolveMention(username: string, domain: string | null): AccountRecord | undefined {
    if (domain !== null && domain.toLowerCase() !== this.options.domain.toLowerCase()) return undefined;
    return this.accountByUsername(username);
  }

  follow(follower: AccountRecord, followee: AccountRecord): void {
    const key = `${follower.id}:${followee.id}`;
    if (this.follows.has(key) || follower.id === followee.id) return;
    this.follows.add(key);
    this.notify(followee, follower, 'follow', null);
  }

  isFollowing(follower: AccountRecord | string, followee: AccountRecord | string): boolean {
    const a = typeof follower === 'string' ? follower : follower.id;
    const b = typeof followee === 'string' ? followee : followee.id;
    return this.follows.has(`${a}:${b}`);
  }

  followersCount(account: AccountRecord): number {
    let count = 0;
    for (const key of this.follows) if (key.endsWith(`:${account.id}`)) count += 1;
    return count;
  }

  followingCount(account: AccountRecord): number {
    let count = 0;
    for (const key of this.follows) if (key.startsWith(`${account.id}:`)) count += 1;
    return count;
  }

  followerIds(account: AccountRecord): string[] {
    const ids: string[] = [];
    for (const key of this.follows) {
      const [follower, followee] = key.split(':');
      if (followee === account.id && follower !== undefined) ids.push(follower);
    }
    return ids;
  }

  /**
   * FanOutOnWriteService: the home feeds a status lands in — the author's,
   * every follower's unless it is direct, only mentioned followers' if direct.
   */
  homeAudience(status: StatusRecord): Set<string> {
    const author = this.accounts.get(status.accountId);
    const ids = new Set<string>([status.accountId]);
    if (!author) return ids;
    for (const follower of this.followerIds(author)) {
      if (status.visibility !== 'direct' || status.mentionIds.includes(follower)) ids.add(follower);
    }
    return ids;
  }

  // ---- statuses -------------------------------------------------------

  allStatuses(): readonly StatusRecord[] {
    return this.statusList;
  }

  statusRecord(id: string): StatusRecord | undefined {
    return this.statusById.get(id);
  }

  liveStatuses(account: AccountRecord): StatusRecord[] {
    return this.statusList.filter((s) => s.accountId === account.id && s.deletedAt === null);
  }

  canSee(status: StatusRecord, viewer: AccountRecord | null): boolean {
    if (status.deletedAt !== null) return false;
    if (status.visibility === 'public' || status.visibility === 'unlisted') return true;
    if (viewer === null) return false;
    if (viewer.id === status.accountId || status.mentionIds.includes(viewer.id)) return true;
    return status.visibility === 'private' && this.isFollowing(viewer.id, status.accountId);
  }

  /** A status the viewer may see, else Mastodon's 404 (it never reveals hidden statuses with a 403). */
  visibleStatus(id: string, viewer: AccountRecord | null): StatusRecord {
    const status = this.statusById.get(id);
    if (!status || !this.canSee(status, viewer)) throw ApiError.notFound();
    return status;
  }

  private ownStatus(id: string, author: AccountRecord): StatusRecord {
    const status = this.statusById.get(id);
    if (!status || status.deletedAt !== null || status.accountId !== author.id) throw ApiError.notFound();
    return status;
  }

  private validateText(text: string, spoilerText: string): void {
    if (text === '') throw ApiError.validation("Text can't be blank");
    if (countableLength(text, spoilerText) > this.options.maxCharacters) {
      throw ApiError.validation(`Text character limit of ${this.options.maxCharacters} exceeded`);
    }
  }

  /** Local mentions (a self-mention stays in `mentions` but is never notified) and hashtags. */
  private parseEntities(text: string): { mentionIds: string[]; tags: string[] } {
    const mentionIds: string[] = [];
    const tags: string[] = [];
    for (const entity of extractEntities(text)) {
      if (entity.kind === 'mention') {
        const account = this.resolveMention(entity.username, entity.domain);
        if (account && !mentionIds.includes(account.id)) mentionIds.push(account.id);
      } else if (entity.kind === 'hashtag') {
        if (!tags.some((t) => t.toLowerCase() === entity.tag.toLowerCase())) tags.push(entity.tag);
      }
    }
    return { mentionIds, tags };
  }

  private static idempotencyMemoKey(author: AccountRecord, key: string | null | undefined): string | null {
    const trimmed = key?.trim() || null;
    return trimmed === null ? null : `${author.id}:${trimmed}`;
  }

  /**
   * 4.6's `with_redis_lock("idempotency:lock:status:<account>:<key>")` around a
   * post that takes long to commit: returns the release function, or throws
   * Mastodon::RaceConditionError's 503 if another request holds the lock.
   * Profiles before 4.6 take no lock (returns a no-op).
   */
  lockIdempotencyKey(author: AccountRecord, key: string | null): () => void {
    const memoKey = Store.idempotencyMemoKey(author, key);
    if (memoKey === null || !this.profile.idempotencyLock) return () => {};
    if (this.idempotencyLocks.has(memoKey)) throw ApiError.raceCondition();
    this.idempotencyLocks.add(memoKey);
    return () => this.idempotencyLocks.delete(memoKey);
  }

  /**
   * The duplicate check at the start of a post with a key: the original to
   * return (≤ 4.5), null for a new key, or the 404 / 4.6 500 described below.
   */
  idempotentOriginal(author: AccountRecord, key: string | null): StatusRecord | null {
    const memoKey = Store.idempotencyMemoKey(author, key);
    const memo = memoKey === null ? undefined : this.idempotency.get(memoKey);
    if (!memo || memo.expiresAt <= this.now()) return null;
    const original = this.statusById.get(memo.statusId);
    if (!original || original.deletedAt !== null) throw ApiError.notFound();
    if (this.profile.repeatedIdempotencyKey === 'server-error') {
      throw new InternalServerError("undefined method 'tags' for nil (PostStatusService#postprocess_status!)");
    }
    return original;
  }

  /**
   * PostStatusService, including the Idempotency-Key handling
   * (app/services/post_status_service.rb):
   * - the key is stored per account for its TTL (3,600 s), only after the status is saved;
   * - a repeat looks the original up with `@account.statuses.find`, so a deleted
   *   original raises RecordNotFound: 404 "Record not found", nothing is posted;
   * - ≤ 4.5 returns the original, whatever the repeat's body says;
   * - 4.6+: since #37879 ("Fix race condition when processing posts twice with the
   *   same idempotency key", 4.6.0) `call` wraps the post in `with_idempotency`,
   *   whose `return idempotency_duplicate` only leaves that helper. `call` goes on
   *   to `postprocess_status!` with `@status` nil and raises NoMethodError: HTTP 500,
   *   nothing posted. After the TTL the key is gone and a repeat posts again.
   */
  createStatus(
    author: AccountRecord,
    params: NewStatusParams,
    meta: {
      idempotencyKey?: string | null;
      application: string;
      keyCheckedAlready?: boolean;
      /** The statuses family's RateLimiter#record!, run as the status is saved; throws 429 at the limit. */
      rateLimit?: () => void;
    },
  ): { status: StatusRecord; replayed: boolean } {
    const now = this.now();
    const idempotencyKey = meta.idempotencyKey?.trim() || null;
    const memoKey = Store.idempotencyMemoKey(author, idempotencyKey);
    if (memoKey !== null && !meta.keyCheckedAlready) {
      if (this.profile.idempotencyLock && this.idempotencyLocks.has(memoKey)) throw ApiError.raceCondition();
      const original = this.idempotentOriginal(author, idempotencyKey);
      if (original) return { status: original, replayed: true };
    }

    const visibility = (params.visibility ?? 'public') as Visibility;
    if (!VISIBILITIES.includes(visibility)) throw ApiError.validation('Visibility is not included in the list');

    let parent: StatusRecord | null = null;
    if (params.inReplyToId !== undefined && params.inReplyToId !== '') {
      parent = this.statusById.get(params.inReplyToId) ?? null;
      if (!parent || !this.canSee(parent, author)) {
        throw new ApiError(404, 'The post you are trying to reply to does not appear to exist.');
      }
    }

    const text = (params.text ?? '').trim();
    const spoilerText = (params.spoilerText ?? '').trim();
    this.validateText(text, spoilerText);
    const { mentionIds, tags } = this.parseEntities(text);
    const sensitive = (params.sensitive ?? false) || spoilerText !== '';
    const language = normalizeLanguage(params.language, 'en');
    meta.rateLimit?.();

    const status: StatusRecord = {
      id: this.statusIds.next(),
      accountId: author.id,
      text,
      spoilerText,
      sensitive,
      visibility,
      language,
      inReplyToId: parent?.id ?? null,
      inReplyToAccountId: parent?.accountId ?? null,
      mentionIds,
      tags,
      createdAt: now,
      editedAt: null,
      deletedAt: null,
      pinnedAt: null,
      favouritedBy: [],
      idempotencyKey,
      application: meta.application,
      revisions: [{ text, spoilerText, sensitive, language, createdAt: now }],
    };
    this.statusList.push(status);
    this.statusById.set(status.id, status);
    if (memoKey !== null) {
      this.idempotency.set(memoKey, { statusId: status.id, expiresAt: now + this.options.idempotencyTtlMs });
    }
    this.emit({ type: 'status.created', status });
    for (const id of mentionIds) {
      const recipient = this.accounts.get(id);
      if (recipient) this.notify(recipient, author, 'mention', status);
    }
    return { status, replayed: false };
  }

  /**
   * UpdateStatusService. Like Mastodon, the request replaces the editable
   * fields: a missing spoiler_text clears the content warning and a missing
   * sensitive flag becomes false; only the language carries over.
   */
  editStatus(author: AccountRecord, id: string, params: EditStatusParams, rateLimit?: () => void): StatusRecord {
    const status = this.ownStatus(id, author);
    const spoilerText = (params.spoilerText ?? '').trim();
    const text = (params.text ?? '').trim() || spoilerText;
    this.validateText(text, spoilerText);
    const sensitive = (params.sensitive ?? false) || spoilerText !== '';
    const language = normalizeLanguage(params.language, status.language);
    const changed =
      text !== status.text ||
      spoilerText !== status.spoilerText ||
      sensitive !== status.sensitive ||
      language !== status.language;
    // Mastodon swallows an edit without changes: no history entry, no edited_at.
    if (!changed) return status;
    // The new StatusEdit counts in the statuses family (rate_limit by: :account, family: :statuses).
    rateLimit?.();

    const { mentionIds, tags } = this.parseEntities(text);
    const added = mentionIds.filter((m) => !status.mentionIds.includes(m));
    const now = this.now();
    status.text = text;
    status.spoilerText = spoilerText;
    status.sensitive = sensitive;
    status.language = language;
    status.mentionIds = mentionIds;
    status.tags = tags;
    status.editedAt = now;
    status.revisions.push({ text, spoilerText, sensitive, language, createdAt: now });
    this.emit({ type: 'status.updated', status });
    for (const mentioned of added) {
      const recipient = this.accounts.get(mentioned);
      if (recipient) this.notify(recipient, author, 'mention', status);
    }
    return status;
  }

  deleteStatus(author: AccountRecord, id: string): StatusRecord {
    const status = this.ownStatus(id, author);
    status.deletedAt = this.now();
    status.pinnedAt = null;
    // Notifications hang off the mention, which goes away with the status.
    for (let i = this.notificationList.length - 1; i >= 0; i -= 1) {
      if (this.notificationList[i]?.statusId === status.id) this.notificationList.splice(i, 1);
    }
    this.emit({ type: 'status.deleted', status });
    return status;
  }

  /** StatusPinValidator, then the unique index on (account_id, status_id). */
  pin(account: AccountRecord, id: string): StatusRecord {
    const status = this.statusById.get(id);
    if (!status || status.deletedAt !== null) throw ApiError.notFound();
    const problems: string[] = [];
    if (status.accountId !== account.id) problems.push("Someone else's post cannot be pinned");
    if (status.visibility === 'direct') problems.push('Posts that are only visible to mentioned users cannot be pinned');
    const pinnedCount = this.liveStatuses(account).filter((s) => s.pinnedAt !== null).length;
    if (pinnedCount >= MAX_PINNED) problems.push('You have already pinned the maximum number of posts');
    if (problems.length > 0) throw ApiError.validation(...problems);
    if (status.pinnedAt !== null) throw new ApiError(422, 'Duplicate record');
    status.pinnedAt = this.now();
    return status;
  }

  /**
   * FavouriteService: StatusPolicy#favourite? (the status must be visible to
   * the account, else 404), then the existing favourite if there is one (a
   * repeat changes nothing), else a new one and a notification for the
   * author (filterable like a mention under the 4.3+ policy).
   */
  favourite(account: AccountRecord, id: string): StatusRecord {
    const status = this.visibleStatus(id, account);
    if (status.favouritedBy.includes(account.id)) return status;
    status.favouritedBy.push(account.id);
    const author = this.accounts.get(status.accountId);
    if (author) this.notify(author, account, 'favourite', status);
    return status;
  }

  /** Pins made before the sandbox started: `count` new public statuses of the account, pinned. */
  addPins(account: AccountRecord, count: number): StatusRecord[] {
    const already = this.liveStatuses(account).filter((s) => s.pinnedAt !== null).length;
    if (!Number.isInteger(count) || count < 0 || already + count > MAX_PINNED) {
      throw new SandboxError(
        `@${account.username} can have at most ${MAX_PINNED} pins and has ${already}; ask for 0 to ${MAX_PINNED - already} more, not ${count}.`,
      );
    }
    const pinned: StatusRecord[] = [];
    for (let i = 1; i <= count; i += 1) {
      const { status } = this.createStatus(
        account,
        { text: `Angeheftet ${already + i}: Hausordnung und Kontakt des Admin-Teams.` },
        { application: 'Web' },
      );
      status.pinnedAt = this.now();
      pinned.push(status);
    }
    return pinned;
  }

  unpin(account: AccountRecord, id: string): StatusRecord {
    const status = this.statusById.get(id);
    if (!status || status.deletedAt !== null) throw ApiError.notFound();
    if (status.accountId === account.id) status.pinnedAt = null;
    return status;
  }

  // ---- notifications --------------------------------------------------

  notificationsFor(recipient: AccountRecord): NotificationRecord[] {
    return this.notificationList
      .filter((n) => n.recipientId === recipient.id)
      .sort((a, b) => compareIds(b.id, a.id));
  }

  pendingSummary(recipient: AccountRecord): { notifications: number; requests: number } {
    const filtered = this.notificationList.filter((n) => n.recipientId === recipient.id && n.filtered);
    const senders = new Set(filtered.map((n) => n.fromAccountId));
    return { notifications: filtered.length, requests: Math.min(senders.size, 100) };
  }

  /** NotifyService: drop beats filter beats accept; a sender the recipient follows is never filtered as a private mention. */
  private policyVerdict(
    recipient: AccountRecord,
    sender: AccountRecord,
    type: NotificationType,
    status: StatusRecord | null,
  ): PolicyValue {
    // Notification policies came with 4.3; before, every notification was delivered.
    if (!this.profile.notificationPolicy) return 'accept';
    const policy = recipient.policy;
    const notFollowing = !this.isFollowing(recipient, sender);
    const notFollower = !this.isFollowing(sender, recipient);
    const newAccount = sender.createdAt > this.now() - NEW_ACCOUNT_MS;
    const privateMention =
      type === 'mention' &&
      status !== null &&
      status.visibility === 'direct' &&
      notFollowing &&
      !this.isResponseTo(status, recipient, sender);
    const verdicts: PolicyValue[] = [];
    if (notFollowing) verdicts.push(policy.forNotFollowing);
    if (notFollower) verdicts.push(policy.forNotFollowers);
    if (newAccount) verdicts.push(policy.forNewAccounts);
    if (privateMention) verdicts.push(policy.forPrivateMentions);
    if (verdicts.includes('drop')) return 'drop';
    if (verdicts.includes('filter')) return 'filter';
    return 'accept';
  }

  /**
   * NotifyService#response_to_recipient? (4.3+): walking up from the parent,
   * the first status that mentions `sender` (the parent itself whoever wrote
   * it, above it only the recipient's own) decides; it counts only if the
   * recipient wrote it as a direct message. A DM answering a public mention
   * is therefore still a private mention "not in response".
   */
  private isResponseTo(status: StatusRecord, recipient: AccountRecord, sender: AccountRecord): boolean {
    let parentId = status.inReplyToId;
    const seen = new Set<string>();
    for (let depth = 0; parentId !== null && depth <= THREAD_DEPTH_LIMIT && !seen.has(parentId); depth += 1) {
      seen.add(parentId);
      const parent = this.statusById.get(parentId);
      if (!parent) return false;
      const mentionsSender = parent.mentionIds.includes(sender.id) && (depth === 0 || parent.accountId === recipient.id);
      if (mentionsSender) return parent.accountId === recipient.id && parent.visibility === 'direct';
      parentId = parent.inReplyToId;
    }
    return false;
  }

  private notify(
    recipient: AccountRecord,
    sender: AccountRecord,
    type: NotificationType,
    status: StatusRecord | null,
  ): void {
    if (recipient.id === sender.id) return;
    const verdict = this.policyVerdict(recipient, sender, type, status);
    if (verdict === 'drop') return;
    const notification: NotificationRecord = {
      id: this.notificationIds.next(),
      recipientId: recipient.id,
      type,
      fromAccountId: sender.id,
      statusId: status?.id ?? null,
      createdAt: this.now(),
      filtered: verdict === 'filter',
    };
    this.notificationList.push(notification);
    this.emit({ type: 'notification', notification });
  }
}
