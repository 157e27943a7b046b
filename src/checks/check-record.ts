import type { CheckKind, ResolverAnswer } from '../schedule/check-spec.ts';
import { NO_STREAK, type Streak } from './check-streak.ts';

/** What Herold knows about one task's check, as stored in Redis after each run. */
export interface CheckRecord {
  readonly taskId: string;
  readonly kind: CheckKind;
  /** What it looks at, in one line. */
  readonly target: string;
  /** The last run (ISO, on the schedule's clock); null before the first. */
  readonly checkedAt: string | null;
  /** The last single result and what it saw. */
  readonly ok: boolean | null;
  readonly summary: string | null;
  readonly streak: Streak;
  /** DNS: each resolver's last answer. */
  readonly resolvers: readonly ResolverAnswer[] | null;
  /** DNS: when a resolver first saw the new address. */
  readonly firstSeenAt: string | null;
  /** What the check did to its task, and when. */
  readonly acted: { readonly action: 'ready' | 'done'; readonly at: string } | null;
  /** The run's sequence number in its chain of scheduled jobs. */
  readonly seq: number;
  /** Why the check stopped looking, once it has. */
  readonly stopped: string | null;
}

/** One turn of the verdict, kept as a log. */
export interface CheckChange {
  readonly at: string;
  readonly passing: boolean;
  readonly summary: string;
}

export function emptyRecord(taskId: string, kind: CheckKind, target: string): CheckRecord {
  return { taskId, kind, target, checkedAt: null, ok: null, summary: null, streak: NO_STREAK, resolvers: null, firstSeenAt: null, acted: null, seq: -1, stopped: null };
}
