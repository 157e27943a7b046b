import type { CheckSpec, ProbeResult } from '../schedule/check-spec.ts';
import { probeDns } from './probes/dns-probe.ts';
import { probeHttp } from './probes/http-probe.ts';
import { probeTls } from './probes/tls-probe.ts';
import { probeMastodonVersion } from './probes/version-probe.ts';

/** Looks once, within the check's timeout. Never throws: a probe that cannot look has failed. */
export async function probe(spec: CheckSpec): Promise<ProbeResult> {
  const timeoutMs = spec.timeout.toMillis();
  try {
    switch (spec.kind) {
      case 'mastodonVersion':
        return await probeMastodonVersion(spec, timeoutMs);
      case 'dns':
        return await probeDns(spec, timeoutMs);
      case 'tls':
        return await probeTls(spec, timeoutMs);
      case 'http':
        return await probeHttp(spec, timeoutMs);
    }
  } catch (error) {
    return { ok: false, summary: `Prüfung fehlgeschlagen: ${(error as Error).message}` };
  }
}

/** What a check looks at, in one line: "https://wien.rocks/health", "wien.rocks A über 9.9.9.9:53, 1.1.1.1:53". */
export function checkTarget(spec: CheckSpec): string {
  switch (spec.kind) {
    case 'mastodonVersion':
      return `${spec.url} (Version ${spec.range})`;
    case 'dns':
      return `${spec.name} ${spec.type} = ${spec.expect.join(', ')}`;
    case 'tls':
      return `${spec.endpoint.host}:${spec.endpoint.port}`;
    case 'http':
      return spec.url;
  }
}
