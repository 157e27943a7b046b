import type { DateTime } from 'luxon';
import type { Sandbox, SandboxStatus } from '../sandbox/index.ts';
import type { TaskStatus } from '../schedule/progress.ts';
import { tootIdOfPostKey } from '../schedule/toot-ids.ts';

/** What the transcript shows, each at a virtual time. */
export type TranscriptEvent =
  | {
      readonly type: 'toot';
      readonly at: DateTime;
      readonly statusId: string;
      /** Herold's toot id from the Idempotency-Key, e.g. "start" or "milestone-dns". */
      readonly tootId: string | null;
      /** `post`: a new toot; `thread`: a reply in Herold's own thread; `reply`: an answer to a user. */
      readonly kind: 'post' | 'thread' | 'reply';
      readonly to: string | null;
      readonly text: string;
      readonly url: string;
      readonly duplicate: boolean;
      /** The account it went out on when not the primary, e.g. "@wienrocks@mastodon.social" (the fallback during an outage). */
      readonly account?: string;
    }
  | { readonly type: 'edit'; readonly at: DateTime; readonly statusId: string; readonly tootId: string | null; readonly before: string; readonly after: string; readonly account?: string }
  | { readonly type: 'pin'; readonly at: DateTime; readonly statusId: string; readonly tootId: string | null; readonly pinned: boolean }
  | { readonly type: 'delete'; readonly at: DateTime; readonly statusId: string; readonly tootId: string | null }
  | { readonly type: 'question'; readonly at: DateTime; readonly statusId: string; readonly user: string; readonly text: string }
  | { readonly type: 'task'; readonly at: DateTime; readonly taskId: string; readonly title: string; readonly status: TaskStatus; readonly note: string | null }
  | { readonly type: 'window'; readonly at: DateTime; readonly text: string }
  /** The world a task check looks at changed (the rehearsal's local stand-ins). */
  | { readonly type: 'world'; readonly at: DateTime; readonly taskId: string; readonly text: string }
  /** What a task check saw and did. */
  | { readonly type: 'check'; readonly at: DateTime; readonly taskId: string; readonly title: string; readonly text: string }
  /** `followAt`: where followers can follow while the instance is down ("auf https://…", "bei @x@y"). */
  | { readonly type: 'outage'; readonly at: DateTime; readonly down: boolean; readonly followAt?: readonly string[] }
  | { readonly type: 'skipped'; readonly at: DateTime; readonly tootId: string; readonly reason: string }
  | { readonly type: 'failure'; readonly at: DateTime; readonly tootId: string; readonly message: string };

interface Seen {
  revisions: number;
  pinned: boolean;
  deleted: boolean;
}

export interface ObserverCounts {
  /** New statuses of the bot that are not answers to users. */
  readonly toots: number;
  readonly edits: number;
  /** Answers to users' questions. */
  readonly replies: number;
  readonly questions: number;
  /** Questions that got at least one answer. */
  readonly answered: number;
  readonly duplicates: number;
  readonly rateLimited: number;
}

/**
 * Watches the sandbox from the outside, like a follower would: polls its
 * statuses (with their edit history) and turns what changed into transcript
 * events. Times come from the sandbox's real timestamps, mapped onto the
 * virtual clock.
 */
export class SandboxObserver {
  private readonly seen = new Map<string, Seen>();
  private readonly keys = new Set<string>();
  private readonly answeredQuestions = new Set<string>();
  private counts = { toots: 0, edits: 0, replies: 0, questions: 0, duplicates: 0 };
  private lastChangeAt = 0;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly bot: string,
    private readonly scheduleId: string,
    private readonly toVirtual: (realMs: number) => DateTime,
    /** Names the account on toots and edits: set when watching the fallback account's instance. */
    private readonly account?: string,
  ) {}

  /** Herold's toot id from an Idempotency-Key `herold.<schedule>.<toot>.<account>`. */
  tootIdOf(status: SandboxStatus): string | null {
    return tootIdOfPostKey(status.idempotencyKey, this.scheduleId);
  }

  /** Real epoch ms of the last change seen. */
  get quietSince(): number {
    return this.lastChangeAt;
  }

  /** Looks at the sandbox once; returns the new events in time order. */
  poll(): TranscriptEvent[] {
    const events: TranscriptEvent[] = [];
    const statuses = this.sandbox.statuses();
    const byId = new Map(statuses.map((s) => [s.id, s]));
    for (const status of statuses) {
      let seen = this.seen.get(status.id);
      const tootId = this.tootIdOf(status);
      if (!seen) {
        seen = { revisions: 1, pinned: false, deleted: false };
        this.seen.set(status.id, seen);
        const first = status.history[0]!;
        const at = this.time(first.createdAt);
        if (status.username === this.bot) {
          const parent = status.inReplyToId ? byId.get(status.inReplyToId) : undefined;
          const kind = parent && parent.username !== this.bot ? 'reply' : parent ? 'thread' : 'post';
          // The same toot twice (same key), or a second answer to the same question, is a duplicate.
          const dedupe = status.idempotencyKey ? `key:${status.idempotencyKey}` : kind === 'reply' ? `reply:${status.inReplyToId}` : null;
          const duplicate = dedupe !== null && (this.keys.has(dedupe) || (kind === 'reply' && this.answeredQuestions.has(status.inReplyToId!)));
          if (dedupe) this.keys.add(dedupe);
          if (kind === 'reply') {
            this.counts.replies += 1;
            this.answeredQuestions.add(status.inReplyToId!);
          } else {
            this.counts.toots += 1;
          }
          if (duplicate) this.counts.duplicates += 1;
          const account = this.account ? { account: this.account } : {};
          events.push({ type: 'toot', at, statusId: status.id, tootId, kind, to: parent && kind === 'reply' ? parent.username : null, text: first.text, url: status.url, duplicate, ...account });
        } else {
          this.counts.questions += 1;
          events.push({ type: 'question', at, statusId: status.id, user: status.username, text: first.text });
        }
      }
      for (let i = seen.revisions; i < status.history.length; i++) {
        const before = status.history[i - 1]!;
        const after = status.history[i]!;
        this.counts.edits += 1;
        events.push({ type: 'edit', at: this.time(after.createdAt), statusId: status.id, tootId, before: before.text, after: after.text, ...(this.account ? { account: this.account } : {}) });
      }
      seen.revisions = status.history.length;
      if (status.pinned !== seen.pinned) {
        seen.pinned = status.pinned;
        // The sandbox records when the pin or unpin request came in.
        const path = `/api/v1/statuses/${status.id}/${status.pinned ? 'pin' : 'unpin'}`;
        const request = this.sandbox.requests().findLast((r) => r.path === path && r.status === 200);
        events.push({ type: 'pin', at: this.toVirtual(request?.at ?? Date.now()), statusId: status.id, tootId, pinned: status.pinned });
      }
      if (status.deletedAt && !seen.deleted) {
        seen.deleted = true;
        events.push({ type: 'delete', at: this.time(status.deletedAt), statusId: status.id, tootId });
      }
    }
    if (events.length > 0) this.lastChangeAt = Date.now();
    return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.toMillis() - b.e.at.toMillis() || a.i - b.i).map(({ e }) => e);
  }

  private time(iso: string): DateTime {
    return this.toVirtual(Date.parse(iso));
  }

  /** The text a toot with this id shows now (after its edits); undefined when it is not out. */
  currentText(tootId: string): string | undefined {
    return this.posted(tootId)?.text;
  }

  /** Whether a toot with this id is out (and not deleted). */
  posted(tootId: string): SandboxStatus | undefined {
    return this.sandbox.statuses().find((s) => !s.deletedAt && s.username === this.bot && this.tootIdOf(s) === tootId);
  }

  /** How many of the given questions (status ids) have an answer. */
  answered(questionIds: Iterable<string>): number {
    let n = 0;
    for (const id of questionIds) if (this.answeredQuestions.has(id)) n += 1;
    return n;
  }

  summary(): ObserverCounts {
    return {
      ...this.counts,
      answered: this.answeredQuestions.size,
      rateLimited: this.sandbox.requests().filter((r) => r.status === 429).length,
    };
  }
}
