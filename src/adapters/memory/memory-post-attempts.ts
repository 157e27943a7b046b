import type { PostAttempt, PostAttempts } from '../../core/ports/post-attempts.ts';

/** "Maybe posted" markers in memory; same contract as the Redis ones (test/adapters/post-attempts.contract.ts). */
export class MemoryPostAttempts implements PostAttempts {
  private readonly markers = new Map<string, PostAttempt>();
  private readonly claims = new Map<string, string>();

  async get(idempotencyKey: string): Promise<PostAttempt | null> {
    return this.markers.get(idempotencyKey) ?? null;
  }

  async begin(idempotencyKey: string, text: string, now: number, settleAt: number): Promise<void> {
    const previous = this.markers.get(idempotencyKey);
    const texts = previous ? [...new Set([...previous.texts, text])] : [text];
    this.markers.set(idempotencyKey, { firstAt: previous?.firstAt ?? now, settleAt, texts });
  }

  async settle(idempotencyKey: string, settleAt: number): Promise<void> {
    const previous = this.markers.get(idempotencyKey);
    if (previous) this.markers.set(idempotencyKey, { ...previous, settleAt });
  }

  async forget(idempotencyKey: string): Promise<void> {
    this.markers.delete(idempotencyKey);
  }

  async claim(statusId: string, idempotencyKey: string): Promise<boolean> {
    if (!this.claims.has(statusId)) this.claims.set(statusId, idempotencyKey);
    return this.claims.get(statusId) === idempotencyKey;
  }

  async takenByOther(statusId: string, idempotencyKey: string): Promise<boolean> {
    const owner = this.claims.get(statusId);
    return owner !== undefined && owner !== idempotencyKey;
  }

  async all(): Promise<Record<string, PostAttempt>> {
    return Object.fromEntries(this.markers);
  }
}
