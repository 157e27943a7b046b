import type { CheckRecord } from '../../checks/check-record.ts';

/** The task checks' latest results, as the use cases read them (status, DNS milestones and replies). */
export interface CheckResults {
  /** Task id → its check's record. */
  all(scheduleId: string): Promise<Map<string, CheckRecord>>;
}
