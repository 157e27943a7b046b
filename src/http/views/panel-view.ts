import { DateTime } from 'luxon';
import type { ReachabilityView } from '../../core/instance-reachability.ts';
import type { StatusReport } from '../../core/operations.ts';
import type { HeroldJob } from '../../core/jobs.ts';
import type { OpenQuestion } from '../../core/ports/reply-store.ts';
import { statusicon, statuslabel } from '../../render/helpers.ts';
import { safeText } from '../../render/safe-text.ts';
import { tootIdOfPostKey } from '../../schedule/toot-ids.ts';
import { PHASE_LABELS, safeUrl, tootLabel } from './public-view.ts';

/**
 * What the operator panel shows of one maintenance. Unlike the public view
 * it has the operator's side: pending jobs, failures, rate budgets, open
 * questions. Every label is German and in the schedule's zone, so the page
 * (and its live updates) only place text; every text from elsewhere (notes,
 * questions, error messages) is cleaned of control and bidi characters here
 * and HTML-escaped by the template.
 */
export interface PanelView {
  readonly version: number;
  readonly id: string;
  readonly instance: string;
  readonly phase: StatusReport['phase'];
  readonly phaseLabel: string;
  /** announced or running: tasks, the deadline and the outcome may still change. */
  readonly open: boolean;
  /** The window in the schedule's zone, as the status page shows it. */
  readonly window: {
    readonly startLabel: string;
    readonly deadlineLabel: string;
    /** The deadline as a datetime-local value ("2026-11-29T20:00"), for the extend form. */
    readonly deadlineInput: string;
    readonly zone: string;
  };
  readonly progressLabel: string;
  /** Posts sent whose answer never came: Herold looks on the instance before it posts again. */
  readonly unconfirmed: readonly { readonly label: string; readonly sinceLabel: string }[];
  readonly tasks: readonly PanelTask[];
  /** Every toot posted (or skipped), with its link. */
  readonly toots: readonly PanelToot[];
  /** Whether the instance answers, as the status page says it. */
  readonly reachability: { readonly state: 'ok' | 'down' | 'unknown'; readonly label: string };
  /** Jobs still waiting in the queue. */
  readonly pending: readonly PanelJob[];
  /** What went wrong and was given up, as `herold status` shows it. */
  readonly failures: readonly PanelFailure[];
  readonly budgets: readonly PanelBudget[];
  readonly questions: readonly PanelQuestion[];
}

export interface PanelTask {
  readonly id: string;
  readonly title: string;
  readonly plannedLabel: string;
  readonly status: string;
  readonly statusLabel: string;
  readonly statusIcon: string;
  readonly changedLabel: string;
  readonly note: string | null;
  /** Done, it posts a milestone toot: its note is public. */
  readonly milestone: boolean;
  /** A check saw it done; one tap on "erledigt" confirms it. */
  readonly ready: boolean;
}

export interface PanelToot {
  readonly label: string;
  readonly url: string | null;
  readonly atLabel: string;
  readonly account: string;
  /** Why it was not posted (e.g. too late), or null. */
  readonly skipped: string | null;
}

export interface PanelJob {
  readonly label: string;
  readonly dueLabel: string;
  readonly stateLabel: string;
}

export interface PanelFailure {
  readonly label: string;
  readonly atLabel: string;
  readonly message: string;
}

export interface PanelBudget {
  readonly label: string;
  readonly remaining: number;
  readonly limit: number;
  readonly resetLabel: string;
  readonly blockedLabel: string | null;
  /** Less than a fifth left, or blocked. */
  readonly low: boolean;
}

export interface PanelQuestion {
  readonly id: string;
  readonly acct: string;
  readonly direct: boolean;
  readonly text: string;
  readonly url: string | null;
  readonly atLabel: string;
}

export interface PanelViewInput {
  readonly report: StatusReport;
  readonly questions: readonly OpenQuestion[];
  readonly reachability: ReachabilityView | null;
  readonly now: DateTime;
}

const JOB_STATES: Record<string, string> = { delayed: 'geplant', waiting: 'wartet', active: 'läuft gerade', prioritized: 'wartet', 'waiting-children': 'wartet', paused: 'angehalten', failed: 'fehlgeschlagen' };

const BUCKET_LABELS: Record<string, string> = { token: 'Anfragen (Token)', account: 'Anfragen (Konto)', paging: 'Listen abrufen', statuses: 'Toots und Bearbeitungen (3 h)' };

const clean = (text: string) => safeText(text, { newlines: false });

/** Pure: the same input gives the same view. */
export function panelView({ report, questions, reachability, now }: PanelViewInput): PanelView {
  const { schedule } = report;
  const zone = schedule.timezone;
  const inZone = (dt: DateTime) => dt.setZone(zone).setLocale(schedule.locale);
  const start = inZone(schedule.window.start);
  const sameDay = (dt: DateTime) => dt.hasSame(start, 'day');
  const clock = (dt: DateTime) => (sameDay(dt) ? dt.toFormat("HH:mm 'Uhr'") : dt.toFormat("ccc, d. LLL, HH:mm 'Uhr'"));
  const short = (dt: DateTime) => (sameDay(dt) ? dt.toFormat('HH:mm') : dt.toFormat('dd.MM. HH:mm'));
  const fromMs = (ms: number) => inZone(DateTime.fromMillis(ms));
  const deadline = inZone(report.deadline);
  const finished = report.tasks.filter((t) => t.status === 'done' || t.status === 'skipped').length;
  const outcomeReached = report.phase !== 'announced' && report.phase !== 'running';

  return {
    version: report.tasks.reduce((n, t) => Math.max(n, t.changedAt?.toMillis() ?? 0), 0) + report.posted.length + report.events.length,
    id: schedule.id,
    instance: schedule.instance,
    phase: report.phase,
    phaseLabel: PHASE_LABELS[report.phase],
    open: !outcomeReached,
    window: {
      startLabel: start.toFormat("cccc, d. LLLL yyyy, HH:mm 'Uhr'"),
      deadlineLabel: clock(deadline),
      deadlineInput: deadline.toFormat("yyyy-MM-dd'T'HH:mm"),
      zone,
    },
    progressLabel: `${finished} von ${report.tasks.length} Schritten erledigt`,
    tasks: report.tasks.map((task) => {
      const ready = task.status === 'ready';
      const changed = task.changedAt ? inZone(task.changedAt) : null;
      const spec = schedule.tasks.find((t) => t.id === task.id);
      return {
        id: task.id,
        title: clean(task.title),
        plannedLabel: task.at ? short(inZone(task.at)) : '—',
        status: task.status,
        statusLabel: ready ? 'bereit: bitte bestätigen' : statuslabel(task.status),
        statusIcon: ready ? '🔎' : statusicon(task.status),
        changedLabel: !changed || task.status === 'pending' ? '—' : task.status === 'running' ? `seit ${short(changed)}` : short(changed),
        note: task.note === null ? null : clean(task.note),
        milestone: (spec?.milestone ?? null) !== null,
        ready,
      };
    }),
    toots: [...report.posted]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .map((p) => ({
        label: tootLabel(schedule, p.tootId),
        url: safeUrl(p.url),
        atLabel: short(inZone(DateTime.fromISO(p.at))),
        account: p.account === 'fallback' ? 'Ausweich-Account' : 'Haupt-Account',
        skipped: p.skipped ? clean(p.skipped) : null,
      })),
    pending: report.pending.map((job) => ({
      label: jobLabel(schedule, job.data),
      dueLabel: job.dueAt <= now.toMillis() ? 'jetzt' : clock(fromMs(job.dueAt)),
      stateLabel: JOB_STATES[job.state] ?? job.state,
    })),
    failures: report.failures.map((f) => ({ label: tootLabel(schedule, f.tootId), atLabel: short(inZone(DateTime.fromISO(f.at))), message: clean(f.message) })),
    unconfirmed: report.unconfirmed.map((u) => {
      const tootId = tootIdOfPostKey(u.key, schedule.id);
      return { label: tootId ? tootLabel(schedule, tootId) : 'Toot', sinceLabel: short(fromMs(u.firstAt)) };
    }),
    budgets: report.budgets.map((b) => {
      const blocked = b.blockedUntil !== null && b.blockedUntil > now.toMillis();
      return {
        label: BUCKET_LABELS[b.bucket] ?? b.bucket,
        remaining: b.remaining,
        limit: b.limit,
        resetLabel: fromMs(b.resetAt).toFormat('HH:mm'),
        blockedLabel: blocked ? `gesperrt bis ${fromMs(b.blockedUntil!).toFormat('HH:mm:ss')}` : null,
        low: blocked || b.remaining < b.limit / 5,
      };
    }),
    reachability: reachabilityLabel(schedule.instance, reachability, clock, inZone),
    questions: questions.map((q) => ({
      id: q.notificationId,
      acct: clean(q.acct),
      direct: q.visibility === 'direct',
      text: safeText(q.text),
      url: safeUrl(q.url),
      atLabel: short(inZone(DateTime.fromISO(q.createdAt))),
    })),
  };
}

function reachabilityLabel(instance: string, view: ReachabilityView | null, clock: (dt: DateTime) => string, inZone: (dt: DateTime) => DateTime): PanelView['reachability'] {
  if (view?.unreachableSince) return { state: 'down', label: `${instance} antwortet nicht, seit ${clock(inZone(DateTime.fromISO(view.unreachableSince)))}.` };
  if (view?.reachable) return { state: 'ok', label: `${instance} antwortet.` };
  return { state: 'unknown', label: `Noch keine Antwort von ${instance} abgewartet.` };
}

/** A German name for a queued job. */
export function jobLabel(schedule: StatusReport['schedule'], job: HeroldJob): string {
  switch (job.type) {
    case 'toot':
      return tootLabel(schedule, job.tootId);
    case 'progress':
      return 'Fortschritt im Start-Toot aktualisieren';
    case 'deadline':
      return 'Spätester Zeitpunkt erreicht: Rückkehr zur alten Installation';
    case 'reply':
      return 'Antwort auf eine Frage';
    case 'notify':
      return job.outcome === 'complete' ? 'Direktnachricht: Wartung abgeschlossen' : 'Direktnachricht: Wartung abgebrochen';
  }
}
