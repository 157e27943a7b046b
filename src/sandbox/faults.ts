/**
 * Faults that hit single writes on a healthy server, unlike the outages in
 * outage.ts that take the whole instance down:
 *
 * - 'slow-commit': the write waits `delayMs` for its database commit before
 *   it takes effect (and before the Idempotency-Key is stored); the answer
 *   then goes out at once. A client that timed out and retries meanwhile
 *   races the first request: Mastodon ≤ 4.5 posts twice, 4.6 answers 503
 *   from its idempotency lock.
 * - 'lost-answer': the write takes effect and the connection is dropped
 *   before a byte of the answer goes out (a proxy restart, a NAT timeout).
 *
 * Both hit writes to statuses only (POST/PUT/PATCH/DELETE under
 * /api/v1/statuses), and `times` limits how many requests they hit.
 * `firstPerKey` narrows a fault to the first request carrying each
 * Idempotency-Key (a client's retry with the same key gets through; writes
 * without a key, such as edits, are not hit).
 */
import { SandboxError } from './api-error.ts';
import type { SandboxFault } from './types.ts';

export const FAULT_KINDS = ['slow-commit', 'lost-answer'] as const;

export class FaultState {
  private fault: SandboxFault | null = null;
  private left = Number.POSITIVE_INFINITY;
  private readonly keysSeen = new Set<string>();

  get current(): SandboxFault | null {
    return this.fault;
  }

  set(fault: SandboxFault | null): void {
    if (fault !== null) {
      if (!(FAULT_KINDS as readonly string[]).includes(fault.kind)) {
        throw new SandboxError(`Unknown fault "${String(fault.kind)}"; use one of ${FAULT_KINDS.join(', ')}.`);
      }
      if (fault.kind === 'slow-commit' && !(fault.delayMs >= 0)) {
        throw new SandboxError(`slow-commit needs delayMs of zero or more milliseconds; got ${fault.delayMs}.`);
      }
      if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
        throw new SandboxError(`A fault's times must be a positive whole number; got ${fault.times}.`);
      }
    }
    this.fault = fault === null ? null : { ...fault };
    this.left = fault?.times ?? Number.POSITIVE_INFINITY;
    // A new fault starts over: keys the previous one saw are fair game again.
    this.keysSeen.clear();
  }

  /** The fault that hits this request, counting it against `times`; null if none does. */
  take(method: string, path: string, idempotencyKey: string | null = null): SandboxFault | null {
    if (this.fault === null || method === 'GET' || !path.startsWith('/api/v1/statuses')) return null;
    const fault = this.fault;
    if (fault.firstPerKey) {
      if (idempotencyKey === null || this.keysSeen.has(idempotencyKey)) return null;
      this.keysSeen.add(idempotencyKey);
    }
    this.left -= 1;
    if (this.left <= 0) this.fault = null;
    return fault;
  }
}
