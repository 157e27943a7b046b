import type { DateTime, Duration } from 'luxon';
import { timeWithDay } from '../schedule/local-time.ts';
import type { ResolverAnswer } from '../schedule/check-spec.ts';

export interface Propagation {
  readonly seeing: number;
  readonly total: number;
  /** "3 von 4 Resolvern sehen die neue Adresse" */
  readonly text: string;
  /** When the change should have reached everyone: first seen + TTL (null without a TTL or before anyone sees it). */
  readonly everyoneBy: DateTime | null;
  /** "Spätestens um 15:37 Uhr sollte die neue Adresse überall angekommen sein." or null */
  readonly everyoneByText: string | null;
}

/**
 * How far a DNS change has spread. The TTL bounds how long a cache may keep
 * the old answer after the change; the change was made before the first
 * resolver saw it, so first-seen + TTL is a safe "at the latest".
 */
export function propagation(answers: readonly ResolverAnswer[], firstSeenAt: DateTime | null, ttl: Duration | null, now: DateTime): Propagation {
  const total = answers.length;
  const seeing = answers.filter((a) => a.sees).length;
  const noun = total === 1 ? 'Resolver' : 'Resolvern';
  const text =
    total === 0
      ? 'Kein Resolver hat geantwortet'
      : seeing === total
        ? total === 1
          ? 'Der Resolver sieht die neue Adresse'
          : `Alle ${total} Resolver sehen die neue Adresse`
        : `${seeing} von ${total} ${noun} ${seeing === 1 ? 'sieht' : 'sehen'} die neue Adresse`;
  const everyoneBy = ttl && firstSeenAt ? firstSeenAt.plus(ttl) : null;
  let everyoneByText: string | null = null;
  if (everyoneBy) {
    // Over midnight with its day: "Spätestens am Montag um 00:03 Uhr", "Seit Sonntag, 23:58 Uhr".
    const since = everyoneBy.setLocale('de-AT');
    const sinceText = since.hasSame(now, 'day') ? since.toFormat("HH:mm 'Uhr'") : since.toFormat(now.diff(since, 'days').days < 6 ? "cccc, HH:mm 'Uhr'" : "d. LLLL, HH:mm 'Uhr'");
    everyoneByText =
      everyoneBy <= now
        ? `Seit ${sinceText} sollte die neue Adresse überall angekommen sein.`
        : `Spätestens ${timeWithDay(everyoneBy, now)} sollte die neue Adresse überall angekommen sein.`;
  }
  return { seeing, total, text, everyoneBy, everyoneByText };
}

/** Whether an answer shows only the new addresses: every answered value is expected, and there is one. */
export function seesNew(answers: readonly string[], expect: readonly string[]): boolean {
  const wanted = new Set(expect.map(normal));
  return answers.length > 0 && answers.every((a) => wanted.has(normal(a)));
}

const normal = (value: string) => value.toLowerCase().replace(/\.$/, '');
