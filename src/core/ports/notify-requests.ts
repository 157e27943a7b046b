import type { Language } from '../../faq/language.ts';

/** A follower who asked to be told when the maintenance is over. */
export interface NotifyRequest {
  readonly accountId: string;
  readonly acct: string;
  /** Their message asking for it: the DM answers it, so it passes their notification filters. */
  readonly statusId: string;
  readonly language: Language;
  /** ISO time of the request. */
  readonly at: string;
}

/** What happened to one follower's DM: its status id, or why none was sent. */
export interface NotifySent {
  readonly statusId: string | null;
  readonly at: string;
  readonly skipped?: string;
}

/** "Sag Bescheid" requests per schedule and account, and the DMs sent for them (the Redis adapter implements it). */
export interface NotifyRequests {
  /** Once per account, within the cap, in one step. */
  add(scheduleId: string, request: NotifyRequest, cap: number): Promise<'added' | 'already' | 'full'>;
  /** True when the account had asked. */
  cancel(scheduleId: string, accountId: string): Promise<boolean>;
  requests(scheduleId: string): Promise<NotifyRequest[]>;
  request(scheduleId: string, accountId: string): Promise<NotifyRequest | null>;
  sent(scheduleId: string, accountId: string): Promise<NotifySent | null>;
  /** The first record wins. */
  recordSent(scheduleId: string, accountId: string, sent: NotifySent): Promise<boolean>;
}
