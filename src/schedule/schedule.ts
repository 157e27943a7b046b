import type { DateTime, Duration } from 'luxon';
import type { CheckSpec } from './check-spec.ts';
import type { Problem } from '../errors.ts';

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
  'deadline-moved',
  'correction',
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
  /** Where followers find news while the instance is down, e.g. "@wienrocks@mastodon.social" (the account of FALLBACK_MASTODON_URL). */
  readonly fallbackAccount: string | null;
  /** Why the maintenance happens, as a sentence for followers. */
  readonly reason: string | null;
  /** The Mastodon version the instance runs after the maintenance, e.g. "4.0". */
  readonly mastodonVersion: string | null;
  /** After a back-out: are posts written on the new installation after the switch lost or carried back? null: the schedule does not say. */
  readonly backoutPosts: 'lost' | 'kept' | null;
  /** The character limit toots are checked against before the day (the instance's limit wins at run time). */
  readonly maxCharacters: number;
  /**
   * Directories holding the `*.hbs` templates, most specific first: the
   * schedule's own `templates.dir`, then the locale's variant (templates/de-AT)
   * and its base language (templates/de). A template is taken from the first
   * directory that has it.
   */
  readonly templateDirs: readonly string[];
  readonly window: {
    readonly start: DateTime;
    readonly deadline: DateTime;
    readonly expectedDowntime: Duration;
  };
  readonly announcements: readonly Announcement[];
  readonly reminders: readonly Reminder[];
  /** In planned-time order (a task without a time goes with the task before it in the file). */
  readonly tasks: readonly Task[];
  /** Things `herold validate` points out that do not stop the schedule from working. */
  readonly warnings: readonly Problem[];
  /** Template used for each window toot kind. */
  readonly templates: Readonly<Record<WindowTootKind, string>>;
}
