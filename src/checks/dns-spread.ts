import { DateTime } from 'luxon';
import type { Schedule } from '../schedule/schedule.ts';
import type { CheckRecord } from './check-record.ts';
import { propagation } from './propagation.ts';

/** How far the schedule's DNS change has spread, for toots and FAQ answers ({{dns.…}} in templates). */
export interface DnsSpread {
  readonly taskId: string;
  /** "3 von 4 Resolvern sehen die neue Adresse" */
  readonly propagation: string;
  readonly seeing: number;
  readonly total: number;
  /** When the change should have reached everyone (first seen + dnsTtl), or null without a TTL. */
  readonly everyoneBy: DateTime | null;
  /** "Spätestens um 15:37 Uhr sollte die neue Adresse überall angekommen sein." or null */
  readonly everyoneByText: string | null;
}

/** The first DNS check of the schedule that has seen the new address somewhere; null before that. */
export function dnsSpread(schedule: Schedule, records: ReadonlyMap<string, CheckRecord>, now: DateTime, taskId?: string): DnsSpread | null {
  for (const task of schedule.tasks) {
    if (task.check?.kind !== 'dns' || (taskId !== undefined && task.id !== taskId)) continue;
    const record = records.get(task.id);
    if (!record?.resolvers || !record.firstSeenAt) continue;
    const zone = schedule.timezone;
    const spread = propagation(record.resolvers, DateTime.fromISO(record.firstSeenAt, { zone }), task.check.ttl, now.setZone(zone));
    return { taskId: task.id, propagation: spread.text, seeing: spread.seeing, total: spread.total, everyoneBy: spread.everyoneBy, everyoneByText: spread.everyoneByText };
  }
  return null;
}
