import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { timeout } from 'hono/timeout';
import { DASHBOARD_PATH } from '../paths.ts';

export interface RedisGuardOptions {
  /** The HTTP side's own connection (src/adapters/redis/connect.ts, role http): its status says whether Redis is there. */
  readonly redis: { readonly status: string; ping(): Promise<unknown> };
  /** The short German page browsers get. */
  readonly page: () => string;
  readonly headers?: () => Record<string, string>;
  /** The longest any route may take before it answers 503. Default 800 ms. */
  readonly budgetMs?: number;
}

/** Paths that answer without Redis: liveness, and the live-update streams (they open at once and fill when Redis is back). */
const exempt = (path: string) => path === '/healthz' || path.endsWith('/events');
const wantsJson = (path: string) => path.startsWith('/api/') || path === '/metrics' || path.startsWith(`${DASHBOARD_PATH}/`) || path === DASHBOARD_PATH;

/**
 * With Redis away every route answers within a second: 503 with a short
 * German page, or a JSON error for the API, the webhook and /metrics. When
 * the connection is known to be down it answers at once; otherwise a route
 * that takes too long (a Redis that hangs) is cut off at `budgetMs`.
 */
export function redisGuard(options: RedisGuardOptions): MiddlewareHandler {
  // Plain Responses, not Context helpers: this also replaces a response already made (a 500 from a failed command).
  const unavailable = (c: Context): Response => {
    const headers = { 'Retry-After': '30', 'Cache-Control': 'no-store' };
    if (c.req.path === '/readyz') return new Response('not ready: Redis does not answer', { status: 503, headers: { ...headers, 'Content-Type': 'text/plain; charset=UTF-8' } });
    if (wantsJson(c.req.path)) {
      const body = JSON.stringify({ error: 'Redis does not answer, so nothing was read or changed. Try again in a minute.' });
      return new Response(body, { status: 503, headers: { ...headers, 'Content-Type': 'application/json' } });
    }
    return new Response(options.page(), { status: 503, headers: { ...(options.headers?.() ?? {}), ...headers, 'Content-Type': 'text/html; charset=UTF-8' } });
  };
  const cutOff = timeout(options.budgetMs ?? 800, (c) => new HTTPException(503, { res: unavailable(c) }));
  return async (c, next) => {
    if (exempt(c.req.path)) return next();
    if (options.redis.status !== 'ready') return unavailable(c);
    await cutOff(c, async () => {
      await next();
      // A command failed on its way (Redis went away mid-request): the same 503, not a 500.
      // (A library that catches the error itself, like the queue dashboard, answers 500 instead.)
      if ((c.error && isRedisTrouble(c.error)) || (c.res.status >= 500 && c.res.status !== 503 && !(await answers(options.redis)))) c.res = unavailable(c);
    });
  };
}

const REDIS_TROUBLE = /enableOfflineQueue|Command timed out|max retries per request|Connection is closed|Cluster isn't ready|slots cache|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/i;

/** An error from ioredis (or BullMQ through it) that means "Redis is not there right now". */
export function isRedisTrouble(error: unknown): boolean {
  return error instanceof Error && (error.name === 'RedisUnavailableError' || error.name === 'MaxRetriesPerRequestError' || REDIS_TROUBLE.test(error.message));
}

/** Whether Redis answers a ping within the HTTP connection's command timeout. */
function answers(redis: { readonly status: string; ping(): Promise<unknown> }): Promise<boolean> {
  return redis.status === 'ready' ? redis.ping().then(() => true, () => false) : Promise.resolve(false);
}
