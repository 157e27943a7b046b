import { DateTime, Duration } from 'luxon';
import { statusicon, statuslabel } from '../../render/helpers.ts';
import { finishedCount, type Phase, type Progress, type TaskStatus } from '../../schedule/progress.ts';
import type { ReachabilityView } from '../../core/instance-reachability.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { PostedToot } from '../../adapters/redis/state-store.ts';
import type { EditedText } from '../../core/ports/state-store.ts';
import type { AccountRole } from '../../core/ports/mastodon-account.ts';
import type { CheckRecord } from '../../checks/check-record.ts';
import { publicCheck, type PublicCheck } from '../../checks/public-check.ts';
import { shownStatus, type ShownStatus } from '../../checks/shown-status.ts';
import { actualEnd } from '../../schedule/outcome-time.ts';
import { calendarPath } from '../../render/calendar-url.ts';
import { contactUrl } from '../../render/contact-url.ts';
import { relativeLabel } from './relative-label.ts';

/**
 * What the public sees of one maintenance: the status page, its live updates
 * (SSE), the JSON API and the feed all use this one shape. Every label is
 * already German and in the schedule's time zone, so the page's script only
 * copies text. Nothing here is secret: no pending jobs, no error messages.
 */
export interface PublicView {
  readonly id: string;
  readonly instance: string;
  readonly timezone: string;
  readonly locale: string;
  readonly phase: Phase;
  /** angekündigt, läuft, abgeschlossen, zurückgerollt, abgesagt */
  readonly phaseLabel: string;
  /** One sentence about what the phase means for users. */
  readonly phaseText: string;
  /** State version: goes up with every task change. */
  readonly version: number;
  readonly updatedAt: string;
  /** "15:42 Uhr" */
  readonly updatedLabel: string;
  readonly window: {
    readonly start: string;
    readonly deadline: string;
    readonly expectedEnd: string;
    /** "Sonntag, 12. Februar 2023, 15:00 Uhr" */
    readonly startLabel: string;
    /** "20:00 Uhr" (with the date when it falls on another day) */
    readonly deadlineLabel: string;
    readonly expectedEndLabel: string;
    /** "eine Stunde" */
    readonly downtimeLabel: string;
    /** "Europe/Vienna, MEZ" */
    readonly zoneLabel: string;
    /** Relative to now: "in 12 Min.", "vor 3 Std." */
    readonly startRelative: string;
    readonly expectedEndRelative: string;
    readonly deadlineRelative: string;
  };
  /** When it actually ended and how long it took; null while it has not ended (or was cancelled). */
  readonly ended: { readonly at: string; readonly atLabel: string; readonly durationLabel: string } | null;
  /** The calendar file (/s/:id.ics), relative to Herold's root. */
  readonly calendarUrl: string;
  /** Where to follow while the instance is down: the fallback account and its profile. */
  readonly fallbackAccount: { readonly handle: string; readonly url: string | null } | null;
  readonly progress: { readonly done: number; readonly total: number; readonly label: string };
  readonly tasks: readonly PublicTask[];
  readonly toots: readonly PublicToot[];
  readonly faq: readonly PublicFaqAnswer[];
  readonly contact: string | null;
  readonly statusPage: string | null;
  /** What Herold last saw of the instance itself: null when it answers (or was not asked yet). */
  readonly unreachable: { readonly since: string; readonly label: string } | null;
}

export interface PublicTask {
  readonly id: string;
  readonly title: string;
  readonly plannedAt: string | null;
  /** "15:10" or "—" */
  readonly plannedLabel: string;
  /** "ready": a check saw the task done; the team has yet to confirm it. */
  readonly status: ShownStatus;
  /** offen, läuft, erledigt, Problem, entfällt, bereit */
  readonly statusLabel: string;
  readonly statusIcon: string;
  readonly changedAt: string | null;
  /** "15:12", "seit 15:05" or "—" */
  readonly changedLabel: string;
  readonly note: string | null;
  /** What Herold's own check of this task last saw; null for a task without a check, or before its first run. */
  readonly check: PublicCheck | null;
}

export interface PublicToot {
  /** Herold's id of the toot: "start", "milestone-upgrade", "termin", "start.2" … */
  readonly id: string;
  /** "Ankündigung", "Meilenstein: Upgrade auf Mastodon 4.0" … */
  readonly label: string;
  readonly account: 'primary' | 'fallback';
  /** Only http(s) URLs; anything else is dropped. */
  readonly url: string | null;
  readonly at: string;
  /** "So., 12.02., 15:00" */
  readonly atLabel: string;
  /** What it says (for the progress toot: since its last edit); null where Herold did not keep it. */
  readonly text: string | null;
  /** When it last changed: its last edit, else when it was posted (ISO). */
  readonly updated: string;
}

export interface PublicFaqAnswer {
  readonly id: string;
  readonly title: string;
  /** Plain text, rendered with the live state. */
  readonly answer: string;
}

export const PHASE_LABELS: Record<Phase, string> = {
  announced: 'angekündigt',
  running: 'läuft',
  complete: 'abgeschlossen',
  backout: 'zurückgerollt',
  cancelled: 'abgesagt',
};

function phaseText(phase: Phase, instance: string): string {
  switch (phase) {
    case 'announced':
      return `Die Wartung ist angekündigt. Bis zum Beginn läuft ${instance} ganz normal.`;
    case 'running':
      return `Die Wartung läuft gerade. ${instance} ist in dieser Zeit offline, hier seht ihr jeden Schritt.`;
    case 'complete':
      return `Geschafft: Die Wartung ist abgeschlossen und ${instance} läuft wieder.`;
    case 'backout':
      return `Die Wartung hat nicht geklappt. Wir sind auf die alte Installation zurückgekehrt, ${instance} läuft wie gewohnt.`;
    case 'cancelled':
      return 'Die Wartung ist abgesagt. Den neuen Termin sagen wir rechtzeitig an.';
  }
}

/** A German name for each toot Herold posts, from its toot id. */
export function tootLabel(schedule: Schedule, tootId: string): string {
  const part = /^(.*)\.(\d+)$/.exec(tootId);
  const base = part ? part[1]! : tootId;
  const suffix = part ? ` (Teil ${part[2]})` : '';
  const head = base.split('@')[0]!;
  let label: string;
  if (base === 'start') label = 'Start und laufender Fortschritt';
  else if (base === 'complete') label = 'Abschluss';
  else if (base === 'backout') label = 'Rückkehr zur alten Installation';
  else if (base === 'cancelled') label = 'Absage';
  else if (head === 'date-changed') label = 'Neuer Termin';
  else if (base.startsWith('milestone-')) {
    const task = schedule.tasks.find((t) => t.id === base.slice('milestone-'.length));
    label = task ? `Meilenstein: ${task.title}` : 'Meilenstein';
  } else if (schedule.reminders.some((r) => r.id === head)) label = 'Erinnerung';
  else if (schedule.announcements.some((a) => a.id === base)) label = 'Ankündigung';
  else label = 'Beitrag';
  return label + suffix;
}

/** Only http(s) links reach a page or a feed; a "javascript:" URL from a broken server never does. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export interface PublicViewInput {
  readonly schedule: Schedule;
  readonly progress: Progress;
  readonly posted: readonly (PostedToot & { tootId: string })[];
  readonly version: number;
  readonly faq: readonly PublicFaqAnswer[];
  readonly now: DateTime;
  /** Task checks' results and the tasks they marked ready (task id → ISO time). */
  readonly checks?: ReadonlyMap<string, CheckRecord>;
  readonly ready?: Readonly<Record<string, string>>;
  /** Whether the instance answers Herold; absent: not shown. */
  readonly reachability?: ReachabilityView | null;
  /** What each account's progress toot says since its last edit. */
  readonly edited?: Partial<Record<AccountRole, EditedText>>;
}

/** Pure: the same input gives the same view. */
export function publicView({ schedule, progress, posted, version, faq, now, checks, ready, reachability, edited }: PublicViewInput): PublicView {
  const zone = schedule.timezone;
  const locale = schedule.locale;
  const inZone = (dt: DateTime) => dt.setZone(zone).setLocale(locale);
  const start = inZone(schedule.window.start);
  const deadline = inZone(progress.deadline);
  const expectedEnd = start.plus(schedule.window.expectedDowntime);
  const sameDay = (dt: DateTime) => dt.hasSame(start, 'day');
  const clock = (dt: DateTime) => (sameDay(dt) ? dt.toFormat("HH:mm 'Uhr'") : dt.toFormat("ccc, d. LLLL, HH:mm 'Uhr'"));
  const short = (dt: DateTime) => (sameDay(dt) ? dt.toFormat('HH:mm') : dt.toFormat('dd.MM. HH:mm'));
  const done = finishedCount(schedule, progress);
  const ended = actualEnd(schedule, progress, posted);
  const relative = (dt: DateTime) => relativeLabel(dt, now, locale);
  const fallback = schedule.fallbackAccount;
  const total = schedule.tasks.length;

  return {
    id: schedule.id,
    instance: schedule.instance,
    timezone: zone,
    locale,
    phase: progress.phase,
    phaseLabel: PHASE_LABELS[progress.phase],
    phaseText: phaseText(progress.phase, schedule.instance),
    version,
    updatedAt: now.toISO()!,
    updatedLabel: inZone(now).toFormat(sameDay(inZone(now)) ? "HH:mm 'Uhr'" : "d. LLLL yyyy, HH:mm 'Uhr'"),
    window: {
      start: start.toISO()!,
      deadline: deadline.toISO()!,
      expectedEnd: expectedEnd.toISO()!,
      startLabel: start.toFormat("cccc, d. LLLL yyyy, HH:mm 'Uhr'"),
      deadlineLabel: clock(deadline),
      expectedEndLabel: clock(expectedEnd),
      downtimeLabel: downtime(schedule, locale),
      zoneLabel: `${zone}, ${start.toFormat('ZZZZ')}`,
      startRelative: relative(start),
      expectedEndRelative: relative(expectedEnd),
      deadlineRelative: relative(deadline),
    },
    ended: ended
      ? { at: inZone(ended).toISO()!, atLabel: clock(inZone(ended)), durationLabel: durationLabel(ended.diff(start), locale) }
      : null,
    calendarUrl: calendarPath(schedule.id),
    fallbackAccount: fallback ? { handle: fallback, url: contactUrl(fallback, schedule.instance) } : null,
    progress: { done, total, label: `${done} von ${total} Schritten erledigt` },
    tasks: schedule.tasks.map((task) => {
      const state = progress.tasks[task.id] ?? { status: 'pending' as const, changedAt: null, note: null };
      const changed = state.changedAt ? inZone(state.changedAt) : null;
      const status = shownStatus(state, ready?.[task.id]);
      return {
        id: task.id,
        title: task.title,
        plannedAt: task.at ? inZone(task.at).toISO()! : null,
        plannedLabel: task.at ? short(inZone(task.at)) : '—',
        status,
        statusLabel: status === 'ready' ? 'bereit, wird bestätigt' : statuslabel(status),
        statusIcon: status === 'ready' ? '🔎' : statusicon(status),
        changedAt: changed ? changed.toISO()! : null,
        changedLabel: !changed || state.status === 'pending' ? '—' : state.status === 'running' ? `seit ${short(changed)}` : short(changed),
        note: state.note,
        check: task.check ? publicCheck(task.check, checks?.get(task.id) ?? null, zone, now) : null,
      };
    }),
    toots: posted
      .filter((p) => !p.skipped && p.statusId !== null)
      .map((p) => ({
        id: p.tootId,
        label: tootLabel(schedule, p.tootId) + (p.account === 'fallback' ? ' – über den Ausweich-Account' : ''),
        account: p.account,
        url: safeUrl(p.url),
        at: p.at,
        atLabel: inZone(DateTime.fromISO(p.at)).toFormat("ccc, dd.MM., HH:mm 'Uhr'"),
        ...lastVersion(p, p.tootId === 'start' ? edited?.[p.account] : undefined),
      })),
    faq,
    contact: schedule.contact,
    statusPage: schedule.statusPage,
    unreachable: reachability?.unreachableSince
      ? { since: reachability.unreachableSince, label: `${schedule.instance} ist seit ${clock(inZone(DateTime.fromISO(reachability.unreachableSince)))} nicht erreichbar. Neuigkeiten gibt es weiter hier.` }
      : null,
  };
}

/** A toot's text and time as it stands: after its last edit, else as posted. */
function lastVersion(posted: PostedToot, edit: EditedText | undefined): { text: string | null; updated: string } {
  return edit ? { text: edit.text, updated: edit.at } : { text: posted.text ?? null, updated: posted.at };
}

function downtime(schedule: Schedule, locale: string): string {
  return durationLabel(schedule.window.expectedDowntime, locale);
}

/** "eine Stunde", "1 Stunde, 35 Minuten", "kurz" (under a minute). */
function durationLabel(duration: Duration, locale: string): string {
  const shifted = duration.shiftTo('days', 'hours', 'minutes').mapUnits((n, unit) => (unit === 'minutes' ? Math.floor(n) : n));
  const parts = Object.fromEntries(Object.entries(shifted.toObject()).filter(([, n]) => n !== 0));
  if (Object.keys(parts).length === 0) return 'kurz';
  return Duration.fromObject(parts, { locale }).toHuman({ listStyle: 'long' }).replace(/^1 Stunde$/, 'eine Stunde');
}
