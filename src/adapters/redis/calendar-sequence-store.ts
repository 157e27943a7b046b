import type { RedisConnection } from './connect.ts';
import type { CalendarRevision, CalendarRevisions } from '../../core/ports/calendar-revisions.ts';

// Compares the fingerprint and, when it differs, raises the sequence in the
// same step: two replicas serving the changed event at once raise it once.
const REVISE = `
local current = redis.call('HMGET', KEYS[1], 'fingerprint', 'sequence', 'changedAt')
if current[1] == ARGV[1] then return { tonumber(current[2]), tonumber(current[3]) } end
local sequence = 0
if current[2] then sequence = tonumber(current[2]) + 1 end
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'sequence', sequence, 'changedAt', ARGV[2])
return { sequence, tonumber(ARGV[2]) }
`;

/** The calendar revisions in Redis, next to the maintenance's state; safe with several replicas. */
export class CalendarSequenceStore implements CalendarRevisions {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  async revise(scheduleId: string, fingerprint: string, nowMs: number): Promise<CalendarRevision> {
    const [sequence, changedAt] = (await this.redis.eval(REVISE, 1, `${this.prefix}:state:${scheduleId}:calendar`, fingerprint, String(nowMs))) as [number, number];
    return { sequence, changedAt };
  }
}
