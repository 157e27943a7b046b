import type { RedisConnection } from './connect.ts';
import type { NotifyRequest, NotifyRequests, NotifySent } from '../../core/ports/notify-requests.ts';

export type { NotifyRequest, NotifySent };

/** How many followers one schedule keeps; more would eat the statuses budget the toots need. */
export const DEFAULT_NOTIFY_CAP = 300;

// Adds a request once per account, within the cap, in one step.
const ADD = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'already' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 'added'
`;

/**
 * "Sag Bescheid, wenn ihr wieder da seid": requests per schedule and
 * account (`{herold}:notify:<schedule>`), and the DMs sent for them
 * (`{herold}:notify-sent:<schedule>`, HSETNX: one per account, ever).
 */
export class NotifyStore implements NotifyRequests {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  private key(part: string, scheduleId: string) {
    return `${this.prefix}:${part}:${scheduleId}`;
  }

  async add(scheduleId: string, request: NotifyRequest, cap = DEFAULT_NOTIFY_CAP): Promise<'added' | 'already' | 'full'> {
    return (await this.redis.eval(ADD, 1, this.key('notify', scheduleId), request.accountId, JSON.stringify(request), cap)) as 'added' | 'already' | 'full';
  }

  /** True when the account had asked. */
  async cancel(scheduleId: string, accountId: string): Promise<boolean> {
    return (await this.redis.hdel(this.key('notify', scheduleId), accountId)) === 1;
  }

  async requests(scheduleId: string): Promise<NotifyRequest[]> {
    const all = await this.redis.hvals(this.key('notify', scheduleId));
    return all.map((raw) => JSON.parse(raw) as NotifyRequest);
  }

  async request(scheduleId: string, accountId: string): Promise<NotifyRequest | null> {
    const raw = await this.redis.hget(this.key('notify', scheduleId), accountId);
    return raw ? (JSON.parse(raw) as NotifyRequest) : null;
  }

  async sent(scheduleId: string, accountId: string): Promise<NotifySent | null> {
    const raw = await this.redis.hget(this.key('notify-sent', scheduleId), accountId);
    return raw ? (JSON.parse(raw) as NotifySent) : null;
  }

  /** HSETNX: the first record wins. */
  async recordSent(scheduleId: string, accountId: string, sent: NotifySent): Promise<boolean> {
    return (await this.redis.hsetnx(this.key('notify-sent', scheduleId), accountId, JSON.stringify(sent))) === 1;
  }
}
