import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `ms` real milliseconds, or until `signal` aborts. Never early: Node
 * truncates fractional delays, and a question at 19:00 must not show 18:59.
 */
export function waitReal(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(Math.max(0, Math.ceil(ms) + 1), undefined, { signal }).catch((error: unknown) => {
    if (!signal?.aborted) throw error;
  });
}
