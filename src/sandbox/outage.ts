/**
 * What a Mastodon instance looks like from outside while it is down or
 * struggling. 'refuse' is handled by the server itself (it stops listening);
 * this file holds the answers nginx gives when Puma is gone, and the delay.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import type { OutageMode } from './types.ts';

export const DEFAULT_SLOW_DELAY_MS = 5_000;

/** nginx's stock 502 page, byte for byte what a proxy in front of a dead Puma sends. */
export const NGINX_502_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export class OutageState {
  mode: OutageMode = 'none';
  delayMs = DEFAULT_SLOW_DELAY_MS;

  set(mode: OutageMode, delayMs?: number): void {
    if (delayMs !== undefined && !(delayMs >= 0)) {
      throw new RangeError(`delayMs must be zero or more milliseconds; got ${delayMs}.`);
    }
    this.mode = mode;
    this.delayMs = delayMs ?? DEFAULT_SLOW_DELAY_MS;
  }

  /** How long to hold back an answer in the current mode. */
  get responseDelayMs(): number {
    return this.mode === 'slow' ? this.delayMs : 0;
  }

  /** Holds an answer back as long as the current mode says; without a timer when it says nothing. */
  async holdBack(): Promise<void> {
    if (this.responseDelayMs > 0) await sleep(this.responseDelayMs);
  }
}

export function sendBadGateway(res: ServerResponse): void {
  // No rate-limit headers: nginx answers without ever reaching Mastodon.
  res.writeHead(502, {
    Server: 'nginx',
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(NGINX_502_PAGE),
  });
  res.end(NGINX_502_PAGE);
}

/** The same page on a raw socket, for websocket upgrade requests. */
export function writeBadGateway(socket: Duplex): void {
  socket.end(
    `HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(NGINX_502_PAGE)}\r\nConnection: close\r\n\r\n${NGINX_502_PAGE}`,
  );
}
