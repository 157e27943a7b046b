/**
 * The sandbox server: a node:http server that wires the request log, rate
 * limiting, outages, the REST router and the streaming hub together, and the
 * Sandbox handle tests use to steer and inspect it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, InternalServerError, RoutingError, SandboxError } from './api-error.ts';
import { Entities } from './entities.ts';
import { FaultState } from './faults.ts';
import { OutageState, sendBadGateway, writeBadGateway } from './outage.ts';
import { type Params, parseBody, parseRailsParams, rawQuery, readBody } from './params.ts';
import { mastodonProfile } from './profiles.ts';
import { railsExceptionResponse, routingErrorResponse } from './rails-exceptions.ts';
import { bucketHeaders, RateLimits, tightest } from './rate-limiter.ts';
import { type ApiResponse, Router } from './routes.ts';
import {
  type AccountRecord,
  type NotificationRecord,
  resolvePolicy,
  type StatusRecord,
  Store,
} from './store.ts';
import { SSE_STREAMS, STREAMING_PATH, StreamingHub } from './streaming.ts';
import { extractEntities } from './text.ts';
import type {
  AccountState,
  MentionOptions,
  NotificationPolicySettings,
  NotificationPolicySnapshot,
  OutageMode,
  RateLimitConfig,
  RateLimitSettings,
  RecordedRequest,
  Sandbox,
  SandboxAccount,
  SandboxAccountSeed,
  SandboxFault,
  SandboxNotification,
  SandboxOptions,
  SandboxStatus,
} from './types.ts';

export const DEFAULT_ACCOUNT: Readonly<SandboxAccountSeed> = {
  username: 'b2c',
  token: 'sandbox-token',
  scopes: ['read', 'write'],
  bot: true,
  displayName: 'Herold',
};

const HOUR_MS = 3_600_000;
const REFUSE_SETTLE_MS = 25;
const OUTAGE_MODES: readonly OutageMode[] = ['none', 'refuse', 'html502', 'slow'];

const iso = (ms: number): string => new Date(ms).toISOString();

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() ?? null;
}

function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (headers.authorization !== undefined) headers.authorization = headers.authorization.replace(/\s+.*$/, ' [redacted]');
  // masto sends the streaming token as the websocket protocol.
  if (headers['sec-websocket-protocol'] !== undefined) headers['sec-websocket-protocol'] = '[redacted]';
  return headers;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

class SandboxServer implements Sandbox {
  readonly domain: string;
  private readonly host: string;
  private readonly clock: () => number;
  private readonly store: Store;
  private readonly limiter: RateLimits;
  private readonly outageState = new OutageState();
  private readonly faults = new FaultState();
  private readonly httpServer: Server;
  private readonly sockets = new Set<Socket>();
  private readonly log: RecordedRequest[] = [];
  private readonly defaultUsername: string;
  private entities!: Entities;
  private router!: Router;
  private hub!: StreamingHub;
  private boundPort = 0;
  private listening = false;
  private closed = false;

  constructor(options: SandboxOptions) {
    this.domain = options.domain ?? 'wien.rocks';
    this.host = options.host ?? '127.0.0.1';
    this.clock = options.clock ?? Date.now;
    const maxCharacters = options.maxCharacters ?? 500;
    if (!Number.isInteger(maxCharacters) || maxCharacters < 1) {
      throw new SandboxError(`maxCharacters must be a positive whole number; got ${maxCharacters}.`);
    }
    this.store = new Store({
      domain: this.domain,
      maxCharacters,
      idempotencyTtlMs: SandboxServer.validTtl(options.idempotencyTtlMs ?? HOUR_MS),
      profile: mastodonProfile(options.mastodonVersion),
      clock: this.clock,
      defaultPolicy: resolvePolicy(options.notificationPolicy),
      firstNotificationId: options.firstNotificationId ?? 99_990,
    });
    const seeds = options.accounts ?? [DEFAULT_ACCOUNT];
    if (seeds.length === 0) throw new SandboxError('The sandbox needs at least one account; pass one in options.accounts or leave it out.');
    for (const seed of seeds) this.store.addAccount(seed);
    this.defaultUsername = seeds[0]?.username ?? DEFAULT_ACCOUNT.username;
    if (options.pins) this.store.addPins(this.store.requireAccount(this.defaultUsername), options.pins);
    this.faults.set(options.fault ?? null);
    this.limiter = new RateLimits(options.rateLimit, this.clock);
    this.httpServer = createServer({ keepAlive: true }, (req, res) => {
      void this.onRequest(req, res);
    });
    this.httpServer.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.httpServer.on('upgrade', (req, socket, head) => {
      void this.onUpgrade(req, socket, head);
    });
  }

  private static validTtl(ms: number): number {
    if (!(ms > 0)) throw new SandboxError(`idempotencyTtlMs must be a positive number of milliseconds; got ${ms}.`);
    return ms;
  }

  async start(port: number, version: string | undefined, maxCharacters: number): Promise<void> {
    await this.listen(port);
    this.entities = new Entities(this.store, {
      domain: this.domain,
      version,
      maxCharacters,
      streamingUrl: this.streamingUrl,
    });
    this.router = new Router(this.store, this.entities, (account) => this.limiter.recordStatus(account.id));
    this.hub = new StreamingHub(this.store, this.entities);
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${formatHost(this.host)}:${this.boundPort}`;
  }

  get streamingUrl(): string {
    return `ws://${formatHost(this.host)}:${this.boundPort}`;
  }

  get outage(): OutageMode {
    return this.outageState.mode;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.httpServer.off('listening', onListening);
        reject(
          new SandboxError(`The sandbox could not listen on ${this.host}:${port}: ${error.message}`, { cause: error }),
        );
      };
      const onListening = (): void => {
        this.httpServer.off('error', onError);
        const address = this.httpServer.address();
        if (address !== null && typeof address === 'object') this.boundPort = address.port;
        this.listening = true;
        resolve();
      };
      this.httpServer.once('error', onError);
      this.httpServer.once('listening', onListening);
      this.httpServer.listen(port, this.host);
    });
  }

  /** Stops listening and cuts every open connection, so clients see ECONNREFUSED / ECONNRESET and nothing else. */
  private stopListening(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.httpServer.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.httpServer.closeAllConnections();
    });
  }

  // ---- HTTP -------------------------------------------------------------

  private record(
    entry: Omit<RecordedRequest, 'headers' | 'query' | 'idempotencyKey' | 'fault' | 'refusedBy'> & { fault?: RecordedRequest['fault']; refusedBy?: RecordedRequest['refusedBy'] },
    req: IncomingMessage,
    url: URL,
  ): void {
    const key = req.headers['idempotency-key'];
    const query = rawQuery(url.searchParams);
    // Mastodon.py and the streaming API send the token in the query string.
    if (query.access_token !== undefined) query.access_token = '[redacted]';
    this.log.push({
      ...entry,
      fault: entry.fault ?? null,
      refusedBy: entry.refusedBy ?? null,
      query,
      headers: redactedHeaders(req),
      idempotencyKey: typeof key === 'string' ? key : null,
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.clock();
    const outage = this.outageState.mode;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    let body: Params | null = null;
    let status = 500;
    let refusedBy: RecordedRequest['refusedBy'] = null;
    let fault: SandboxFault | null = null;
    try {
      if (outage === 'html502') {
        // The proxy answers; the body is never read by anyone.
        req.resume();
        sendBadGateway(res);
        status = 502;
        return;
      }
      if (method === 'GET' && url.pathname.replace(/\/+$/, '') in SSE_STREAMS) {
        req.resume(); // Mastodon.py sends its (empty) parameters as a body.
        await this.outageState.holdBack();
        status = this.hub.handleEventStream(req, res, url);
        return;
      }
      const token = bearerToken(req);
      const account = token === null ? undefined : this.store.accountByToken(token);
      let headers: Record<string, string> = {};
      let response: ApiResponse;
      const limited = url.pathname.startsWith('/api/') && !url.pathname.startsWith(STREAMING_PATH);
      const verdict = limited
        ? this.limiter.rack({
            method,
            path: url.pathname,
            accountId: account?.id ?? null,
            // One token per account here, so the token's id is the account's.
            tokenId: account ? `token:${account.id}` : null,
            ip: req.socket.remoteAddress ?? '?',
            paging: ['page', 'max_id', 'since_id', 'min_id'].some((p) => (url.searchParams.get(p) ?? '') !== ''),
          })
        : null;
      const tight = verdict ? (verdict.refusedBy ?? tightest(verdict.counted)) : null;
      if (tight) headers = bucketHeaders(tight, at, verdict?.refusedBy ? 0 : undefined);
      try {
        body = await parseBody(req.headers['content-type'], await readBody(req));
        if (verdict?.refusedBy) throw new ApiError(429, 'Too many requests');
        const idempotency = req.headers['idempotency-key'];
        const idempotencyKey = typeof idempotency === 'string' ? idempotency : null;
        fault = this.faults.take(method, url.pathname, idempotencyKey);
        let idempotencyKeyChecked = false;
        if (fault?.kind === 'slow-commit' && account) {
          // The key is checked first, then the commit takes its time; 4.6 holds the
          // key's lock meanwhile, older versions hold nothing and race.
          const posting = method === 'POST' && url.pathname.replace(/\/$/, '') === '/api/v1/statuses';
          const release = this.store.lockIdempotencyKey(account, posting ? idempotencyKey : null);
          try {
            if (!(posting && this.store.idempotentOriginal(account, idempotencyKey))) {
              idempotencyKeyChecked = posting;
              await sleep(fault.delayMs);
            }
          } finally {
            release();
          }
        }
        const routed = this.router.handle({
          method,
          path: url.pathname,
          params: { ...parseRailsParams(url.searchParams), ...(body ?? {}) },
          token,
          account: account ?? null,
          idempotencyKey,
          idempotencyKeyChecked,
          baseUrl: this.url,
        });
        if (routed === null) throw new RoutingError();
        response = routed;
      } catch (error) {
        if (error instanceof RoutingError) {
          response = routingErrorResponse(req.headers.accept);
          // Rendered by ApplicationController: rack-attack counted it, but no X-RateLimit headers.
          if (!verdict?.refusedBy) headers = {};
        } else if (error instanceof InternalServerError) response = railsExceptionResponse(500, req.headers.accept);
        else if (error instanceof ApiError) response = { status: error.status, body: { error: error.message }, headers: error.headers };
        else throw error;
      }
      if (account && !verdict?.refusedBy && SandboxServer.statusesFamilyAction(method, url.pathname)) {
        headers = this.statusesFamilyHeaders(account.id, headers, at);
      }
      await this.outageState.holdBack();
      status = response.status;
      // A 429 comes from rack-attack's bucket, or else from the statuses family (RateLimiter#record!).
      if (status === 429) refusedBy = { bucket: verdict?.refusedBy?.bucket ?? 'statuses', resetAt: Date.parse(headers['X-RateLimit-Reset'] ?? '') };
      if (fault?.kind === 'lost-answer') {
        // Done, and the connection drops before a byte of the answer is written.
        res.socket?.destroy();
        return;
      }
      this.send(res, response, headers);
    } catch (error) {
      status = 500;
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: `Sandbox bug: ${error instanceof Error ? error.message : String(error)}` }));
      }
    } finally {
      this.record({ method, path: url.pathname, body, at, status, outage, fault: fault?.kind ?? null, refusedBy }, req, url);
    }
  }

  /** StatusesController's `override_rate_limit_headers :create/:update, family: :statuses`. */
  private static statusesFamilyAction(method: string, path: string): boolean {
    const clean = path.replace(/\/$/, '');
    if (method === 'POST') return clean === '/api/v1/statuses';
    return (method === 'PUT' || method === 'PATCH') && /^\/api\/v1\/statuses\/[^/]+$/.test(clean);
  }

  /** The family's headers replace rack-attack's unless rack-attack has fewer requests left. */
  private statusesFamilyHeaders(accountId: string, rack: Record<string, string>, now: number): Record<string, string> {
    const family = this.limiter.statusesCount(accountId);
    const familyRemaining = family.limit - family.count;
    const rackRemaining = rack['X-RateLimit-Remaining'];
    if (rackRemaining !== undefined && familyRemaining > Number(rackRemaining)) return rack;
    return { ...rack, ...bucketHeaders(family, now) };
  }

  private send(res: ServerResponse, response: ApiResponse, rateHeaders: Record<string, string>): void {
    if (res.destroyed) return;
    const isText = response.text !== undefined;
    const payload = response.text ?? JSON.stringify(response.body);
    res.writeHead(response.status, {
      ...rateHeaders,
      ...response.headers,
      'Content-Type': isText ? (response.contentType ?? 'text/plain; charset=utf-8') : 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(payload),
      'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate',
    });
    res.end(payload);
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const at = this.clock();
    const outage = this.outageState.mode;
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    let status: number;
    if (outage === 'html502') {
      writeBadGateway(socket);
      status = 502;
    } else {
      await this.outageState.holdBack();
      if (socket.destroyed) return;
      status = this.hub.handleUpgrade(req, socket, head, url);
    }
    this.record({ method: req.method ?? 'GET', path: url.pathname, body: null, at, status, outage }, req, url);
  }

  // ---- Sandbox handle ------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
    await this.stopListening();
  }

  setVersion(version: string | null): void {
    this.entities.setVersion(version);
  }

  async setOutage(mode: OutageMode, opts: { delayMs?: number } = {}): Promise<void> {
    if (!OUTAGE_MODES.includes(mode)) {
      throw new SandboxError(`Unknown outage mode "${String(mode)}"; use one of ${OUTAGE_MODES.join(', ')}.`);
    }
    if (this.closed) throw new SandboxError('The sandbox is closed; start a new one.');
    this.outageState.set(mode, opts.delayMs);
    // A dead backend or a restarting proxy takes the streaming connections with it.
    if (mode === 'refuse' || mode === 'html502') this.hub.dropAll();
    if (mode === 'refuse') {
      await this.stopListening();
      // Let in-process clients see their pooled keep-alive sockets close, so the
      // next request opens a new connection and meets ECONNREFUSED rather than
      // failing on a half-dead socket.
      await sleep(REFUSE_SETTLE_MS);
      // On a loaded machine the timer can fire before the poll phase has read
      // the FINs; setImmediate runs only after one more poll phase has.
      await new Promise((resolve) => setImmediate(resolve));
    } else if (!this.listening) {
      await this.listen(this.boundPort);
    }
  }

  setRateLimit(limit: RateLimitSettings | RateLimitConfig | null): void {
    this.limiter.configure(limit);
  }

  get mastodonVersion(): string {
    return this.store.profile.name;
  }

  setMastodonVersion(version: string): void {
    this.store.options.profile = mastodonProfile(version);
  }

  get fault(): SandboxFault | null {
    return this.faults.current;
  }

  setFault(fault: SandboxFault | null): void {
    this.faults.set(fault);
  }

  setAccountState(state: AccountState, username?: string): void {
    if (!['active', 'pending', 'unconfirmed'].includes(state)) {
      throw new SandboxError(`Unknown account state "${String(state)}"; use active, pending or unconfirmed.`);
    }
    this.store.requireAccount(username ?? this.defaultUsername).state = state;
  }

  setIdempotencyTtl(ms: number): void {
    this.store.options.idempotencyTtlMs = SandboxServer.validTtl(ms);
  }

  addPins(count: number, username?: string): SandboxStatus[] {
    const account = this.store.requireAccount(username ?? this.defaultUsername);
    return this.store.addPins(account, count).map((s) => this.statusSnapshot(s));
  }

  statuses(): SandboxStatus[] {
    return this.store.allStatuses().map((s) => this.statusSnapshot(s));
  }

  status(id: string): SandboxStatus | undefined {
    const record = this.store.statusRecord(id);
    return record ? this.statusSnapshot(record) : undefined;
  }

  notifications(username?: string): SandboxNotification[] {
    const account = this.store.requireAccount(username ?? this.defaultUsername);
    return this.store
      .notificationsFor(account)
      .map((n) => this.notificationSnapshot(n, account))
      .reverse();
  }

  requests(): RecordedRequest[] {
    return structuredClone(this.log);
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  addAccount(seed: SandboxAccountSeed): SandboxAccount {
    return this.accountSnapshot(this.store.addAccount(seed));
  }

  account(username: string): SandboxAccount | undefined {
    const record = this.store.accountByUsername(username);
    return record ? this.accountSnapshot(record) : undefined;
  }

  follow(follower: string, followee: string): void {
    this.store.follow(this.store.requireAccount(follower), this.store.requireAccount(followee));
  }

  mention(from: string, text: string, opts: MentionOptions = {}): SandboxStatus {
    const sender = this.store.requireAccount(from);
    const recipient = this.store.requireAccount(opts.to ?? this.defaultUsername);
    const mentioned = extractEntities(text).some(
      (e) => e.kind === 'mention' && this.store.resolveMention(e.username, e.domain)?.id === recipient.id,
    );
    try {
      const { status } = this.store.createStatus(
        sender,
        {
          text: mentioned ? text : `@${recipient.username} ${text}`,
          visibility: opts.visibility ?? 'public',
          inReplyToId: opts.inReplyToId,
          spoilerText: opts.spoilerText,
          language: opts.language,
        },
        { application: 'Web' },
      );
      return this.statusSnapshot(status);
    } catch (error) {
      if (error instanceof ApiError) {
        throw new SandboxError(`mention() from "${from}" was refused like Mastodon would: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  notificationPolicy(username?: string): NotificationPolicySnapshot {
    const account = this.store.requireAccount(username ?? this.defaultUsername);
    const summary = this.store.pendingSummary(account);
    return {
      ...account.policy,
      pendingNotificationsCount: summary.notifications,
      pendingRequestsCount: summary.requests,
    };
  }

  setNotificationPolicy(policy: Partial<NotificationPolicySettings>, username?: string): NotificationPolicySnapshot {
    const account = this.store.requireAccount(username ?? this.defaultUsername);
    account.policy = { ...account.policy, ...policy };
    return this.notificationPolicy(account.username);
  }

  streamCount(): number {
    return this.hub.count();
  }

  dropStreams(): void {
    this.hub.dropAll();
  }

  waitForStream(opts: { stream?: string; username?: string; timeoutMs?: number } = {}): Promise<void> {
    const account = this.store.requireAccount(opts.username ?? this.defaultUsername);
    return this.hub.waitForSubscription(account.id, opts.stream ?? 'user:notification', opts.timeoutMs ?? 5_000);
  }

  // ---- snapshots ----------------------------------------------------------

  private accountSnapshot(account: AccountRecord): SandboxAccount {
    return {
      id: account.id,
      username: account.username,
      acct: account.username,
      token: account.token,
      scopes: [...account.scopes],
      bot: account.bot,
      displayName: account.displayName,
      createdAt: iso(account.createdAt),
    };
  }

  private statusSnapshot(status: StatusRecord): SandboxStatus {
    const author = this.store.accountById(status.accountId);
    return {
      id: status.id,
      uri: this.entities.statusUri(status),
      url: this.entities.statusUrl(status),
      accountId: status.accountId,
      username: author?.username ?? '',
      text: status.text,
      spoilerText: status.spoilerText,
      sensitive: status.sensitive,
      visibility: status.visibility,
      language: status.language,
      inReplyToId: status.inReplyToId,
      inReplyToAccountId: status.inReplyToAccountId,
      mentions: status.mentionIds.map((id) => this.store.accountById(id)?.username ?? id),
      tags: [...status.tags],
      createdAt: iso(status.createdAt),
      editedAt: status.editedAt === null ? null : iso(status.editedAt),
      deletedAt: status.deletedAt === null ? null : iso(status.deletedAt),
      pinned: status.pinnedAt !== null,
      favouritedBy: status.favouritedBy.map((id) => this.store.accountById(id)?.username ?? id),
      idempotencyKey: status.idempotencyKey,
      application: status.application,
      history: status.revisions.map((r) => ({ ...r, createdAt: iso(r.createdAt) })),
    };
  }

  private notificationSnapshot(notification: NotificationRecord, recipient: AccountRecord): SandboxNotification {
    return {
      id: notification.id,
      type: notification.type,
      recipient: recipient.username,
      from: this.store.accountById(notification.fromAccountId)?.username ?? notification.fromAccountId,
      statusId: notification.statusId,
      createdAt: iso(notification.createdAt),
      filtered: notification.filtered,
    };
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = new SandboxServer(options);
  await server.start(options.port ?? 0, options.version, options.maxCharacters ?? 500);
  return server;
}
