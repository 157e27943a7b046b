import { createServer, type Server } from 'node:http';

/** What the local server answers, switchable while it runs. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  /** Wait this long before answering (a hanging server, for timeouts). */
  readonly delayMs?: number;
}

/** An HTTP server on 127.0.0.1 answering every path with the current answer. */
export class LocalHttpServer {
  private server: Server | null = null;
  private boundPort = 0;
  /** Requests received, and when the first came (epoch ms), for tests. */
  requests = 0;
  firstRequestAt: number | null = null;
  /** The most requests that were open at once. */
  maxInFlight = 0;
  private inFlight = 0;

  constructor(public answer: HttpAnswer) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.requests += 1;
      this.firstRequestAt ??= Date.now();
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const { status, body, delayMs = 0 } = this.answer;
      const timer = setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(body);
      }, delayMs);
      res.on('close', () => {
        clearTimeout(timer);
        this.inFlight -= 1;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
