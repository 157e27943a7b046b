/** Anything with a Node-style close(callback): a net/tls server, a UDP socket. */
interface Closable {
  close(callback: () => void): unknown;
}

/**
 * What the local stand-ins for a check's target share: the port they got
 * on 127.0.0.1, and a close that is safe to call twice.
 */
export abstract class LocalServer<S extends Closable> {
  protected server: S | null = null;
  protected boundPort = 0;

  get port(): number {
    return this.boundPort;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
