import type { AnsweredRecord, OpenQuestion, QuestionInbox, ReplyStore } from '../../core/ports/reply-store.ts';

/**
 * Reply state in memory: same contract as the Redis store
 * (test/adapters/reply-store.contract.ts). Cooldown claims expire on the
 * injected clock (epoch ms), as Redis's PX does on its own.
 */
export class MemoryReplyStore implements ReplyStore, QuestionInbox {
  private readonly records = new Map<string, AnsweredRecord>();
  private readonly cooldowns = new Map<string, { readonly holder: string; readonly until: number }>();
  private readonly questions = new Map<string, OpenQuestion>();
  /** Open question ids with their sort key: the time asked (else when kept), as the Redis sorted set keeps them. */
  private readonly open = new Map<string, number>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  async answered(notificationId: string): Promise<AnsweredRecord | null> {
    const record = this.records.get(notificationId);
    return record ? structuredClone(record) : null;
  }

  async recordAnswered(notificationId: string, record: AnsweredRecord): Promise<boolean> {
    if (this.records.has(notificationId)) return false;
    this.records.set(notificationId, structuredClone(record));
    return true;
  }

  async claimCooldown(accountId: string, faqId: string, notificationId: string, ms: number): Promise<boolean> {
    if (ms <= 0) return true;
    const key = `${accountId}:${faqId}`;
    const held = this.cooldowns.get(key);
    if (held && held.until > this.nowMs()) return held.holder === notificationId;
    this.cooldowns.set(key, { holder: notificationId, until: this.nowMs() + ms });
    return true;
  }

  async releaseCooldown(accountId: string, faqId: string, notificationId: string): Promise<void> {
    const key = `${accountId}:${faqId}`;
    const held = this.cooldowns.get(key);
    if (held && held.until > this.nowMs() && held.holder === notificationId) this.cooldowns.delete(key);
  }

  async keepQuestion(question: OpenQuestion): Promise<boolean> {
    if (this.questions.has(question.notificationId)) return false;
    this.questions.set(question.notificationId, structuredClone(question));
    this.open.set(question.notificationId, Date.parse(question.createdAt) || this.nowMs());
    return true;
  }

  async openQuestions(): Promise<OpenQuestion[]> {
    // Redis orders a sorted set by score, then by member.
    const ids = [...this.open].sort(([a, sa], [b, sb]) => sa - sb || (a < b ? -1 : a > b ? 1 : 0)).map(([id]) => id);
    return ids.map((id) => structuredClone(this.questions.get(id)!));
  }

  async closeQuestions(notificationIds: readonly string[]): Promise<number> {
    let closed = 0;
    for (const id of notificationIds) if (this.open.delete(id)) closed += 1;
    return closed;
  }
}
