import { createHmac } from 'node:crypto';
import type { AdminCredentials } from '../middleware/basic-auth.ts';

/**
 * The operator panel's CSRF token: an HMAC of the user name keyed with the
 * admin password. Every replica computes the same one (no shared state), it
 * changes when the password does, and only someone who can read the panel
 * (behind basic auth) ever sees it.
 */
export function csrfToken(credentials: AdminCredentials): string {
  return createHmac('sha256', credentials.password).update(`herold-panel-csrf\0${credentials.user}`, 'utf8').digest('base64url');
}
