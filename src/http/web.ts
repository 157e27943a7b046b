import type { CheckStore } from '../adapters/redis/check-store.ts';
import type { Hono, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { loadFaq, type LoadedFaq } from '../faq/index.ts';
import type { ReachabilityView } from '../core/instance-reachability.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from '../adapters/redis/state-store.ts';
import type { QueueBoard } from '../adapters/bullmq/queue-board.ts';
import { LiveLimits, type LiveLimitOptions } from './live/live-limits.ts';
import { LiveState } from './live/live-state.ts';
import { StateHub } from './live/state-hub.ts';
import { mountMetrics, type HeroldMetrics } from '../adapters/metrics/metrics.ts';
import type { AdminCredentials } from './middleware/basic-auth.ts';
import { mountApi } from './routes/api.ts';
import { mountCalendar, statusPageUrl } from './routes/calendar.ts';
import { maintenanceMode } from './middleware/maintenance-mode.ts';
import type { CalendarRevisions } from '../core/ports/calendar-revisions.ts';
import { mountDashboard } from './routes/dashboard.ts';
import { liveStreams, mountEvents } from './routes/events.ts';
import { mountFeed } from './routes/feed.ts';
import { mountStatusPages, notFoundPage } from './routes/status-pages.ts';
import { StatusPages } from './views/status-pages.ts';
import type { Operations } from '../core/operations.ts';
import type { NoteRules } from '../render/operator-note.ts';
import { csrfToken } from './auth/csrf-token.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { PanelLive, type PanelLiveView, type PanelSnapshot, type QuestionInbox } from './live/panel-live.ts';
import { mountPanel } from './routes/panel.ts';
import { PanelPages } from './views/panel-page.ts';

export interface WebOptions {
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly store: StateStore;
  readonly now: () => DateTime;
  /** Stable key the feed id is derived from, e.g. the instance URL. */
  readonly feedKey: string;
  /** FAQ answers shown on the page; default: templates/de/faq; null: none. */
  readonly faq?: LoadedFaq | null;
  /** Serves /metrics when given. */
  readonly metrics?: HeroldMetrics | null;
  /** The queues for /admin/queues (from the BullMQ adapter); the dashboard is served only with credentials. */
  readonly board?: QueueBoard | null;
  readonly admin?: AdminCredentials | null;
  /** HEROLD_PUBLIC_URL: where people reach Herold; the feed's links and the dashboard's origin check use it. */
  readonly publicUrl?: string | null;
  /** Caps on open live-update streams; default 1000 in total, 20 per address. */
  readonly liveLimits?: LiveLimitOptions;
  /** HEROLD_TRUST_PROXY: take the client address from X-Forwarded-For. */
  readonly trustProxy?: boolean;
  /** HEROLD_ADMIN_WRITE: the dashboard may change jobs (default read-only). */
  readonly adminWrite?: boolean;
  /** Task checks' results for the status page and the API. */
  readonly checks?: CheckStore;
  /** How often watched state is read for live updates; default 500 ms. */
  readonly pollMs?: number;
  readonly log?: Logger;
  /** Whether the primary instance answers (shown on the page and in the API); not shown when absent. */
  readonly reachability?: () => ReachabilityView;
  /** Where each maintenance's calendar SEQUENCE is kept; /s/:id.ics is served when given. */
  readonly calendar?: CalendarRevisions;
  /** HEROLD_MAINTENANCE_HOSTS: the instances' own hosts that get maintenance mode during their window. */
  readonly maintenanceHosts?: readonly string[];
  /**
   * The operator panel at /admin (with `admin`): the use cases its changes go
   * through, the open questions, and what a note may contain. Not served when absent.
   */
  readonly panel?: {
    readonly operations: Pick<Operations, 'taskChange' | 'extend' | 'declare' | 'status'>;
    readonly questions: QuestionInbox;
    readonly notes?: NoteRules;
  } | null;
}

/** The public and operator web parts that sit next to the webhook and probes. */
export interface Web {
  mount(app: Hono): void;
  /** Middleware that runs before every route (maintenance mode for the instances' own hosts). */
  readonly guards: readonly MiddlewareHandler[];
  readonly hub: StateHub;
  /** The operator panel's live updates; null without the panel. */
  readonly panelHub: StateHub<PanelSnapshot, PanelLiveView> | null;
  readonly liveLimits: LiveLimits;
  /** Ends the live-update streams, so the HTTP server can close. */
  close(): void;
}

/** The web options that come from the configuration (HEROLD_PUBLIC_URL, HEROLD_LIVE_MAX…, HEROLD_TRUST_PROXY, HEROLD_ADMIN_WRITE). */
export function webSecurity(config: Pick<Config, 'publicUrl' | 'liveLimits' | 'trustProxy' | 'adminWrite' | 'maintenanceHosts'>): Pick<WebOptions, 'publicUrl' | 'liveLimits' | 'trustProxy' | 'adminWrite' | 'maintenanceHosts'> {
  return { publicUrl: config.publicUrl, liveLimits: config.liveLimits, trustProxy: config.trustProxy, adminWrite: config.adminWrite, maintenanceHosts: config.maintenanceHosts };
}

export async function createWeb(options: WebOptions): Promise<Web> {
  let faq = options.faq;
  if (faq === undefined) {
    faq = await loadFaq().catch((error: unknown) => {
      options.log?.warn({ err: (error as Error).message }, 'The FAQ could not be loaded; the status page shows no answers.');
      return null;
    });
  }
  const live = new LiveState({ schedules: options.schedules, store: options.store, faq, now: options.now, log: options.log, checks: options.checks, reachability: options.reachability });
  const hub = new StateHub(live, options.pollMs ?? 500);
  const pages = new StatusPages();
  const liveLimits = new LiveLimits(options.liveLimits);
  const trustProxy = options.trustProxy ?? false;
  for (const host of options.maintenanceHosts ?? []) {
    if (!live.schedules.some((s) => s.instance.toLowerCase() === host)) {
      options.log?.warn({ host }, `HEROLD_MAINTENANCE_HOSTS names ${host}, but no schedule is for that instance; requests to it get Herold's usual pages.`);
    }
  }
  const guards = options.maintenanceHosts?.length
    ? [maintenanceMode({ hosts: options.maintenanceHosts, live, pages, now: options.now, statusPage: (s) => statusPageUrl(s, options.publicUrl ?? null) })]
    : [];
  const streams = liveStreams({ limits: liveLimits, trustProxy, log: options.log });
  // One throttle for both admin parts: wrong passwords count together.
  const throttle = new LoginThrottle();
  const panel = options.panel && options.admin ? preparePanel(options.panel, options.admin, options) : null;
  return {
    hub,
    panelHub: panel?.hub ?? null,
    liveLimits,
    guards,
    mount(app) {
      // Before the status pages: /s/:id would take "x.ics" as an id.
      if (options.calendar) mountCalendar(app, live, { store: options.calendar, now: options.now, publicUrl: options.publicUrl ?? null });
      mountStatusPages(app, live, pages);
      mountEvents(app, live, hub, streams);
      mountApi(app, live);
      mountFeed(app, live, options.feedKey, options.publicUrl ?? null);
      if (options.metrics) mountMetrics(app, options.metrics);
      if (options.board && options.admin) {
        mountDashboard(app, options.board, options.admin, { write: options.adminWrite, publicUrl: options.publicUrl, trustProxy, log: options.log, throttle });
      }
      if (panel && options.panel && options.admin) {
        mountPanel(app, {
          ...panel,
          schedules: options.schedules,
          operations: options.panel.operations,
          questions: options.panel.questions,
          credentials: options.admin,
          notes: options.panel.notes ?? { allowUrls: false },
          streams,
          publicUrl: options.publicUrl,
          trustProxy,
          throttle,
          log: options.log,
        });
      }
      app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'Not found.' }, 404) : notFoundPage(c, pages)));
      // Redis away: readers get a calm German page, not a stack trace.
      app.onError((error, c) => {
        if (error instanceof HTTPException) return error.getResponse();
        options.log?.error({ err: error.message, path: c.req.path }, 'HTTP request failed.');
        if (c.req.path.startsWith('/api/') || c.req.path === '/metrics') return c.json({ error: 'Internal error; see the logs.' }, 500);
        return c.html(pages.unavailable(), 503, pages.headers());
      });
    },
    close() {
      hub.close();
      panel?.hub.close();
    },
  };
}

/** The panel's pages, token and live state: built once, whatever the number of viewers. */
function preparePanel(panel: NonNullable<WebOptions['panel']>, admin: AdminCredentials, options: WebOptions) {
  const pages = new PanelPages();
  const token = csrfToken(admin);
  const live = new PanelLive({ operations: panel.operations, questions: panel.questions, reachability: options.reachability, now: options.now, pages, token });
  return { pages, token, live, hub: new StateHub(live, options.pollMs ?? 500) };
}
