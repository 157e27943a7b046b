import type { DateTime, Duration } from 'luxon';
import type { CheckSpec } from '../checks/check-spec.ts';

/** The kinds of toot a schedule produces, each with its own template. */
export const TOOT_KINDS = [
  'announcement',
  'reminder',
  'start',
  'progress',
  'milestone',
  'complete',
  'backout',
  'date-changed',
  'cancelled',
] as const;
export type TootKind = (typeof TOOT_KINDS)[number];

/** Kinds whose template is fixed per schedule (announcements and reminders name theirs per entry). */
export type WindowTootKind = Exclude<TootKind, 'announcement' | 'reminder'>;

export interface Announcement {
  readonly id: string;
  readonly at: DateTime;
  readonly template: string;
}

export interface Reminder {
  readonly id: string;
  /** How long before window.start, as written. */
  readonly before: Duration;
  /** window.start minus `before`, in the schedule's zone. */
  readonly at: DateTime;
  readonly template: string;
}

export interface Task {
  readonly id: string;
  readonly title: string;
  /** Planned time shown in the progress table, if any. */
  readonly at: DateTime | null;
  /** When set, finishing this task is also announced as a reply; the text is the operator's own addition. */
  readonly milestone: string | null;
  /** Herold watches the world and confirms the task itself (docs/checks.md); null without a check. */
  readonly check: CheckSpec | null;
}

/** One maintenance, loaded and checked. All times are in `timezone`. */
export interface Schedule {
  readonly file: string;
  readonly id: string;
  readonly instance: string;
  readonly timezone: string;
  readonly locale: string;
  readonly statusPage: string | null;
  readonly contact: string | null;
  /** The character limit toots are checked against before the day (the instance's limit wins at run time). */
  readonly maxCharacters: number;
  /** Directory holding the `*.hbs` templates. */
  readonly templatesDir: string;
  readonly window: {
    readonly start: DateTime;
    readonly deadline: DateTime;
    readonly expectedDowntime: Duration;
  };
  readonly announcements: readonly Announcement[];
  readonly reminders: readonly Reminder[];
  readonly tasks: readonly Task[];
  /** Template used for each window toot kind. */
  readonly templates: Readonly<Record<WindowTootKind, string>>;
}
