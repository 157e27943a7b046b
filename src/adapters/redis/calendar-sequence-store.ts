import type { RedisConnection } from './connect.ts';

/** The calendar event's revision: SEQUENCE and when its facts last changed (ms). */
export interface CalendarRevision {
  readonly sequence: number;
  readonly changedAt: number;
}

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

/**
 * Remembers each maintenance's calendar event as last served, so that its
 * SEQUENCE grows with every change of the facts (RFC 5545 §3.8.7.4) and
 * stays put otherwise. Kept next to the maintenance's state.
 */
export class CalendarSequenceStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  /** The revision for these facts: the stored one when they are unchanged, else the next one, changed at `nowMs`. */
  async revise(scheduleId: string, fingerprint: string, nowMs: number): Promise<CalendarRevision> {
    const [sequence, changedAt] = (await this.redis.eval(REVISE, 1, `${this.prefix}:state:${scheduleId}:calendar`, fingerprint, String(nowMs))) as [number, number];
    return { sequence, changedAt };
  }
}
