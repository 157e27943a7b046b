import type { DateTime } from 'luxon';
import type { Phase } from '../../schedule/progress.ts';
import type { Schedule } from '../../schedule/schedule.ts';

/**
 * What a request to the instance's own host gets while its maintenance runs:
 * - `page`: a browser, the German page with the live progress (503);
 * - `json`: an app or another server, Mastodon's error shape `{"error": "…"}` (503);
 * - `health`: a monitor asking /health, plain text like Mastodon's "OK", but 503;
 * - `herold`: Herold's own paths (the page's live updates, the calendar, its API and probes), served as usual.
 */
export type MaintenanceAnswer = 'page' | 'json' | 'health' | 'herold';

/** Herold's own paths on the instance's host: the maintenance page's live updates need /s/:id/events. */
const HEROLD_PATHS = /^\/(?:s\/[^/]+\/events|s\/[^/]+\.ics|healthz|readyz|api\/schedules(?:\/.*)?)$/;

export function maintenanceAnswer(path: string, accept: string | undefined): MaintenanceAnswer {
  if (HEROLD_PATHS.test(path)) return 'herold';
  if (path === '/health') return 'health';
  // Mastodon's API, OAuth, the well-known documents (WebFinger, NodeInfo, host-meta) and ActivityPub: machines.
  if (path.startsWith('/api/') || path.startsWith('/oauth/') || path.startsWith('/.well-known/') || path.startsWith('/nodeinfo/')) return 'json';
  return /\btext\/html\b/i.test(accept ?? '') ? 'page' : 'json';
}

/** The host a request was sent to, without port, lower-case; null when there is none. */
export function requestHost(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const host = hostHeader.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return host || null;
}

/**
 * A maintenance window of `host` that runs now: started (its start toot went
 * out, or its start has passed while the instance could not be told), not
 * ended. The earliest start wins when two overlap.
 */
export function runningWindow(host: string, candidates: readonly { schedule: Schedule; phase: Phase; deadline: DateTime }[], now: DateTime): Schedule | null {
  const running = candidates.filter(({ schedule, phase, deadline }) => {
    if (schedule.instance.toLowerCase() !== host) return false;
    if (phase === 'running') return true;
    return phase === 'announced' && schedule.window.start <= now && now < deadline;
  });
  running.sort((a, b) => a.schedule.window.start.toMillis() - b.schedule.window.start.toMillis());
  return running[0]?.schedule ?? null;
}

/**
 * Retry-After in seconds: until the expected end, or (once that has passed)
 * until the deadline in force; one minute at least, so clients do not hammer
 * the host after both have passed.
 */
export function retryAfterSeconds(expectedEnd: DateTime, deadline: DateTime, now: DateTime): number {
  const target = expectedEnd > now ? expectedEnd : deadline;
  return Math.max(60, Math.ceil((target.toMillis() - now.toMillis()) / 1000));
}

/** The message apps show (Mastodon's `{"error": …}`): short, German, with the expected end while it lies ahead, else the deadline. */
export function maintenanceMessage(instance: string, window: { expectedEnd: DateTime; expectedEndLabel: string; deadlineLabel: string }, now: DateTime): string {
  const back = window.expectedEnd > now ? `voraussichtlich ab etwa ${window.expectedEndLabel}` : `bis spätestens ${window.deadlineLabel}`;
  return `${instance} ist gerade in Wartung und ${back} wieder da.`;
}
