import type { Language } from '../faq/language.ts';
import type { DateTime } from 'luxon';
import type { Schedule } from '../schedule/schedule.ts';

/** Toots that the worker posts as new statuses. */
export type PostKind = 'announcement' | 'reminder' | 'start' | 'milestone' | 'complete' | 'backout' | 'date-changed' | 'cancelled' | 'deadline-moved' | 'correction';

export type HeroldJob =
  | {
      readonly type: 'toot';
      readonly scheduleId: string;
      /** Stable per toot: the exactly-once key in state and in the Idempotency-Key. */
      readonly tootId: string;
      readonly kind: PostKind;
      /** The announcement, reminder or task this toot is about. */
      readonly ref: string | null;
      /** Planned time (ISO), for the grace check. */
      readonly at: string;
      readonly previousStart?: string;
    }
  | {
      readonly type: 'progress';
      readonly scheduleId: string;
      readonly version: number;
      /** Set for the catch-up edit queued after the start toot, which needs an id of its own. */
      readonly after?: 'start';
    }
  | { readonly type: 'deadline'; readonly scheduleId: string; readonly deadline: string }
  | {
      /** A direct reply to a user's question (src/replies); the schedule is the one it was picked for. */
      readonly type: 'reply';
      readonly scheduleId: string;
      /** The mention's notification id: the exactly-once key in state and in the Idempotency-Key. */
      readonly notificationId: string;
      /** The question's status, replied to in its thread. */
      readonly statusId: string;
      readonly accountId: string;
      /** Full acct of the asker (user@domain for remote accounts); the reply's only mention. */
      readonly acct: string;
      /** FAQ entry to answer with, 'fallback', or 'thanks' (a favourite, no answer). */
      readonly faqId: string;
      /** The language to answer in; absent in jobs queued before answers had one (German). */
      readonly language?: Language;
      /** When the question was asked (ISO). */
      readonly receivedAt: string;
    }
  | {
      /** One DM to a follower who asked to be told when the maintenance is over. */
      readonly type: 'notify';
      readonly scheduleId: string;
      readonly accountId: string;
      readonly outcome: 'complete' | 'backout';
    };

export const QUEUE_NAME = 'herold';

export function jobId(job: HeroldJob): string {
  switch (job.type) {
    case 'toot':
      return `toot.${job.scheduleId}.${job.tootId}`;
    case 'progress':
      return `progress.${job.scheduleId}.${job.version}${job.after ? `.${job.after}` : ''}`;
    case 'deadline':
      return `deadline.${job.scheduleId}.${job.deadline.replace(/[^0-9TZ+-]/g, '')}`;
    case 'reply':
      return `reply.${job.scheduleId}.${job.notificationId}`;
    case 'notify':
      return `notify.${job.scheduleId}.${job.accountId}`;
  }
}

/** Schedule toots before replies to users (issue 4): lower number, higher priority. */
export const PRIORITY = { schedule: 1, reply: 10 } as const;

/** A toot job for `kind`; `tootId` is the exactly-once key. */
export function tootJob(schedule: Schedule, kind: PostKind, tootId: string, ref: string | null, at: DateTime, previousStart?: DateTime): HeroldJob {
  return {
    type: 'toot',
    scheduleId: schedule.id,
    tootId,
    kind,
    ref,
    at: at.toISO()!,
    ...(previousStart ? { previousStart: previousStart.toISO()! } : {}),
  };
}
