import { englishHelpers } from '../../src/render/english-helpers.ts';
import { contactUrl } from '../../src/render/contact-url.ts';
import Handlebars from 'handlebars';
import { DateTime, Duration } from 'luxon';
import { helpers } from '../../src/render/helpers.ts';
import type { TootContext } from '../../src/render/toot-context.ts';
import type { Phase, TaskStatus } from '../../src/schedule/progress.ts';

/**
 * Renders FAQ answers the way the lead's TemplateRenderer does (same
 * helpers, strict mode, noEscape, trimmed), with a context for the
 * wien.rocks migration in any phase. The FAQ templates only use the names
 * documented for them; the other TootContext keys are null here.
 */

const ZONE = 'Europe/Vienna';

export function createTestRenderer(): typeof Handlebars {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries({ ...helpers, ...englishHelpers })) hb.registerHelper(name, fn);
  return hb;
}

export interface ContextOptions {
  phase: Phase;
  now?: DateTime;
  statusPage?: string | null;
  contact?: string | null;
  /** How many of the tasks are done; in phase 'running' the next one is running. */
  done?: number;
  /** What the DNS check has seen (docs/checks.md). */
  dns?: TootContext['dns'];
}

const TASKS = [
  ['shutdown', 'Abschaltung der alten Infrastruktur', '15:00'],
  ['sync-static', 'Datenübernahme der statischen Inhalte', '15:00'],
  ['sync-db', 'Synchronisierung der Datenbank', '15:10'],
  ['upgrade', 'Upgrade auf Mastodon 4.0', '15:15'],
  ['tests', 'Funktionstests', '15:30'],
  ['dns', 'DNS-Umstellung auf die neue Infrastruktur', '15:30'],
  ['feeds', 'Neuaufbau der Home-Timelines', '16:30'],
  ['search', 'Aufbau des Suchindex', '16:30'],
  ['tls', 'Aktivierung der neuen TLS-Zertifikate', '17:15'],
] as const;

export const START = DateTime.fromISO('2023-02-12T15:00', { zone: ZONE });

export function createContext(options: ContextOptions): TootContext {
  const done = options.done ?? (options.phase === 'complete' ? TASKS.length : 0);
  const tasks = TASKS.map(([id, title, time], index) => {
    const at = DateTime.fromISO(`2023-02-12T${time}`, { zone: ZONE });
    const status: TaskStatus =
      index < done ? 'done' : index === done && options.phase === 'running' ? 'running' : 'pending';
    return { id, title, at, status, doneAt: status === 'done' ? at.plus({ minutes: 5 }) : null, note: null, milestone: null };
  });
  const expectedDowntime = Duration.fromObject({ hours: 1 });
  return {
    schedule: {
      id: 'wien-rocks-2023-02-12',
      instance: 'wien.rocks',
      timezone: ZONE,
      locale: 'de-AT',
      statusPage: options.statusPage === undefined ? 'https://status.wien.rocks/' : options.statusPage,
      contact: options.contact === undefined ? '@paula' : options.contact,
      contactUrl: contactUrl(options.contact === undefined ? '@paula' : options.contact, 'wien.rocks'),
      fallbackAccount: null,
      fallbackAccountUrl: null,
      calendar: null,
      reason: null,
      mastodonVersion: '4.0',
      backoutPosts: null,
    },
    window: {
      start: START,
      deadline: DateTime.fromISO('2023-02-12T20:00', { zone: ZONE }),
      expectedDowntime,
      expectedEnd: START.plus(expectedDowntime),
      endedAt: null,
      duration: null,
    },
    tasks,
    progress: { done, total: TASKS.length },
    phase: options.phase,
    now: options.now ?? (options.phase === 'announced' ? START.minus({ days: 1 }) : START.plus({ minutes: 40 })),
    late: false,
    announced: true,
    revoked: [],
    entry: null,
    task: null,
    previousStart: null,
    dns: options.dns ?? null,
  };
}
