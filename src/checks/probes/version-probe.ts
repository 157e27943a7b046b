import type { CheckOf, ProbeResult } from '../../schedule/check-spec.ts';
import { versionMatches } from '../version-match.ts';
import { fetchError } from './http-probe.ts';

/**
 * Reads the version the instance reports in GET /api/v1/instance (public,
 * no token needed, present in every Mastodon version Herold speaks to).
 */
export async function probeMastodonVersion(spec: CheckOf<'mastodonVersion'>, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(`${spec.url}/api/v1/instance`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) return { ok: false, summary: `HTTP ${response.status}` };
    const body = (await response.json().catch(() => null)) as { version?: unknown } | null;
    if (typeof body?.version !== 'string') return { ok: false, summary: 'Keine Versionsangabe' };
    return { ok: versionMatches(body.version, spec.range), summary: `Version ${body.version}` };
  } catch (error) {
    return { ok: false, summary: fetchError(error, timeoutMs) };
  }
}
