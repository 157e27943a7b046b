import type { NotifyRequest, NotifyRequests, NotifySent } from '../../core/ports/notify-requests.ts';

/** "Sag Bescheid" requests in memory: same contract as the Redis store (test/adapters/notify-requests.contract.ts). */
export class MemoryNotifyRequests implements NotifyRequests {
  private readonly asked = new Map<string, Map<string, NotifyRequest>>();
  private readonly done = new Map<string, Map<string, NotifySent>>();

  private of<T>(maps: Map<string, Map<string, T>>, scheduleId: string): Map<string, T> {
    const map = maps.get(scheduleId) ?? new Map<string, T>();
    maps.set(scheduleId, map);
    return map;
  }

  async add(scheduleId: string, request: NotifyRequest, cap: number): Promise<'added' | 'already' | 'full'> {
    const asked = this.of(this.asked, scheduleId);
    if (asked.has(request.accountId)) return 'already';
    if (asked.size >= cap) return 'full';
    asked.set(request.accountId, structuredClone(request));
    return 'added';
  }

  async cancel(scheduleId: string, accountId: string): Promise<boolean> {
    return this.of(this.asked, scheduleId).delete(accountId);
  }

  async requests(scheduleId: string): Promise<NotifyRequest[]> {
    return [...this.of(this.asked, scheduleId).values()].map((r) => structuredClone(r));
  }

  async request(scheduleId: string, accountId: string): Promise<NotifyRequest | null> {
    const request = this.of(this.asked, scheduleId).get(accountId);
    return request ? structuredClone(request) : null;
  }

  async sent(scheduleId: string, accountId: string): Promise<NotifySent | null> {
    const sent = this.of(this.done, scheduleId).get(accountId);
    return sent ? structuredClone(sent) : null;
  }

  async recordSent(scheduleId: string, accountId: string, sent: NotifySent): Promise<boolean> {
    const done = this.of(this.done, scheduleId);
    if (done.has(accountId)) return false;
    done.set(accountId, structuredClone(sent));
    return true;
  }
}
