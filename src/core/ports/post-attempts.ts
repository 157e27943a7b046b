/** A POST that was sent (or about to be) but whose answer Herold has not recorded yet. */
export interface PostAttempt {
  /** Epoch ms of the first attempt: the lookup ignores older statuses. */
  readonly firstAt: number;
  /** Until this time (epoch ms) the instance may still commit an earlier attempt: an empty lookup proves nothing before it. */
  readonly settleAt: number;
  /** Every text sent under this key (a retry renders again, and "in 2 Stunden" may have become "in 1 Stunde"). */
  readonly texts: readonly string[];
}

/**
 * "Maybe posted" markers, one per Idempotency-Key: written before each POST
 * and removed once the status id is recorded, so a marker that outlives its
 * job means: look on the server before posting again (src/core/post-once.ts).
 */
export interface PostAttempts {
  get(idempotencyKey: string): Promise<PostAttempt | null>;
  /** Notes a POST about to be sent; it may commit until `settleAt`. Only the job holding the key's lock calls this. */
  begin(idempotencyKey: string, text: string, now: number, settleAt: number): Promise<void>;
  /** Moves the time from which an empty lookup can be trusted. */
  settle(idempotencyKey: string, settleAt: number): Promise<void>;
  /** The status is recorded (or nothing was ever sent): no lookup needed any more. */
  forget(idempotencyKey: string): Promise<void>;
  /** Claims a found status for one key, so a lookup for another toot with the same text never takes it; true when it is this key's. */
  claim(statusId: string, idempotencyKey: string): Promise<boolean>;
  /** True when another key has claimed `statusId`. */
  takenByOther(statusId: string, idempotencyKey: string): Promise<boolean>;
  /** Keys with a marker, for `herold status` and tests. */
  all(): Promise<Record<string, PostAttempt>>;
}
