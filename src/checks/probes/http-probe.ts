import type { CheckOf, ProbeResult } from '../../schedule/check-spec.ts';

/** The most of a body read to look for `contains`; a health page is small. */
const MAX_BODY = 64 * 1024;

/** Fetches the URL (following redirects) and compares status and body. */
export async function probeHttp(spec: CheckOf<'http'>, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(spec.url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'Herold (maintenance check)' } });
    const body = (await response.text()).slice(0, MAX_BODY);
    const statusOk = response.status === spec.status;
    const containsOk = spec.contains === null || body.includes(spec.contains);
    const summary = `HTTP ${response.status}${spec.contains !== null && statusOk && !containsOk ? `, ohne „${spec.contains}“` : ''}`;
    return { ok: statusOk && containsOk, summary };
  } catch (error) {
    return { ok: false, summary: fetchError(error, timeoutMs) };
  }
}

/** One German line for a failed fetch: timeout, refused, or the cause's code. */
export function fetchError(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: NodeJS.ErrnoException };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `Zeitüberschreitung nach ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'Verbindung abgelehnt';
  if (code === 'ENOTFOUND') return 'Name nicht gefunden';
  return `Nicht erreichbar (${code ?? e.message})`;
}
