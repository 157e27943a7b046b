import { createStreamingAPIClient, type mastodon } from 'masto';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { IncomingNotification } from '../../replies/types.ts';
import { toIncoming } from './notifications.ts';
import { cappedBackoffMs, jittered } from '../../backoff.ts';

/** A connection open this long counts as having worked. */
const STABLE_MS = 5000;

export type StreamState = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

export interface NotificationStreamOptions {
  /** configuration.urls.streaming of the instance, e.g. wss://streaming.example. */
  readonly streamingUrl: string;
  readonly accessToken: string;
  readonly onNotification: (notification: IncomingNotification) => void;
  /** The socket is open and the subscription is sent: time to catch up on what was missed. */
  readonly onUp?: () => void;
  readonly onDown?: (reason: string) => void;
  /** The server says the notification list changed behind the stream's back (accepted notification requests). */
  readonly onRefresh?: () => void;
  /** A ping this often; a connection that has not answered the previous one is dead. Default 30 s. */
  readonly heartbeatMs?: number;
  /** Wait before reconnecting: doubles per failed attempt between these. Defaults 1 s and 30 s. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly log?: Logger;
}

/**
 * The user:notification stream through masto, with the supervision masto
 * lacks. masto reconnects forever with a doubling back-off (after a long
 * outage, hours between attempts) and never says whether it is connected;
 * so each connection here is one masto client with `retry: false`, watched
 * through its socket (open, close, pong), and this class reconnects with a
 * capped back-off. A ping every `heartbeatMs` finds half-open connections
 * that would otherwise look connected but deliver nothing.
 *
 * Delivery is best effort: whatever arrives while the state is not 'up' is
 * the poller's job (see src/adapters/mastodon/mention-poller.ts).
 */
export class NotificationStream {
  private current: StreamState = 'idle';
  private generation = 0;
  private client: mastodon.streaming.Client | null = null;
  private socket: WebSocket | null = null;
  private failures = 0;
  private upSince = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  /** Epoch ms of the last sign of life (message or pong) on the socket. */
  lastSeenAt = 0;
  /** How many connections were opened; for tests and metrics. */
  connections = 0;

  constructor(private readonly options: NotificationStreamOptions) {}

  get state(): StreamState {
    return this.current;
  }

  start(): void {
    if (this.current === 'idle') this.connect();
  }

  /** Reconnect now instead of waiting out the back-off (e.g. the instance answers again). */
  nudge(): void {
    if (this.current !== 'down' || !this.reconnectTimer) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.current = 'closed';
    this.generation += 1;
    this.stopHeartbeat();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.client?.close();
    this.client = null;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 1000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async connect(): Promise<void> {
    if (this.current === 'closed') return;
    const generation = ++this.generation;
    this.current = 'connecting';
    // After a failed attempt, ask the streaming server's health check first: a refused
    // websocket makes masto print an error to the console, a failed fetch does not.
    if (this.failures > 0 && !(await this.healthy())) {
      if (generation === this.generation) this.teardown(generation, 'the streaming server is not healthy');
      return;
    }
    if (generation !== this.generation) return;
    const stream = this;
    class TrackedSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols);
        // masto opens a socket after its back-off sleep even if it was closed meanwhile.
        if (!stream.attach(this, generation)) this.terminate();
      }
    }
    const client = createStreamingAPIClient({
      streamingApiUrl: this.options.streamingUrl,
      accessToken: this.options.accessToken,
      implementation: TrackedSocket,
      retry: false,
      log: 'error',
    });
    this.client = client;
    void this.consume(client, generation);
  }

  private async healthy(): Promise<boolean> {
    const url = new URL('/api/v1/streaming/health', this.options.streamingUrl.replace(/^ws/, 'http'));
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  }

  private async consume(client: mastodon.streaming.Client, generation: number): Promise<void> {
    let reason = 'the stream ended';
    try {
      for await (const event of client.user.notification.subscribe()) {
        if (generation !== this.generation) break;
        this.alive();
        if (event.event === 'notification') {
          try {
            this.options.onNotification(toIncoming(event.payload));
          } catch (error) {
            this.options.log?.error({ err: (error as Error).message }, 'Could not take a streamed notification; polling will bring it again.');
          }
        } else if (event.event === 'notifications_merged') {
          this.options.onRefresh?.();
        }
      }
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    } finally {
      this.teardown(generation, reason);
    }
  }

  /**
   * Called from the socket's constructor: masto creates the socket, this
   * class watches it. False when the connection is no longer wanted.
   */
  private attach(ws: WebSocket, generation: number): boolean {
    // Without a listener an 'error' event would throw.
    ws.on('error', () => undefined);
    // masto waits for the handshake with 'error' and 'close' listeners and prints every failed
    // attempt to the console (a 40-line dump per attempt while the instance is down). Failures are
    // handled here instead (teardown closes the client, which ends its subscription), so masto
    // never hears of them; listeners it adds while the socket is open pass through.
    const add = ws.addEventListener.bind(ws);
    ws.addEventListener = ((type: string, listener: never, options?: never) => {
      if (ws.readyState !== WebSocket.OPEN && (type === 'error' || type === 'close')) return;
      add(type as 'open', listener, options);
    }) as typeof ws.addEventListener;
    if (generation !== this.generation) return false;
    ws.on('open', () => {
      if (generation !== this.generation) return;
      this.socket = ws;
      this.current = 'up';
      this.upSince = Date.now();
      this.connections += 1;
      this.alive();
      this.startHeartbeat(ws);
      this.options.log?.info('Streaming notifications.');
      this.options.onUp?.();
    });
    ws.on('pong', () => this.alive());
    ws.on('message', () => this.alive());
    ws.on('close', () => this.teardown(generation, 'the connection closed'));
    return true;
  }

  private alive(): void {
    this.awaitingPong = false;
    this.lastSeenAt = Date.now();
  }

  private startHeartbeat(ws: WebSocket): void {
    this.stopHeartbeat();
    this.awaitingPong = false;
    this.heartbeat = setInterval(() => {
      if (this.awaitingPong) {
        this.options.log?.warn('The notification stream stopped answering pings; reconnecting.');
        ws.terminate();
        return;
      }
      this.awaitingPong = true;
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }, this.options.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private teardown(generation: number, reason: string): void {
    if (generation !== this.generation || this.current === 'closed') return;
    this.generation += 1;
    const wasUp = this.current === 'up';
    this.stopHeartbeat();
    this.socket = null;
    this.client?.close();
    this.client = null;
    this.current = 'down';
    // A connection that lasted is a drop: reconnect at once. One that failed, or closed right
    // away (e.g. the server refuses the subscription), counts as a failure and backs off.
    if (wasUp && Date.now() - this.upSince >= STABLE_MS) this.failures = 0;
    else this.failures += 1;
    const min = this.options.reconnectMinMs ?? 1000;
    const max = this.options.reconnectMaxMs ?? 30_000;
    const delay = this.failures === 0 ? 0 : jittered(cappedBackoffMs(min, this.failures - 1, max, 16));
    if (wasUp) this.options.log?.warn({ reason }, 'The notification stream is down; polling until it is back.');
    this.options.onDown?.(reason);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}
