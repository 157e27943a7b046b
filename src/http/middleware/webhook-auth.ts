import type { MiddlewareHandler } from 'hono';
import { bearerToken } from '../auth/bearer-token.ts';
import { sameSecret } from '../auth/same-secret.ts';

/** `Authorization: Bearer <HEROLD_WEBHOOK_TOKEN>`, compared in constant time; without a configured token nothing passes. */
export function webhookAuth(expected: string | null): MiddlewareHandler {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!expected || !token || !sameSecret(token, expected)) {
      return c.json({ error: 'Send Authorization: Bearer <HEROLD_WEBHOOK_TOKEN>.' }, 401);
    }
    await next();
  };
}
