import type { RedisConnection } from './connect.ts';
import { releaseLock, takeLock } from './token-lock.ts';
import type { AnsweredRecord, OpenQuestion, QuestionInbox, ReplyStore as ReplyStorePort } from '../../core/ports/reply-store.ts';

// Moves the cursor forward only. Ids are decimal strings without leading
// zeros, so a longer id is larger, and equal lengths compare as strings;
// Lua's doubles would lose precision on 64-bit ids.
const ADVANCE = `
local cur = redis.call('GET', KEYS[1])
local new = ARGV[1]
if (not cur) or #new > #cur or (#new == #cur and new > cur) then
  redis.call('SET', KEYS[1], new)
  return 1
end
return 0
`;

// Takes one request from a fixed-window budget shared by every process.
const TAKE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return 0 end
return 1
`;


/**
 * Reply state in Redis, under the same hash-tagged prefix as the queue and
 * the schedules' state (`{herold}:replies:*`), so one Cluster slot holds it.
 */
export class ReplyStore implements ReplyStorePort, QuestionInbox {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  private key(part: string) {
    return `${this.prefix}:replies:${part}`;
  }

  /** The newest notification id up to which every mention has been queued; null before the first start. */
  cursor(): Promise<string | null> {
    return this.redis.get(this.key('cursor'));
  }

  /** Moves the cursor to `id` if that is further; true when it moved. */
  async advanceCursor(id: string): Promise<boolean> {
    return (await this.redis.eval(ADVANCE, 1, this.key('cursor'), id)) === 1;
  }

  async answered(notificationId: string): Promise<AnsweredRecord | null> {
    const raw = await this.redis.hget(this.key('answered'), notificationId);
    return raw ? (JSON.parse(raw) as AnsweredRecord) : null;
  }

  /** HSETNX: the first record wins; false if the notification had one already. */
  async recordAnswered(notificationId: string, record: AnsweredRecord): Promise<boolean> {
    return (await this.redis.hsetnx(this.key('answered'), notificationId, JSON.stringify(record))) === 1;
  }

  async answeredCount(): Promise<number> {
    return this.redis.hlen(this.key('answered'));
  }

  /**
   * Claims the cooldown of an account for one FAQ id, atomically (SET NX PX),
   * so that two questions answered in parallel cannot both get the answer.
   * The claim carries the notification id: a retry of the same reply passes.
   */
  async claimCooldown(accountId: string, faqId: string, notificationId: string, ms: number): Promise<boolean> {
    if (ms <= 0) return true;
    const key = this.key(`cooldown:${accountId}:${faqId}`);
    if (await takeLock(this.redis, key, notificationId, ms)) return true;
    return (await this.redis.get(key)) === notificationId;
  }

  /** Gives a claim back (the reply could not be sent), unless someone else holds it by now. */
  async releaseCooldown(accountId: string, faqId: string, notificationId: string): Promise<void> {
    await releaseLock(this.redis, this.key(`cooldown:${accountId}:${faqId}`), notificationId);
  }

  /** Keeps an unanswered question for the admins; idempotent per notification. */
  async keepQuestion(question: OpenQuestion): Promise<boolean> {
    const added = (await this.redis.hsetnx(this.key('questions'), question.notificationId, JSON.stringify(question))) === 1;
    if (added) await this.redis.zadd(this.key('questions:open'), Date.parse(question.createdAt) || Date.now(), question.notificationId);
    return added;
  }

  /** Open questions, oldest first. */
  async openQuestions(): Promise<OpenQuestion[]> {
    const ids = await this.redis.zrange(this.key('questions:open'), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.key('questions'), ...ids);
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as OpenQuestion);
  }

  /** Marks questions as handled by a person; returns how many were open. */
  async closeQuestions(notificationIds: readonly string[]): Promise<number> {
    if (notificationIds.length === 0) return 0;
    return this.redis.zrem(this.key('questions:open'), ...notificationIds);
  }

  /** One request from the polling budget (`limit` per `windowMs`, all processes together); false when used up. */
  async takePollRequest(limit: number, windowMs: number, now = Date.now()): Promise<boolean> {
    const window = Math.floor(now / windowMs) * windowMs;
    return (await this.redis.eval(TAKE, 1, this.key(`poll-budget:${window}`), limit, windowMs)) === 1;
  }

  /** Only one process catches up at a time; the others' polls would fetch the same page. */
  async tryPollLock(token: string, ttlMs: number): Promise<boolean> {
    return takeLock(this.redis, this.key('poll-lock'), token, ttlMs);
  }

  async releasePollLock(token: string): Promise<void> {
    await releaseLock(this.redis, this.key('poll-lock'), token);
  }
}
