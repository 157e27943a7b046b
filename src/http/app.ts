import { Hono, type MiddlewareHandler } from 'hono';
import type { Operations } from '../core/operations.ts';
import type { NoteRules } from '../render/operator-note.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { mountProbes } from './routes/probes.ts';
import { mountWebhook } from './routes/webhook.ts';
import type { Web } from './web.ts';

export interface AppDeps {
  readonly operations: Operations;
  readonly webhookToken: string | null;
  /** Redis answers and the worker runs. */
  readonly ready: () => Promise<boolean>;
  /** Status page, feed, JSON API, live updates, metrics and dashboard (src/http/web.ts); off when absent. */
  readonly web?: Pick<Web, 'mount'> & Partial<Pick<Web, 'guards'>>;
  /** What a note may contain (HEROLD_NOTE_URLS); default: no links. */
  readonly notes?: NoteRules;
  /** Runs before every route: the answer while Redis is away (src/http/middleware/redis-guard.ts). */
  readonly guard?: MiddlewareHandler;
}

/**
 * The HTTP side: middleware first (security headers, the Redis guard, the
 * maintenance mode of the instances' own hosts), then
 * the probes, the webhook and the web parts. Auth, same-origin checks and
 * body validation are middleware (src/http/middleware); what a response
 * shows is shaped in src/http/views; routes only join the two.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(securityHeaders());
  if (deps.guard) app.use('*', deps.guard);
  for (const guard of deps.web?.guards ?? []) app.use('*', guard);
  mountProbes(app, deps.ready);
  mountWebhook(app, { operations: deps.operations, token: deps.webhookToken, notes: deps.notes });
  deps.web?.mount(app);
  return app;
}
