import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Intake } from '../../core/intake.ts';
import type { ReplyStore } from '../redis/reply-store.ts';
import { newestId, oldestFirst } from '../../replies/triage.ts';
import type { IncomingNotification } from '../../replies/types.ts';
import { MAX_PAGE, type MastoNotifications } from './notifications.ts';

export interface PollCounts {
  polled: number;
  pollRequests: number;
}

export interface MentionPollerDeps {
  readonly source: Pick<MastoNotifications, 'mentions'>;
  readonly store: ReplyStore;
  readonly intake: Pick<Intake, 'handle'>;
  /** On the first start (no cursor yet), mentions older than this are left alone. */
  readonly maxAgeMs: number;
  /** Polling budget of all processes together; Mastodon allows 300 paging requests per 15 minutes. */
  readonly budget: { readonly limit: number; readonly windowMs: number };
  readonly log: Logger;
  readonly counts: PollCounts;
  /** True once the listener closes: paging stops after the page at hand. */
  readonly stopped: () => boolean;
}

/**
 * One catch-up on mentions by polling, under a lock all processes share:
 * pages forward from the cursor (Redis), queueing each page's mentions
 * before the cursor moves past them. Without a cursor (the first start on
 * this instance or prefix) it answers the last `maxAgeMs` and starts the
 * cursor at the newest mention.
 */
export class MentionPoller {
  private readonly token = randomUUID();
  private budgetWarned = false;

  constructor(private readonly deps: MentionPollerDeps) {}

  /**
   * Catches up once. Returns a time (epoch ms) to wait for when the polling
   * budget says stop, else null (also when another process holds the lock).
   */
  async catchUp(): Promise<number | null> {
    const { store } = this.deps;
    // The lock lives long enough for a big catch-up; it is released at the end.
    if (!(await store.tryPollLock(this.token, 60_000))) return null;
    try {
      const cursor = await store.cursor();
      return cursor === null ? await this.firstStart() : await this.forward(cursor);
    } finally {
      await store.releasePollLock(this.token).catch(() => undefined);
    }
  }

  /** Whether one more request may go out now; else the time to try again. */
  private async mayRequest(): Promise<number | null> {
    // The account's rate gate (in the notifications client) holds a poll back while the instance
    // refuses the account or when only the schedule's share is left; this is the paging budget of polling.
    const { limit, windowMs } = this.deps.budget;
    if (await this.deps.store.takePollRequest(limit, windowMs)) {
      this.deps.counts.pollRequests += 1;
      return null;
    }
    if (!this.budgetWarned) this.deps.log.warn(`The polling budget (${limit} requests per ${Math.round(windowMs / 60_000)} min) is used up; polling waits for the next window.`);
    this.budgetWarned = true;
    return (Math.floor(Date.now() / windowMs) + 1) * windowMs;
  }

  private async queue(mentions: readonly IncomingNotification[]): Promise<void> {
    for (const n of oldestFirst(mentions)) {
      this.deps.counts.polled += 1;
      await this.deps.intake.handle(n);
    }
  }

  /** Pages forward from the cursor (min_id, oldest page first) until caught up. */
  private async forward(from: string): Promise<number | null> {
    let cursor = from;
    for (;;) {
      const wait = await this.mayRequest();
      if (wait !== null) return wait;
      const page = await this.deps.source.mentions({ minId: cursor });
      if (page.length === 0) return null;
      await this.queue(page);
      cursor = newestId(page)!;
      await this.deps.store.advanceCursor(cursor);
      if (page.length < MAX_PAGE || this.deps.stopped()) return null;
    }
  }

  /** No cursor yet: the questions of the last `maxAgeMs` are answered, older ones left alone. */
  private async firstStart(): Promise<number | null> {
    const notBefore = Date.now() - this.deps.maxAgeMs;
    const fresh: IncomingNotification[] = [];
    let newest: string | null = null;
    let maxId: string | undefined;
    let old = 0;
    for (;;) {
      const wait = await this.mayRequest();
      if (wait !== null) return wait;
      const page = await this.deps.source.mentions({ maxId });
      if (page.length === 0) break;
      newest ??= newestId(page);
      for (const n of page) {
        if (Date.parse(n.createdAt) >= notBefore) fresh.push(n);
        else old += 1;
      }
      const oldest = oldestFirst(page)[0]!;
      if (page.length < MAX_PAGE || Date.parse(oldest.createdAt) < notBefore) break;
      maxId = oldest.id;
    }
    await this.queue(fresh);
    await this.deps.store.advanceCursor(newest ?? '0');
    this.deps.log.info(
      { answering: fresh.length, leftAlone: old },
      `First start: answering ${fresh.length} mention(s) from the last ${Math.round(this.deps.maxAgeMs / 60_000)} min${old > 0 ? `, leaving ${old} older one(s) alone` : ''}.`,
    );
    return null;
  }
}
