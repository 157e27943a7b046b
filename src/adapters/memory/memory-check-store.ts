import type { CheckChange, CheckRecord } from '../../checks/check-record.ts';
import type { CheckResults } from '../../core/ports/check-results.ts';

/** The task checks' results in memory: same contract as the Redis store (test/adapters/check-store.contract.ts). */
export class MemoryCheckStore implements CheckResults {
  private readonly records = new Map<string, Map<string, CheckRecord>>();
  private readonly log = new Map<string, CheckChange[]>();

  async get(scheduleId: string, taskId: string): Promise<CheckRecord | null> {
    const record = this.records.get(scheduleId)?.get(taskId);
    return record ? structuredClone(record) : null;
  }

  async all(scheduleId: string): Promise<Map<string, CheckRecord>> {
    return new Map([...(this.records.get(scheduleId) ?? [])].map(([taskId, record]) => [taskId, structuredClone(record)]));
  }

  async save(scheduleId: string, record: CheckRecord, change?: CheckChange): Promise<void> {
    const records = this.records.get(scheduleId) ?? new Map<string, CheckRecord>();
    this.records.set(scheduleId, records.set(record.taskId, structuredClone(record)));
    if (!change) return;
    const key = `${scheduleId}\u0000${record.taskId}`;
    this.log.set(key, [...(this.log.get(key) ?? []), structuredClone(change)]);
  }

  /** The turns of one task's verdict, oldest first. */
  async changes(scheduleId: string, taskId: string): Promise<CheckChange[]> {
    return structuredClone(this.log.get(`${scheduleId}\u0000${taskId}`) ?? []);
  }
}
