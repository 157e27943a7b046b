/**
 * The REST endpoints: routing, OAuth scope checks and pagination, each with
 * Mastodon's status codes and messages. Handlers are synchronous; the server
 * does the I/O around them.
 */
import { ApiError, RoutingError } from './api-error.ts';
import type { Entities, Json } from './entities.ts';
import { compareIds } from './ids.ts';
import { arrayParam, boolParam, intParam, type Params, stringParam } from './params.ts';
import type { AccountRecord, NotificationRecord, StatusRecord, Store } from './store.ts';
import type { NotificationPolicySettings, PolicyValue } from './types.ts';

export interface RequestContext {
  readonly method: string;
  readonly path: string;
  /** Query and body merged like Rails params; body values win. */
  readonly params: Params;
  /** The bearer token sent, valid or not. */
  readonly token: string | null;
  /** The account of a valid token. */
  readonly account: AccountRecord | null;
  readonly idempotencyKey: string | null;
  /** The server checked the key before a slow commit; the post must not look again. */
  readonly idempotencyKeyChecked?: boolean;
  /** Where this sandbox answers, for Link headers. */
  readonly baseUrl: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: Json;
  readonly headers?: Readonly<Record<string, string>>;
  /** Plain-text answers (the streaming health check) set this; JSON otherwise. */
  readonly text?: string;
  /** Content type of `text`; default text/plain. */
  readonly contentType?: string;
}

type Handler = (ctx: RequestContext, args: string[]) => ApiResponse;

interface Route {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly handler: Handler;
}

const ok = (body: Json, headers?: Record<string, string>): ApiResponse =>
  headers ? { status: 200, body, headers } : { status: 200, body };

const POLICY_VALUES: readonly PolicyValue[] = ['accept', 'filter', 'drop'];

const POLICY_FIELDS: readonly [string, keyof NotificationPolicySettings][] = [
  ['for_not_following', 'forNotFollowing'],
  ['for_not_followers', 'forNotFollowers'],
  ['for_new_accounts', 'forNewAccounts'],
  ['for_private_mentions', 'forPrivateMentions'],
  ['for_limited_accounts', 'forLimitedAccounts'],
];

/** Doorkeeper: a valid token with at least one of the scopes the endpoint lists; then require_user!'s login state. */
function requireUser(ctx: RequestContext, scopes: readonly string[]): AccountRecord {
  if (ctx.account === null) throw ApiError.invalidToken();
  if (!scopes.some((s) => ctx.account?.scopes.includes(s))) throw ApiError.outsideScopes();
  // Api::BaseController#require_user! checks confirmation before approval.
  if (ctx.account.state !== 'active') throw ApiError.accountState(ctx.account.state);
  return ctx.account;
}

/** authorize_if_got_token! (no require_user!): anonymous is fine, an unknown token counts as anonymous, a valid one must have the scope. */
function optionalUser(ctx: RequestContext, scopes: readonly string[]): AccountRecord | null {
  if (ctx.account === null) return null;
  if (!scopes.some((s) => ctx.account?.scopes.includes(s))) throw ApiError.outsideScopes();
  return ctx.account;
}

/** Rails' Hash#to_query: keys sorted, arrays as `key[]`, all percent-encoded. */
function toQuery(params: Record<string, string | string[] | undefined>): string {
  const parts: string[] = [];
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${encodeURIComponent(`${key}[]`)}=${encodeURIComponent(item)}`);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
    }
  }
  return parts.join('&');
}

function linkHeader(next: string | null, prev: string | null): Record<string, string> | undefined {
  const links: string[] = [];
  if (next !== null) links.push(`<${next}>; rel="next"`);
  if (prev !== null) links.push(`<${prev}>; rel="prev"`);
  return links.length > 0 ? { Link: links.join(', ') } : undefined;
}

/** Api::BaseController#limit_param: the absolute value, capped at twice the default. */
function limitParam(params: Params, defaultLimit: number): number {
  const limit = intParam(params, 'limit');
  return limit === undefined ? defaultLimit : Math.min(Math.abs(limit), defaultLimit * 2);
}

/** Paginate newest first by id: max_id/since_id bound the page, min_id pages forward from a cursor. */
function paginate<T extends { id: string }>(items: readonly T[], params: Params, limit: number): T[] {
  const maxId = stringParam(params, 'max_id');
  const sinceId = stringParam(params, 'since_id');
  const minId = stringParam(params, 'min_id');
  const valid = (id: string | undefined): id is string => id !== undefined && /^\d+$/.test(id);
  let list = [...items].sort((a, b) => compareIds(b.id, a.id));
  if (valid(maxId)) list = list.filter((i) => compareIds(i.id, maxId) < 0);
  if (valid(minId)) {
    // The `limit` items right after the cursor, still returned newest first.
    return list
      .filter((i) => compareIds(i.id, minId) > 0)
      .reverse()
      .slice(0, limit)
      .reverse();
  }
  if (valid(sinceId)) list = list.filter((i) => compareIds(i.id, sinceId) > 0);
  return list.slice(0, limit);
}

export class Router {
  private readonly routes: Route[] = [];

  constructor(
    private readonly store: Store,
    private readonly entities: Entities,
    /** RateLimiter family :statuses for posts and edits through the API. */
    private readonly statusesRateLimit: (account: AccountRecord) => void,
  ) {
    // The streaming server's health check needs no token.
    this.add(['GET'], '/api/v1/streaming/health', () => ({ status: 200, body: null, text: 'OK' }));

    // NodeInfo: the discovery document links to the schema on this sandbox, not the fake domain.
    this.add(['GET'], '/.well-known/nodeinfo', (ctx) =>
      ok({ links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${ctx.baseUrl}/nodeinfo/2.0` }] }),
    );
    this.add(['GET'], '/nodeinfo/2\\.0(?:\\.json)?', () => ok(this.entities.nodeInfo()));

    this.add(['GET'], '/api/v1/timelines/home', (ctx) => this.homeTimeline(ctx));

    this.add(['GET'], '/api/v1/accounts/verify_credentials', (ctx) =>
      ok(this.entities.credentialAccount(requireUser(ctx, ['profile', 'read', 'read:accounts']))),
    );
    this.add(['GET'], '/api/v1/accounts/lookup', (ctx) => this.lookupAccount(ctx));
    this.add(['GET'], '/api/v1/accounts/([^/]+)/statuses', (ctx, [id]) => this.accountStatuses(ctx, id ?? ''));
    this.add(['GET'], '/api/v1/accounts/([^/]+)', (ctx, [id]) => {
      optionalUser(ctx, ['read', 'read:accounts']);
      const account = this.store.accountById(id ?? '');
      if (!account) throw ApiError.notFound();
      return ok(this.entities.account(account));
    });

    this.add(['GET'], '/api/v2/instance', () => ok(this.entities.instanceV2()));
    this.add(['GET'], '/api/v1/instance', () => ok(this.entities.instanceV1()));

    this.add(['POST'], '/api/v1/statuses', (ctx) => this.createStatus(ctx));
    this.add(['GET'], '/api/v1/statuses/([^/]+)/history', (ctx, [id]) => {
      const viewer = optionalUser(ctx, ['read', 'read:statuses']);
      return ok(this.entities.statusHistory(this.store.visibleStatus(id ?? '', viewer)));
    });
    this.add(['GET'], '/api/v1/statuses/([^/]+)/context', (ctx, [id]) => this.context(ctx, id ?? ''));
    // Statuses::BaseController authorizes :show?, so anyone who may see a status may read its source.
    this.add(['GET'], '/api/v1/statuses/([^/]+)/source', (ctx, [id]) => {
      if (ctx.account === null) throw ApiError.invalidToken();
      const viewer = optionalUser(ctx, ['read', 'read:statuses']);
      return ok(this.entities.statusSource(this.store.visibleStatus(id ?? '', viewer)));
    });
    this.add(['POST'], '/api/v1/statuses/([^/]+)/pin', (ctx, [id]) => {
      const account = requireUser(ctx, ['write', 'write:accounts']);
      return ok(this.entities.status(this.store.pin(account, id ?? ''), account));
    });
    this.add(['POST'], '/api/v1/statuses/([^/]+)/favourite', (ctx, [id]) => {
      const account = requireUser(ctx, ['write', 'write:favourites']);
      return ok(this.entities.status(this.store.favourite(account, id ?? ''), account));
    });
    this.add(['POST'], '/api/v1/statuses/([^/]+)/unpin', (ctx, [id]) => {
      const account = requireUser(ctx, ['write', 'write:accounts']);
      return ok(this.entities.status(this.store.unpin(account, id ?? ''), account));
    });
    this.add(['GET'], '/api/v1/statuses/([^/]+)', (ctx, [id]) => {
      const viewer = optionalUser(ctx, ['read', 'read:statuses']);
      return ok(this.entities.status(this.store.visibleStatus(id ?? '', viewer), viewer));
    });
    // Rails maps `update` to both PUT and PATCH.
    this.add(['PUT', 'PATCH'], '/api/v1/statuses/([^/]+)', (ctx, [id]) => this.editStatus(ctx, id ?? ''));
    this.add(['DELETE'], '/api/v1/statuses/([^/]+)', (ctx, [id]) => {
      const account = requireUser(ctx, ['write', 'write:statuses']);
      const status = this.store.deleteStatus(account, id ?? '');
      return ok(this.entities.status(status, account, { withSource: true }));
    });

    // Notification policies came with 4.3: older profiles have no such route (404).
    this.addSince('notificationPolicy', ['GET'], '/api/v2/notifications/policy', (ctx) =>
      ok(this.entities.policyV2(requireUser(ctx, ['read', 'read:notifications']))),
    );
    this.addSince('notificationPolicy', ['PUT', 'PATCH'], '/api/v2/notifications/policy', (ctx) => this.updatePolicyV2(ctx));
    this.addSince('notificationPolicy', ['GET'], '/api/v1/notifications/policy', (ctx) =>
      ok(this.entities.policyV1(requireUser(ctx, ['read', 'read:notifications']))),
    );
    this.addSince('notificationPolicy', ['PUT', 'PATCH'], '/api/v1/notifications/policy', (ctx) => this.updatePolicyV1(ctx));
    this.add(['GET'], '/api/v1/notifications', (ctx) => this.listNotifications(ctx));
    this.add(['GET'], '/api/v1/notifications/([^/]+)', (ctx, [id]) => {
      const account = requireUser(ctx, ['read', 'read:notifications']);
      const notification = this.store.notificationsFor(account).find((n) => n.id === id);
      if (!notification) throw ApiError.notFound();
      return ok(this.entities.notification(notification, account));
    });
  }

  private add(methods: string[], path: string, handler: Handler): void {
    this.routes.push({ methods, pattern: new RegExp(`^${path}/?$`), handler });
  }

  /** A route that only exists in profiles with the feature. */
  private addSince(feature: 'notificationPolicy', methods: string[], path: string, handler: Handler): void {
    this.add(methods, path, (ctx, args) => {
      if (!this.store.profile[feature]) throw new RoutingError();
      return handler(ctx, args);
    });
  }

  /** The matching handler's answer, or null when no route matches (the caller renders Mastodon's 404). */
  handle(ctx: RequestContext): ApiResponse | null {
    for (const route of this.routes) {
      const match = route.pattern.exec(ctx.path);
      if (!match || !route.methods.includes(ctx.method)) continue;
      let args: string[];
      try {
        args = match.slice(1).map((s) => decodeURIComponent(s ?? ''));
      } catch {
        throw ApiError.notFound(); // A malformed %-escape cannot name any record.
      }
      return route.handler(ctx, args);
    }
    return null;
  }

  private lookupAccount(ctx: RequestContext): ApiResponse {
    optionalUser(ctx, ['read', 'read:accounts']);
    const acct = (stringParam(ctx.params, 'acct') ?? '').replace(/^@/, '');
    const [username = '', domain] = acct.split('@');
    const account = this.store.resolveMention(username, domain ?? null);
    if (!account) throw ApiError.notFound();
    return ok(this.entities.account(account));
  }

  private createStatus(ctx: RequestContext): ApiResponse {
    const account = requireUser(ctx, ['write', 'write:statuses']);
    const { status } = this.store.createStatus(
      account,
      {
        text: stringParam(ctx.params, 'status'),
        spoilerText: stringParam(ctx.params, 'spoiler_text'),
        sensitive: boolParam(ctx.params, 'sensitive'),
        visibility: stringParam(ctx.params, 'visibility') || undefined,
        inReplyToId: stringParam(ctx.params, 'in_reply_to_id'),
        language: stringParam(ctx.params, 'language'),
      },
      {
        idempotencyKey: ctx.idempotencyKey,
        application: 'Herold',
        keyCheckedAlready: ctx.idempotencyKeyChecked ?? false,
        rateLimit: () => this.statusesRateLimit(account),
      },
    );
    return ok(this.entities.status(status, account));
  }

  private editStatus(ctx: RequestContext, id: string): ApiResponse {
    const account = requireUser(ctx, ['write', 'write:statuses']);
    const status = this.store.editStatus(account, id, {
      text: stringParam(ctx.params, 'status'),
      spoilerText: stringParam(ctx.params, 'spoiler_text'),
      sensitive: boolParam(ctx.params, 'sensitive'),
      language: stringParam(ctx.params, 'language'),
    }, () => this.statusesRateLimit(account));
    return ok(this.entities.status(status, account));
  }

  private accountStatuses(ctx: RequestContext, id: string): ApiResponse {
    const viewer = optionalUser(ctx, ['read', 'read:statuses']);
    const account = this.store.accountById(id);
    if (!account) throw ApiError.notFound();
    let statuses: StatusRecord[] = this.store.liveStatuses(account).filter((s) => this.store.canSee(s, viewer));
    if (boolParam(ctx.params, 'pinned')) {
      const pinned = statuses.filter((s) => s.pinnedAt !== null).sort((a, b) => (b.pinnedAt ?? 0) - (a.pinnedAt ?? 0));
      return ok(pinned.map((s) => this.entities.status(s, viewer)));
    }
    if (boolParam(ctx.params, 'exclude_replies')) {
      // Mastodon keeps self-replies (threads) when excluding replies.
      statuses = statuses.filter((s) => s.inReplyToId === null || s.inReplyToAccountId === account.id);
    }
    if (boolParam(ctx.params, 'only_media')) statuses = [];
    const tagged = stringParam(ctx.params, 'tagged');
    if (tagged) statuses = statuses.filter((s) => s.tags.some((t) => t.toLowerCase() === tagged.toLowerCase()));
    const limit = limitParam(ctx.params, 20);
    const page = paginate(statuses, ctx.params, limit);
    const url = `${ctx.baseUrl}/api/v1/accounts/${account.id}/statuses`;
    const keep = this.keptParams(ctx.params, ['limit', 'exclude_replies', 'exclude_reblogs', 'only_media', 'tagged']);
    const last = page.at(-1);
    const first = page[0];
    const next = last && page.length === limit ? `${url}?${toQuery({ ...keep, max_id: last.id })}` : null;
    const prev = first ? `${url}?${toQuery({ ...keep, min_id: first.id })}` : null;
    return ok(
      page.map((s) => this.entities.status(s, viewer)),
      linkHeader(next, prev),
    );
  }

  /** Api::V1::Timelines::HomeController: the viewer's home feed (FanOutOnWriteService's audience), newest first. */
  private homeTimeline(ctx: RequestContext): ApiResponse {
    const viewer = requireUser(ctx, ['read', 'read:statuses']);
    const feed = this.store
      .allStatuses()
      .filter((s) => s.deletedAt === null && this.store.homeAudience(s).has(viewer.id));
    const limit = limitParam(ctx.params, 20);
    const page = paginate(feed, ctx.params, limit);
    const url = `${ctx.baseUrl}/api/v1/timelines/home`;
    const keep = this.keptParams(ctx.params, ['limit', 'local']);
    const first = page[0];
    const last = page.at(-1);
    const next = last ? `${url}?${toQuery({ ...keep, max_id: last.id })}` : null;
    const prev = first ? `${url}?${toQuery({ ...keep, min_id: first.id })}` : null;
    return ok(
      page.map((s) => this.entities.status(s, viewer)),
      linkHeader(next, prev),
    );
  }

  /** Api::V1::Statuses::ContextsController: the thread above (oldest first) and below (depth first, oldest first). */
  private context(ctx: RequestContext, id: string): ApiResponse {
    const viewer = optionalUser(ctx, ['read', 'read:statuses']);
    const status = this.store.visibleStatus(id, viewer);
    // Anonymous requests see at most 40 ancestors and 60 descendants, 20 levels deep; users 4,096.
    const ancestorsLimit = viewer === null ? 40 : 4_096;
    const descendantsLimit = viewer === null ? 60 : 4_096;
    const depthLimit = viewer === null ? 20 : Number.POSITIVE_INFINITY;
    const ancestors: StatusRecord[] = [];
    let parentId = status.inReplyToId;
    while (parentId !== null && ancestors.length < ancestorsLimit) {
      const parent = this.store.statusRecord(parentId);
      if (!parent || parent.deletedAt !== null) break;
      ancestors.unshift(parent);
      parentId = parent.inReplyToId;
    }
    const descendants: StatusRecord[] = [];
    const walk = (parent: StatusRecord, depth: number): void => {
      if (depth > depthLimit) return;
      const children = this.store
        .allStatuses()
        .filter((s) => s.inReplyToId === parent.id && s.deletedAt === null)
        .sort((a, b) => compareIds(a.id, b.id));
      for (const child of children) {
        if (descendants.length >= descendantsLimit) return;
        descendants.push(child);
        walk(child, depth + 1);
      }
    };
    walk(status, 1);
    const visible = (s: StatusRecord): boolean => this.store.canSee(s, viewer);
    return ok({
      ancestors: ancestors.filter(visible).map((s) => this.entities.status(s, viewer)),
      descendants: descendants.filter(visible).map((s) => this.entities.status(s, viewer)),
    });
  }

  private keptParams(params: Params, keys: string[]): Record<string, string | string[] | undefined> {
    const kept: Record<string, string | string[] | undefined> = {};
    for (const key of keys) {
      const value = params[key];
      if (Array.isArray(value)) kept[key] = arrayParam(params, key);
      else kept[key] = stringParam(params, key) ?? (typeof value === 'boolean' ? String(value) : undefined);
    }
    return kept;
  }

  private listNotifications(ctx: RequestContext): ApiResponse {
    const account = requireUser(ctx, ['read', 'read:notifications']);
    const types = arrayParam(ctx.params, 'types');
    const excluded = arrayParam(ctx.params, 'exclude_types') ?? [];
    const fromId = stringParam(ctx.params, 'account_id');
    const includeFiltered = boolParam(ctx.params, 'include_filtered') ?? false;
    const all: NotificationRecord[] = this.store.notificationsFor(account).filter(
      (n) =>
        (includeFiltered || !n.filtered) &&
        (types === undefined || types.length === 0 || types.includes(n.type)) &&
        !excluded.includes(n.type) &&
        (fromId === undefined || n.fromAccountId === fromId),
    );
    const page = paginate(all, ctx.params, limitParam(ctx.params, 40));
    const url = `${ctx.baseUrl}/api/v1/notifications`;
    const keep = this.keptParams(ctx.params, ['limit', 'account_id', 'types', 'exclude_types', 'include_filtered']);
    const first = page[0];
    const last = page.at(-1);
    // Mastodon links both ways whenever the page is not empty.
    const next = last ? `${url}?${toQuery({ ...keep, max_id: last.id })}` : null;
    const prev = first ? `${url}?${toQuery({ ...keep, min_id: first.id })}` : null;
    return ok(
      page.map((n) => this.entities.notification(n, account)),
      linkHeader(next, prev),
    );
  }

  private updatePolicyV2(ctx: RequestContext): ApiResponse {
    const account = requireUser(ctx, ['write', 'write:notifications']);
    const changes: Partial<NotificationPolicySettings> = {};
    for (const [param, field] of POLICY_FIELDS) {
      const value = stringParam(ctx.params, param);
      if (value === undefined) continue;
      if (!POLICY_VALUES.includes(value as PolicyValue)) {
        const label = param.replaceAll('_', ' ').replace(/^f/, 'F');
        throw ApiError.validation(`${label} is not included in the list`);
      }
      changes[field] = value as PolicyValue;
    }
    account.policy = { ...account.policy, ...changes };
    return ok(this.entities.policyV2(account));
  }

  private updatePolicyV1(ctx: RequestContext): ApiResponse {
    const account = requireUser(ctx, ['write', 'write:notifications']);
    const mapping: [string, keyof NotificationPolicySettings][] = [
      ['filter_not_following', 'forNotFollowing'],
      ['filter_not_followers', 'forNotFollowers'],
      ['filter_new_accounts', 'forNewAccounts'],
      ['filter_private_mentions', 'forPrivateMentions'],
    ];
    const policy = { ...account.policy };
    for (const [param, field] of mapping) {
      const value = boolParam(ctx.params, param);
      if (value !== undefined) policy[field] = value ? 'filter' : 'accept';
    }
    account.policy = policy;
    return ok(this.entities.policyV1(account));
  }
}

