import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { HeroldError, NotFoundError, UsageError } from '../../errors.ts';
import type { Operations } from '../../core/operations.ts';
import { operatorNote, type NoteRules } from '../../render/operator-note.ts';
import { jsonBody } from '../middleware/json-body.ts';
import { webhookAuth } from '../middleware/webhook-auth.ts';

const taskBody = z.strictObject({
  status: z.enum(['running', 'done', 'failed', 'skipped']),
  note: z.string().max(200).optional(),
});

export interface WebhookOptions {
  readonly operations: Pick<Operations, 'taskChange'>;
  /** HEROLD_WEBHOOK_TOKEN; null: every call is refused. */
  readonly token: string | null;
  /** What a note may contain (HEROLD_NOTE_URLS); default: no links. */
  readonly notes?: NoteRules;
}

/** POST /api/schedules/:id/tasks/:taskId: a task change from a script or a CI job. */
export function mountWebhook(app: Hono, options: WebhookOptions): void {
  app.post(
    '/api/schedules/:id/tasks/:taskId',
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'The body is larger than 16 KiB.' }, 413) }),
    webhookAuth(options.token),
    jsonBody(taskBody, {
      notJson: 'The body is not valid JSON. Send {"status": "done", "note": "…"}.',
      wrongShape: 'Send {"status": "running|done|failed|skipped", "note"?: "…"} and nothing else.',
    }),
    async (c) => {
      const { status, note } = c.get('body');
      try {
        const cleanNote = note === undefined ? null : operatorNote(note, options.notes ?? { allowUrls: false });
        const result = await options.operations.taskChange(c.req.param('id'), c.req.param('taskId'), status, cleanNote);
        return c.json({ ok: true, version: result.version, completed: result.completed });
      } catch (error) {
        if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
        if (error instanceof UsageError) return c.json({ error: error.message }, 400);
        if (error instanceof HeroldError) return c.json({ error: error.message }, 503);
        throw error;
      }
    },
  );
}
