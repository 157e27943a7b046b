import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { CheckOf, ProbeResult } from '../../schedule/check-spec.ts';
import { formatEndpoint } from '../../schedule/parse-check.ts';

/**
 * Connects, reads the certificate the server presents for the check's name,
 * and compares it by issue date or SHA-256 fingerprint. Trust is not judged:
 * the question is only which certificate is served.
 */
export function probeTls(spec: CheckOf<'tls'>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const where = formatEndpoint(spec.endpoint);
    const socket = connect({
      host: spec.endpoint.host,
      port: spec.endpoint.port,
      ...(spec.servername && isIP(spec.servername) === 0 ? { servername: spec.servername } : {}),
      rejectUnauthorized: false,
    });
    const finish = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, summary: `Zeitüberschreitung nach ${timeoutMs / 1000} s bei ${where}` }), timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, summary: `${where}: ${error.code ?? error.message}` }));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!cert || !cert.fingerprint256) return finish({ ok: false, summary: `${where} zeigt kein Zertifikat` });
      const issued = new Date(cert.valid_from);
      const issuedOk = spec.issuedAfter === null || issued.getTime() >= spec.issuedAfter.toMillis();
      const fingerprintOk = spec.fingerprint === null || cert.fingerprint256.toUpperCase() === spec.fingerprint;
      const day = issued.toISOString().slice(0, 16).replace('T', ' ');
      finish({ ok: issuedOk && fingerprintOk, summary: `Zertifikat ausgestellt ${day} UTC, SHA-256 ${cert.fingerprint256.slice(0, 11)}…` });
    });
  });
}
