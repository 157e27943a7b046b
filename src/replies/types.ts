/** A notification as Herold's reply code sees it, whichever way it arrived (stream or polling). */
export interface IncomingNotification {
  readonly id: string;
  readonly type: string;
  /** ISO time the notification was created. */
  readonly createdAt: string;
  readonly account: {
    readonly id: string;
    /** `user` for local accounts, `user@domain` for remote ones. */
    readonly acct: string;
    readonly bot: boolean;
  };
  readonly status: {
    readonly id: string;
    /** HTML, as Mastodon renders it. */
    readonly content: string;
    readonly spoilerText: string;
    readonly visibility: string;
    readonly url: string | null;
  } | null;
}

/** Mastodon's notification policy (v2), the parts that decide whether a mention reaches Herold. */
export interface NotificationPolicy {
  readonly forNotFollowing: string;
  readonly forNotFollowers: string;
  readonly forNewAccounts: string;
  readonly forPrivateMentions: string;
  readonly forLimitedAccounts: string;
}

