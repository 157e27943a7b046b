import type { Heartbeat } from '../adapters/redis/service-registry.ts';
import type { ScheduleSource } from '../schedule/schedule-source.ts';

export interface Where {
  /** REDIS_URL without its password. */
  readonly redisUrl: string;
  readonly prefix: string;
}

/**
 * Why a change queued now would not take effect as the operator thinks, or
 * null: no `herold run` beats on this Redis and prefix, none runs this
 * schedule, or the one that runs it runs another version than `read` (the
 * file the command was given).
 */
export function runningServiceProblem(beats: readonly Heartbeat[], where: Where, scheduleId: string, read: ScheduleSource | null): string | null {
  if (beats.length === 0) {
    return `Kein laufendes herold run auf ${where.redisUrl} mit Präfix ${where.prefix}: die Änderung wird erst wirksam, wenn es läuft.`;
  }
  const running = beats.flatMap((b) => b.schedules.filter((s) => s.id === scheduleId).map((s) => ({ beat: b, schedule: s })));
  if (running.length === 0) {
    const ids = [...new Set(beats.flatMap((b) => b.schedules.map((s) => s.id)))].join(', ') || 'keinen';
    return `Kein laufendes herold run auf ${where.redisUrl} mit Präfix ${where.prefix} führt ${scheduleId} (es läuft: ${ids}): die Änderung wird erst wirksam, wenn es ${scheduleId} lädt.`;
  }
  if (read === null) return null;
  // A service given schedules not read from a file (a rehearsal, a test) has nothing to compare.
  const other = running.find((r) => r.schedule.hash !== null && r.schedule.hash !== read.hash);
  if (!other) return null;
  return (
    `Das laufende herold run (${other.beat.instance}, Version ${other.beat.version}) führt eine andere Fassung von ${scheduleId} ` +
    `(${other.schedule.file}, ${other.schedule.hash ?? 'ohne Datei'}) als ${read.file} (${read.hash}). ` +
    `Lass es die Datei neu lesen (kill -HUP <pid>, oder es liest sie beim Speichern selbst) oder gib die Datei an, die es führt.`
  );
}

/** What to add when the operator can still go on: the flag that does it. */
export const QUEUE_ANYWAY_HINT = 'Mit --queue-anyway wird die Änderung trotzdem eingereiht.';
