import { createMiddleware } from 'hono/factory';
import type { z } from 'zod';

export interface JsonBodyOptions {
  /** The answer to a body that is not JSON at all. */
  readonly notJson: string;
  /** The answer to JSON of the wrong shape (the issues are added). */
  readonly wrongShape: string;
}

/**
 * Parses the body as JSON and validates it with `schema`; the handler reads
 * the result as `c.get('body')`. Not JSON, or not the shape: 400 with the matching answer.
 */
export function jsonBody<S extends z.ZodType>(schema: S, options: JsonBodyOptions) {
  return createMiddleware<{ Variables: { body: z.output<S> } }>(async (c, next) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: options.notJson }, 400);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return c.json({ error: options.wrongShape, issues: parsed.error.issues.map((i) => i.message) }, 400);
    c.set('body', parsed.data);
    await next();
  });
}
