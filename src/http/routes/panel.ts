import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { EarlierDeadlineError, HeroldError, NotFoundError, UsageError } from '../../errors.ts';
import type { Operations } from '../../core/operations.ts';
import { operatorNote, type NoteRules } from '../../render/operator-note.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { PanelLive, PanelLiveView, PanelSnapshot, QuestionInbox } from '../live/panel-live.ts';
import type { StateHub } from '../live/state-hub.ts';
import { basicAuth, type AdminCredentials } from '../middleware/basic-auth.ts';
import { csrfGuard } from '../middleware/csrf-guard.ts';
import { PANEL_PATH } from '../paths.ts';
import type { Flash, PanelPages } from '../views/panel-page.ts';
import type { LiveStreamOpener } from './events.ts';

export interface PanelOptions {
  readonly schedules: ReadonlyMap<string, Schedule>;
  /** The use cases every change goes through, as `herold task` and `herold window` do. */
  readonly operations: Pick<Operations, 'taskChange' | 'extend' | 'declare'>;
  readonly questions: QuestionInbox;
  readonly credentials: AdminCredentials;
  readonly token: string;
  readonly notes: NoteRules;
  readonly live: PanelLive;
  readonly hub: StateHub<PanelSnapshot, PanelLiveView>;
  readonly pages: PanelPages;
  readonly streams: LiveStreamOpener;
  readonly publicUrl?: string | null;
  readonly trustProxy?: boolean;
  /** Shared with the queue dashboard: wrong passwords count together. */
  readonly throttle?: LoginThrottle;
  readonly log?: Logger;
}

const TASK_STATUSES = ['running', 'done', 'failed', 'skipped'] as const;
type PanelStatus = (typeof TASK_STATUSES)[number];
const STATUS_WORDS: Record<PanelStatus, string> = { running: 'läuft', done: 'erledigt', failed: 'fehlgeschlagen', skipped: 'übersprungen' };

const OUTCOMES = {
  complete: { title: 'Wartung abschließen', button: 'abschließen', done: 'Abgeschlossen: der Abschluss-Toot geht gleich raus.', text: 'Herold postet den Abschluss-Toot und bearbeitet danach keine Schritte mehr. Das lässt sich nicht zurücknehmen.' },
  backout: { title: 'Zurückrollen', button: 'zurückrollen', done: 'Zurückgerollt: der Toot zur Rückkehr geht gleich raus.', text: 'Herold postet, dass ihr zur alten Installation zurückkehrt, und bearbeitet danach keine Schritte mehr. Das lässt sich nicht zurücknehmen.' },
  cancel: { title: 'Wartung absagen', button: 'absagen', done: 'Abgesagt: geplante Toots sind gestrichen.', text: 'Herold streicht alle geplanten Toots und postet eine Absage, wenn schon etwas angekündigt war. Das lässt sich nicht zurücknehmen.' },
} as const;
type Outcome = keyof typeof OUTCOMES;

/** Fixed messages after a redirect (?ok=…): the query picks one, it never carries text. */
function flashOf(c: Context, schedule: Schedule): Flash | null {
  const ok = c.req.query('ok');
  if (ok === 'task') {
    const task = schedule.tasks.find((t) => t.id === c.req.query('task'));
    const status = c.req.query('status') as PanelStatus;
    if (task && TASK_STATUSES.includes(status)) return { kind: 'ok', text: `Gespeichert: „${task.title}“ ${STATUS_WORDS[status]}.` };
  }
  if (ok === 'extend') return { kind: 'ok', text: 'Der späteste Zeitpunkt ist verschoben; der Start-Toot zeigt ihn gleich.' };
  if (ok === 'question') return { kind: 'ok', text: 'Die Frage ist als erledigt markiert.' };
  if (ok && ok in OUTCOMES) return { kind: 'ok', text: OUTCOMES[ok as Outcome].done };
  return null;
}

const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

/**
 * The operator panel at /admin: the phone page for the day itself. It does
 * what `herold task`, `herold window` and `herold status` do, through the
 * same Operations. Behind the admin's basic auth; every change passes the
 * same-origin check and the CSRF token (middleware/csrf-guard.ts). Every
 * form works without JavaScript (post, then a redirect back); with it, task
 * taps and "erledigt" on questions post in the background and the page
 * follows the state over SSE.
 */
export function mountPanel(app: Hono, options: PanelOptions): void {
  const { pages, operations } = options;
  const home = (id: string) => `${PANEL_PATH}/s/${encodeURIComponent(id)}`;
  const auth = basicAuth(options.credentials, { trustProxy: options.trustProxy, log: options.log, throttle: options.throttle, area: 'the operator panel' });
  const guard = csrfGuard({
    token: options.token,
    publicUrl: options.publicUrl,
    refuse: (c, reason) => {
      options.log?.warn({ path: c.req.path, origin: c.req.header('origin') ?? null }, 'Refused a change to the operator panel (origin or CSRF token).');
      return wantsJson(c) ? c.json({ error: reason }, 403) : c.html(pages.message('Nicht angenommen', reason, { back: PANEL_PATH }), 403, pages.headers());
    },
  });
  app.use(PANEL_PATH, auth);
  app.use(`${PANEL_PATH}/s/*`, auth, guard);

  const notFound = (c: Context) => c.html(pages.message('Nicht gefunden', 'Diese Wartung gibt es hier nicht.', { back: PANEL_PATH }), 404, pages.headers());

  const render = async (c: Context, schedule: Schedule, flash: Flash | null, status: 200 | 400 | 404 | 409 | 503 = 200) => {
    const view = options.live.panel(await options.live.snapshot(schedule));
    return c.html(pages.page(view, { token: options.token, eventsUrl: `${home(schedule.id)}/events`, flash }), status, pages.headers());
  };

  /** After a change: JSON for the page's script, else a redirect back (post/redirect/get). */
  const done = (c: Context, schedule: Schedule, message: string, query: Record<string, string>) =>
    wantsJson(c) ? c.json({ ok: true, message }) : c.redirect(`${home(schedule.id)}?${new URLSearchParams(query).toString()}`, 303);

  /** A refused change: the reason in German, with the state as it is. */
  const refused = async (c: Context, schedule: Schedule, error: unknown) => {
    if (!(error instanceof HeroldError)) throw error;
    const status = error instanceof NotFoundError ? 404 : error instanceof UsageError ? 409 : 503;
    const text = `Nicht gespeichert: ${error.message}`;
    return wantsJson(c) ? c.json({ error: text }, status) : render(c, schedule, { kind: 'error', text }, status);
  };

  const scheduleOf = (c: Context) => options.schedules.get(c.req.param('id') ?? '');
  const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');

  app.get(PANEL_PATH, (c) => {
    const all = [...options.schedules.values()].sort((a, b) => a.window.start.toMillis() - b.window.start.toMillis());
    if (all.length === 1) return c.redirect(home(all[0]!.id), 303);
    const links = all.map((s) => ({ href: home(s.id), label: `${s.instance}: ${s.window.start.setZone(s.timezone).setLocale(s.locale).toFormat("d. LLLL yyyy, HH:mm 'Uhr'")}` }));
    return c.html(pages.message('Herold: Wartungen', links.length === 0 ? 'Es ist keine Wartung geladen.' : null, { links }), 200, pages.headers());
  });

  app.get(`${PANEL_PATH}/s/:id`, async (c) => {
    const schedule = scheduleOf(c);
    return schedule ? render(c, schedule, flashOf(c, schedule)) : notFound(c);
  });

  app.get(`${PANEL_PATH}/s/:id/events`, (c) => {
    const schedule = scheduleOf(c);
    return schedule ? options.streams(c, options.hub, schedule) : c.json({ error: 'Diese Wartung gibt es hier nicht.' }, 404);
  });

  app.post(`${PANEL_PATH}/s/:id/tasks/:taskId`, async (c) => {
    const schedule = scheduleOf(c);
    if (!schedule) return notFound(c);
    const body = await c.req.parseBody();
    const status = field(body, 'status') as PanelStatus;
    const taskId = c.req.param('taskId');
    try {
      if (!TASK_STATUSES.includes(status)) throw new UsageError('Tippe auf läuft, erledigt, fehlgeschlagen oder übersprungen.');
      const raw = field(body, 'note');
      const note = raw === '' ? null : operatorNote(raw, options.notes);
      await operations.taskChange(schedule.id, taskId, status, note);
    } catch (error) {
      return refused(c, schedule, error);
    }
    const title = schedule.tasks.find((t) => t.id === taskId)?.title ?? taskId;
    options.log?.info({ schedule: schedule.id, task: taskId, status, via: 'panel' }, `Task ${taskId} ${status} (operator panel).`);
    return done(c, schedule, `Gespeichert: „${title}“ ${STATUS_WORDS[status]}.`, { ok: 'task', task: taskId, status });
  });

  app.post(`${PANEL_PATH}/s/:id/window`, async (c) => {
    const schedule = scheduleOf(c);
    if (!schedule) return notFound(c);
    const body = await c.req.parseBody();
    const action = field(body, 'action');
    try {
      if (action === 'extend') {
        const requested = field(body, 'deadline');
        let deadline;
        try {
          deadline = await operations.extend(schedule.id, requested, { allowEarlier: field(body, 'confirm') === 'yes' });
        } catch (error) {
          if (!(error instanceof EarlierDeadlineError)) throw error;
          // Earlier than what followers were told: like the CLI's --yes, only after a second, explicit "yes".
          const step = {
            title: 'Spätesten Zeitpunkt vorziehen',
            text: `${error.requested} Uhr liegt vor dem bisherigen spätesten Zeitpunkt (${error.inForce} Uhr), den eure Follower schon kennen. Herold zeigt den neuen im Start-Toot und meldet ihn im Thread.`,
            button: 'vorziehen',
            outcome: 'extend',
            deadline: requested,
            action: `${home(schedule.id)}/window`,
            back: home(schedule.id),
          };
          return c.html(pages.confirm(step, options.token), 200, pages.headers());
        }
        options.log?.info({ schedule: schedule.id, deadline: deadline.toISO(), via: 'panel' }, 'Deadline extended (operator panel).');
        return done(c, schedule, 'Der späteste Zeitpunkt ist verschoben.', { ok: 'extend' });
      }
      if (!(action in OUTCOMES)) throw new UsageError('Wähle Verlängern, Abschließen, Zurückrollen oder Absagen.');
      const outcome = OUTCOMES[action as Outcome];
      // The confirmation step: nothing is declared until the second, explicit "yes".
      if (field(body, 'confirm') !== 'yes') {
        return c.html(pages.confirm({ ...outcome, outcome: action, action: `${home(schedule.id)}/window`, back: home(schedule.id) }, options.token), 200, pages.headers());
      }
      await operations.declare(schedule.id, action as Outcome);
      options.log?.info({ schedule: schedule.id, outcome: action, via: 'panel' }, `Maintenance ${action} declared (operator panel).`);
      return done(c, schedule, outcome.done, { ok: action });
    } catch (error) {
      return refused(c, schedule, error);
    }
  });

  app.post(`${PANEL_PATH}/s/:id/questions/:nid/handled`, async (c) => {
    const schedule = scheduleOf(c);
    if (!schedule) return notFound(c);
    const closed = await options.questions.closeQuestions([c.req.param('nid')]);
    options.log?.info({ question: c.req.param('nid'), closed, via: 'panel' }, 'Question marked as handled (operator panel).');
    return done(c, schedule, closed > 0 ? 'Die Frage ist als erledigt markiert.' : 'Die Frage war schon erledigt.', { ok: 'question' });
  });
}
