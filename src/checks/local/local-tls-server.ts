import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:tls';
import { generate } from 'selfsigned';
import { LocalServer } from './local-server.ts';

export interface Certificate {
  readonly key: string;
  readonly cert: string;
  /** "AB:CD:…" as node's fingerprint256 writes it. */
  readonly fingerprint: string;
}

/** A throw-away self-signed certificate for `name`, valid from `notBefore` (EC P-256: quick to make). */
export async function makeCertificate(name: string, notBefore: Date): Promise<Certificate> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(Math.max(notBefore.getTime(), Date.now()) + 30 * 86_400_000),
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/**
 * A TLS server on 127.0.0.1 whose certificate can be swapped while it runs,
 * as an operator's load balancer swaps it on the day.
 */
export class LocalTlsServer extends LocalServer<Server> {
  constructor(private certificate: Certificate) {
    super();
  }

  async start(): Promise<this> {
    const server = createServer({ key: this.certificate.key, cert: this.certificate.cert }, (socket) => socket.end());
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
    return this;
  }

  /** New connections get `certificate` from now on. */
  serve(certificate: Certificate): void {
    this.certificate = certificate;
    this.server?.setSecureContext({ key: certificate.key, cert: certificate.cert });
  }

}

