/**
 * The streaming API like Mastodon's node streaming server (streaming/index.js):
 * - websocket: one socket per client on /api/v1/streaming, the token in the
 *   Sec-WebSocket-Protocol header (masto's default, echoed back as the chosen
 *   protocol), in `access_token` or in an Authorization header, and streams
 *   chosen by `?stream=` or `{"type":"subscribe","stream":...}` messages;
 * - server-sent events (what Mastodon.py uses): GET /api/v1/streaming/user and
 *   /api/v1/streaming/user/notification, `:)` first, `event:`/`data:` pairs,
 *   a `:thump` heartbeat every 15 s.
 * Only the user streams exist here; that is all Herold listens to.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { SandboxError } from './api-error.ts';
import type { Entities } from './entities.ts';
import type { AccountRecord, Store, StoreEvent } from './store.ts';

export const STREAMING_PATH = '/api/v1/streaming';

/** Stream name and the scopes (any one suffices) it needs, as in the streaming server's channel table. */
const STREAM_SCOPES: Readonly<Record<string, readonly string[]>> = {
  user: ['read', 'read:statuses'],
  'user:notification': ['read', 'read:notifications'],
};

interface Connection {
  readonly account: AccountRecord;
  readonly streams: Set<string>;
  /** Sends one event, if the connection is still open. */
  readonly deliver: (stream: string, event: string, payload: string) => void;
  /** Cuts the connection without a goodbye, like a network drop. */
  readonly terminate: () => void;
  /** The websocket, for subscribe messages and errors; null for event streams. */
  readonly socket: WebSocket | null;
}

const SSE_HEARTBEAT_MS = 15_000;

/** The event-stream paths and the stream each one carries. */
export const SSE_STREAMS: Readonly<Record<string, string>> = {
  [`${STREAMING_PATH}/user`]: 'user',
  [`${STREAMING_PATH}/user/notification`]: 'user:notification',
};

export function streamingToken(req: IncomingMessage, url: URL): string | null {
  const query = url.searchParams.get('access_token');
  if (query) return query;
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  const protocol = req.headers['sec-websocket-protocol'];
  if (typeof protocol === 'string' && protocol.trim() !== '') return protocol.split(',')[0]?.trim() ?? null;
  return null;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class StreamingHub {
  private readonly connections = new Set<Connection>();
  private readonly server: WebSocketServer;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly entities: Entities,
  ) {
    this.server = new WebSocketServer({
      noServer: true,
      // Browsers and `ws` fail the handshake unless one offered protocol comes back; Mastodon echoes the token.
      handleProtocols: (protocols) => {
        const [first] = protocols;
        return first ?? false;
      },
    });
    this.unsubscribe = store.subscribe((event) => this.onStoreEvent(event));
  }

  /** Completes or refuses a websocket handshake; returns the HTTP status for the request log. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): number {
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== STREAMING_PATH) {
      rejectUpgrade(socket, 404, 'Not Found', JSON.stringify({ error: 'Not Found' }));
      return 404;
    }
    const token = streamingToken(req, url);
    const account = token === null ? undefined : this.store.accountByToken(token);
    if (!account) {
      rejectUpgrade(socket, 401, 'Unauthorized', JSON.stringify({ error: 'Invalid access token' }));
      return 401;
    }
    const initial = url.searchParams.get('stream');
    if (initial !== null && !(initial in STREAM_SCOPES)) {
      rejectUpgrade(socket, 400, 'Bad Request', JSON.stringify({ error: 'Unknown stream type' }));
      return 400;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => {
      const connection: Connection = {
        socket: ws,
        account,
        streams: new Set(),
        deliver: (stream, event, payload) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ stream: [stream], event, payload }));
        },
        terminate: () => ws.terminate(),
      };
      this.connections.add(connection);
      ws.on('close', () => this.connections.delete(connection));
      ws.on('error', () => this.connections.delete(connection));
      ws.on('message', (data) => this.onMessage(connection, data.toString()));
      if (initial !== null) this.subscribeTo(connection, initial);
    });
    return 101;
  }

  /**
   * An event stream over plain HTTP (streamToHttp). Returns the HTTP status for
   * the request log; 200 means the stream is open until the client leaves.
   */
  handleEventStream(req: IncomingMessage, res: ServerResponse, url: URL): number {
    const path = url.pathname.replace(/\/+$/, '');
    const stream = SSE_STREAMS[path];
    const fail = (status: number, error: string): number => {
      const body = JSON.stringify({ error });
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return status;
    };
    if (stream === undefined) return fail(404, 'Not Found');
    const token = streamingToken(req, url);
    if (token === null) return fail(401, 'Missing access token');
    const account = this.store.accountByToken(token);
    if (!account) return fail(401, 'Invalid access token');
    if (!(STREAM_SCOPES[stream] ?? []).some((s) => account.scopes.includes(s))) {
      return fail(401, 'Access token does not have the required scopes');
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'private, no-store',
      'Transfer-Encoding': 'chunked',
    });
    res.write(':)\n');
    const heartbeat = setInterval(() => res.write(':thump\n\n'), SSE_HEARTBEAT_MS);
    const connection: Connection = {
      socket: null,
      account,
      streams: new Set([stream]),
      deliver: (_stream, event, payload) => {
        if (!res.writableEnded && !res.destroyed) res.write(`event: ${event}\ndata: ${payload}\n\n`);
      },
      terminate: () => res.socket?.destroy(),
    };
    this.connections.add(connection);
    res.on('close', () => {
      clearInterval(heartbeat);
      this.connections.delete(connection);
    });
    return 200;
  }

  private sendError(connection: Connection, error: string, status: number): void {
    connection.socket?.send(JSON.stringify({ error, status }));
  }

  private subscribeTo(connection: Connection, stream: string): void {
    const scopes = STREAM_SCOPES[stream];
    if (!scopes) {
      this.sendError(connection, 'Unknown stream type', 400);
      return;
    }
    if (!scopes.some((s) => connection.account.scopes.includes(s))) {
      this.sendError(connection, 'Access token does not have the required scopes', 401);
      return;
    }
    connection.streams.add(stream);
  }

  private onMessage(connection: Connection, raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return; // The streaming server ignores what it cannot parse.
    }
    if (message === null || typeof message !== 'object') return;
    const { type, stream } = message as { type?: unknown; stream?: unknown };
    if (typeof stream !== 'string') return;
    if (type === 'subscribe') this.subscribeTo(connection, stream);
    else if (type === 'unsubscribe') connection.streams.delete(stream);
  }

  private send(accountId: string, stream: string, event: string, payload: (viewer: AccountRecord) => string): void {
    for (const connection of this.connections) {
      if (connection.account.id !== accountId || !connection.streams.has(stream)) continue;
      connection.deliver(stream, event, payload(connection.account));
    }
  }

  private onStoreEvent(event: StoreEvent): void {
    if (event.type === 'notification') {
      const { notification } = event;
      // Filtered notifications wait in notification requests; they are never pushed.
      if (notification.filtered) return;
      const render = (viewer: AccountRecord): string =>
        JSON.stringify(this.entities.notification(notification, viewer));
      this.send(notification.recipientId, 'user', 'notification', render);
      this.send(notification.recipientId, 'user:notification', 'notification', render);
      return;
    }
    const { status } = event;
    for (const accountId of this.store.homeAudience(status)) {
      if (event.type === 'status.deleted') {
        // The delete payload is the bare id, not JSON.
        this.send(accountId, 'user', 'delete', () => status.id);
      } else {
        const name = event.type === 'status.created' ? 'update' : 'status.update';
        this.send(accountId, 'user', name, (viewer) => JSON.stringify(this.entities.status(status, viewer)));
      }
    }
  }

  count(): number {
    return this.connections.size;
  }

  /** Whether some connection of the account is subscribed to the stream. */
  isSubscribed(accountId: string, stream: string): boolean {
    for (const connection of this.connections) {
      if (connection.account.id === accountId && connection.streams.has(stream)) return true;
    }
    return false;
  }

  /** Resolves once the account has subscribed to the stream (masto connects only after a one second back-off). */
  waitForSubscription(accountId: string, stream: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        if (this.isSubscribed(accountId, stream)) resolve();
        else if (Date.now() - started >= timeoutMs) {
          reject(new SandboxError(`No client subscribed to "${stream}" within ${timeoutMs} ms.`));
        } else setTimeout(poll, 10);
      };
      poll();
    });
  }

  /** Kills every socket without a closing handshake, as a network drop or a restarted proxy would. */
  dropAll(): void {
    for (const connection of this.connections) connection.terminate();
    this.connections.clear();
  }

  close(): void {
    this.dropAll();
    this.unsubscribe();
    this.server.close();
  }
}
