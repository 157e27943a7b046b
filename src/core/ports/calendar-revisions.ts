/** The calendar event's revision: SEQUENCE and when its facts last changed (ms). */
export interface CalendarRevision {
  readonly sequence: number;
  readonly changedAt: number;
}

/**
 * Each maintenance's calendar event as last served, so that its SEQUENCE grows with every change of the
 * facts (RFC 5545 §3.8.7.4) and stays put otherwise.
 */
export interface CalendarRevisions {
  /** The revision for these facts: the stored one when they are unchanged, else the next one, changed at `nowMs`. */
  revise(scheduleId: string, fingerprint: string, nowMs: number): Promise<CalendarRevision>;
}
