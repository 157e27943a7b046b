import type { CheckChange, CheckRecord } from '../../checks/check-record.ts';

/** The task checks' latest results: written by the check runner, read for status, DNS milestones and replies. */
export interface CheckResults {
  get(scheduleId: string, taskId: string): Promise<CheckRecord | null>;
  /** Task id → its check's record. */
  all(scheduleId: string): Promise<Map<string, CheckRecord>>;
  /** Stores the record, and the turn of the verdict when there was one. */
  save(scheduleId: string, record: CheckRecord, change?: CheckChange): Promise<void>;
}
