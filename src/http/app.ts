import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HeroldError, NotFoundError, UsageError } from '../errors.ts';
import type { Operations } from '../engine/operations.ts';
import { operatorNote, type NoteRules } from '../render/operator-note.ts';
import { bearerToken } from './bearer-token.ts';
import { securityHeaders } from './security-headers.ts';
import type { Web } from './web.ts';

export interface AppDeps {
  readonly operations: Operations;
  readonly webhookToken: string | null;
  /** Redis answers and the worker runs. */
  readonly ready: () => Promise<boolean>;
  /** Status page, feed, JSON API, live updates, metrics and dashboard (src/http/web.ts); off when absent. */
  readonly web?: Pick<Web, 'mount'>;
  /** What a note may contain (HEROLD_NOTE_URLS); default: no links. */
  readonly notes?: NoteRules;
  /** Runs before every route: the answer while Redis is away (src/http/redis-guard.ts). */
  readonly guard?: MiddlewareHandler;
}

const taskBody = z.strictObject({
  status: z.enum(['running', 'done', 'failed', 'skipped']),
  note: z.string().max(200).optional(),
});

/** Constant-time comparison, so the token cannot be guessed byte by byte. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(securityHeaders());
  if (deps.guard) app.use('*', deps.guard);

  app.get('/healthz', (c) => c.text('ok'));
  app.get('/readyz', async (c) => ((await deps.ready()) ? c.text('ready') : c.text('not ready', 503)));

  app.post('/api/schedules/:id/tasks/:taskId', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'The body is larger than 16 KiB.' }, 413) }), async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!deps.webhookToken || !token || !sameSecret(token, deps.webhookToken)) {
      return c.json({ error: 'Send Authorization: Bearer <HEROLD_WEBHOOK_TOKEN>.' }, 401);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'The body is not valid JSON. Send {"status": "done", "note": "…"}.' }, 400);
    }
    const parsed = taskBody.safeParse(body);
    if (!parsed.success) {
      return c.json({ error: 'Send {"status": "running|done|failed|skipped", "note"?: "…"} and nothing else.', issues: parsed.error.issues.map((i) => i.message) }, 400);
    }
    try {
      const note = parsed.data.note === undefined ? null : operatorNote(parsed.data.note, deps.notes ?? { allowUrls: false });
      const result = await deps.operations.taskChange(c.req.param('id'), c.req.param('taskId'), parsed.data.status, note);
      return c.json({ ok: true, ...result });
    } catch (error) {
      if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
      if (error instanceof UsageError) return c.json({ error: error.message }, 400);
      if (error instanceof HeroldError) return c.json({ error: error.message }, 503);
      throw error;
    }
  });

  deps.web?.mount(app);
  return app;
}
