import type { CalendarRevision, CalendarRevisions } from '../../core/ports/calendar-revisions.ts';

/** Calendar revisions in memory: same contract as the Redis store (test/adapters/calendar-revisions.contract.ts). */
export class MemoryCalendarRevisions implements CalendarRevisions {
  private readonly served = new Map<string, CalendarRevision & { readonly fingerprint: string }>();

  async revise(scheduleId: string, fingerprint: string, nowMs: number): Promise<CalendarRevision> {
    const last = this.served.get(scheduleId);
    if (last?.fingerprint === fingerprint) return { sequence: last.sequence, changedAt: last.changedAt };
    const next = { fingerprint, sequence: last ? last.sequence + 1 : 0, changedAt: nowMs };
    this.served.set(scheduleId, next);
    return { sequence: next.sequence, changedAt: next.changedAt };
  }
}
