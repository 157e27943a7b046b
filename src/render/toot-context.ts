import type { DnsSpread } from '../checks/dns-spread.ts';
import { Duration, type DateTime } from 'luxon';
import { finishedCount, type Phase, type Progress, type TaskStatus } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { calendarUrl } from './calendar-url.ts';
import { contactUrl } from './contact-url.ts';
import { defuseMentions } from './defuse-mentions.ts';
import { safeText } from './safe-text.ts';

export interface TaskView {
  readonly id: string;
  readonly title: string;
  readonly at: DateTime | null;
  readonly status: TaskStatus;
  readonly doneAt: DateTime | null;
  readonly note: string | null;
  readonly milestone: string | null;
}

/**
 * Everything a template may use. Every key is always present (null when
 * absent) because Handlebars runs in strict mode: a typo in a template is an
 * error at validate time, not a silently empty toot on the day.
 */
export interface TootContext {
  /** The schedule's own facts as written, and what Herold derives from them. */
  readonly schedule: Pick<Schedule, 'id' | 'instance' | 'timezone' | 'locale' | 'statusPage' | 'contact'> & {
    /** The contact's profile URL (https://wien.rocks/@paula): names the contact in answers without mentioning anyone. */
    readonly contactUrl: string | null;
    readonly fallbackAccount: string | null;
    /** The fallback account's profile URL, for answers (a handle would be defused, see contactUrl). */
    readonly fallbackAccountUrl: string | null;
    /** The calendar file of this maintenance (/s/<id>.ics next to a Herold `statusPage`); null without a status page. */
    readonly calendar: string | null;
    readonly reason: string | null;
    readonly mastodonVersion: string | null;
    readonly backoutPosts: 'lost' | 'kept' | null;
  };
  readonly window: {
    readonly start: DateTime;
    /** The deadline in force (extended if the operator extended it). */
    readonly deadline: DateTime;
    readonly expectedDowntime: Duration;
    /** start + expectedDowntime: when the instance should be back. */
    readonly expectedEnd: DateTime;
    /** When the maintenance was declared complete or backed out; null before. */
    readonly endedAt: DateTime | null;
    /** endedAt − start: how long it took; null before the end. */
    readonly duration: Duration | null;
  };
  readonly tasks: readonly TaskView[];
  readonly progress: { readonly done: number; readonly total: number };
  readonly phase: Phase;
  /** The moment the toot is posted (or edited). */
  readonly now: DateTime;
  /**
   * The toot goes out well after its planned time (the instance was down):
   * it must not speak as if the moment had just come ("jetzt").
   */
  readonly late: boolean;
  /** Followers were told about the maintenance beforehand (an announcement or reminder went out). */
  readonly announced: boolean;
  /** Done tasks whose milestone reply was posted: after a back-out, what those replies said no longer holds. */
  readonly revoked: readonly TaskView[];
  /** The announcement or reminder being posted. */
  readonly entry: { readonly id: string; readonly at: DateTime } | null;
  /** The task a milestone toot is about. */
  readonly task: TaskView | null;
  /** For the date-changed toot: the start that was announced before. */
  readonly previousStart: DateTime | null;
  /** How far the DNS change has spread, from the schedule's dns check (docs/checks.md); null without one or before it saw anything. */
  readonly dns: DnsSpread | null;
}

export interface ContextExtras {
  readonly entry?: { id: string; at: DateTime };
  readonly taskId?: string;
  readonly previousStart?: DateTime;
  readonly dns?: DnsSpread | null;
  /** When the toot was due; `late` is true when `now` is more than LATE_AFTER past it. */
  readonly plannedAt?: DateTime;
  /** Default: the schedule has announcements or reminders. */
  readonly announced?: boolean;
}

/** A toot this late no longer says "jetzt". */
export const LATE_AFTER = Duration.fromObject({ minutes: 5 });

export function tootContext(schedule: Schedule, progress: Progress, now: DateTime, extras: ContextExtras = {}): TootContext {
  const zone = schedule.timezone;
  const tasks: TaskView[] = schedule.tasks.map((t) => {
    const state = progress.tasks[t.id];
    const status = state?.status ?? 'pending';
    return {
      id: t.id,
      title: t.title,
      at: t.at,
      status,
      doneAt: status === 'done' && state?.changedAt ? state.changedAt.setZone(zone) : null,
      // Cleaned where notes enter (operator-note.ts); again here for notes stored before that, or by another path.
      note: state?.note ? defuseMentions(safeText(state.note, { newlines: false })) : null,
      milestone: t.milestone,
    };
  });
  return {
    schedule: {
      id: schedule.id,
      instance: schedule.instance,
      timezone: zone,
      locale: schedule.locale,
      statusPage: schedule.statusPage,
      contact: schedule.contact,
      contactUrl: contactUrl(schedule.contact, schedule.instance),
      fallbackAccount: schedule.fallbackAccount,
      fallbackAccountUrl: contactUrl(schedule.fallbackAccount, schedule.instance),
      calendar: calendarUrl(schedule),
      reason: schedule.reason,
      mastodonVersion: schedule.mastodonVersion,
      backoutPosts: schedule.backoutPosts,
    },
    window: {
      start: schedule.window.start,
      deadline: progress.deadline.setZone(zone),
      expectedDowntime: schedule.window.expectedDowntime,
      expectedEnd: schedule.window.start.plus(schedule.window.expectedDowntime),
      endedAt: progress.endedAt ? progress.endedAt.setZone(zone) : null,
      // Whole minutes: "2 Stunden und 20 Minuten", not "20,456 Minuten".
      duration: progress.endedAt ? Duration.fromObject({ minutes: Math.round(progress.endedAt.diff(schedule.window.start).as('minutes')) }) : null,
    },
    tasks,
    progress: { done: finishedCount(schedule, progress), total: schedule.tasks.length },
    phase: progress.phase,
    now: now.setZone(zone),
    late: extras.plannedAt ? now.diff(extras.plannedAt) > LATE_AFTER : false,
    announced: extras.announced ?? schedule.announcements.length + schedule.reminders.length > 0,
    revoked: tasks.filter((t) => t.status === 'done' && t.milestone !== null),
    entry: extras.entry ? { id: extras.entry.id, at: extras.entry.at.setZone(zone) } : null,
    task: extras.taskId ? (tasks.find((t) => t.id === extras.taskId) ?? null) : null,
    previousStart: extras.previousStart ? extras.previousStart.setZone(zone) : null,
    dns: extras.dns ?? null,
  };
}
