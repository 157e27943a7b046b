import dns2 from 'dns2';
import type { DnsType } from '../../schedule/check-spec.ts';
import { LocalServer } from './local-server.ts';

const { Packet } = dns2;

/**
 * A DNS server on 127.0.0.1 (UDP, a free port) whose answers can be switched
 * while it runs: the rehearsal's stand-in for the world's resolvers, and the
 * tests' real server. Unknown names get an empty answer (NODATA).
 */
export class LocalDnsServer extends LocalServer<ReturnType<typeof dns2.createUDPServer>> {
  private readonly records = new Map<string, { type: DnsType; values: string[] }>();
  /** When true, questions are read and never answered (a resolver that times out). */
  silent = false;
  /** Questions received, for tests. */
  questions = 0;

  /** Sets what `name` resolves to; an empty list removes it. */
  set(name: string, type: DnsType, values: readonly string[]): void {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (values.length === 0) this.records.delete(key);
    else this.records.set(key, { type, values: [...values] });
  }

  async start(): Promise<this> {
    const server = dns2.createUDPServer((request, send) => {
      this.questions += 1;
      if (this.silent) return;
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const record = question ? this.records.get(question.name.toLowerCase().replace(/\.$/, '')) : undefined;
      if (question && record && question.type === Packet.TYPE[record.type]) {
        for (const value of record.values) {
          response.answers.push({
            name: question.name,
            type: question.type,
            class: Packet.CLASS.IN,
            ttl: 300,
            ...(record.type === 'CNAME' ? { domain: value } : { address: value }),
          } as (typeof response.answers)[number]);
        }
      }
      void send(response).catch(() => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.bind(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    this.server = server;
    this.boundPort = server.address().port;
    return this;
  }

  /** "127.0.0.1:53535", as a check's resolver is written. */
  get address(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

}
