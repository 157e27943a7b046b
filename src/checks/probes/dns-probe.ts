import { Resolver } from 'node:dns/promises';
import type { CheckOf, ProbeResult, ResolverAnswer } from '../../schedule/check-spec.ts';
import { formatEndpoint } from '../../schedule/parse-check.ts';
import { seesNew } from '../propagation.ts';

/**
 * Asks each resolver of a dns check, in parallel, with one try and the
 * check's timeout each (node:dns's Resolver over c-ares; no system cache).
 */
export async function probeDns(spec: CheckOf<'dns'>, timeoutMs: number): Promise<ProbeResult> {
  const targets = spec.resolvers.length > 0 ? spec.resolvers.map((r) => formatEndpoint(r)) : [null];
  const answers = await Promise.all(targets.map((server) => ask(spec, server, timeoutMs)));
  const seeing = answers.filter((a) => a.sees).length;
  const ok = seeing >= spec.minResolvers;
  const sample = answers.find((a) => a.answers.length > 0)?.answers.join(', ');
  const summary =
    answers.length === 1
      ? answers[0]!.error ?? `${spec.name} → ${sample ?? '(keine Antwort)'}`
      : `${seeing} von ${answers.length} Resolvern sehen ${spec.expect.join(', ')}`;
  return { ok, summary, resolvers: answers };
}

async function ask(spec: CheckOf<'dns'>, server: string | null, timeoutMs: number): Promise<ResolverAnswer> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (server) resolver.setServers([server]);
  const name = server ?? resolver.getServers().join(', ');
  const timer = setTimeout(() => resolver.cancel(), timeoutMs + 250);
  try {
    const answers =
      spec.type === 'A' ? await resolver.resolve4(spec.name) : spec.type === 'AAAA' ? await resolver.resolve6(spec.name) : await resolver.resolveCname(spec.name);
    return { resolver: name, sees: seesNew(answers, spec.expect), answers, error: null };
  } catch (error) {
    return { resolver: name, sees: false, answers: [], error: dnsError(error as NodeJS.ErrnoException, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
}

function dnsError(error: NodeJS.ErrnoException, timeoutMs: number): string {
  switch (error.code) {
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return `Zeitüberschreitung nach ${timeoutMs / 1000} s`;
    case 'ENOTFOUND':
    case 'ENODATA':
      return 'Kein Eintrag';
    case 'ECONNREFUSED':
      return 'Resolver nicht erreichbar';
    default:
      return `DNS-Fehler ${error.code ?? error.message}`;
  }
}
