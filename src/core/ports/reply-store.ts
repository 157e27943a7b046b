/** What became of a notification: answered (status id) or deliberately not. */
export interface AnsweredRecord {
  readonly statusId: string | null;
  readonly faqId: string;
  /** ISO time of the reply (or of the decision not to reply). */
  readonly at: string;
  readonly acct: string;
  /** Set when no reply was sent, e.g. "cooldown". */
  readonly skipped?: string;
  /** Thanks: the message got a favourite instead of an answer. */
  readonly favourited?: boolean;
}

/** A question no FAQ entry answered with confidence, kept for the admins. */
export interface OpenQuestion {
  readonly notificationId: string;
  readonly statusId: string;
  readonly url: string | null;
  readonly acct: string;
  readonly visibility: string;
  /** The question as plain text (what the matcher saw). */
  readonly text: string;
  /** Score of the best FAQ candidate, below the confidence gate. */
  readonly score: number;
  /** ISO time the question was asked. */
  readonly createdAt: string;
}

/** What the question use cases (intake, reply) keep: answers, cooldowns, open questions. */
export interface ReplyStore {
  answered(notificationId: string): Promise<AnsweredRecord | null>;
  /** The first record wins; false if the notification had one already. */
  recordAnswered(notificationId: string, record: AnsweredRecord): Promise<boolean>;
  /**
   * Claims the cooldown of an account for one FAQ id, atomically, so that two
   * questions answered in parallel cannot both get the answer. The claim
   * carries the notification id: a retry of the same reply passes.
   */
  claimCooldown(accountId: string, faqId: string, notificationId: string, ms: number): Promise<boolean>;
  /** Gives a claim back (the reply could not be sent), unless someone else holds it by now. */
  releaseCooldown(accountId: string, faqId: string, notificationId: string): Promise<void>;
  /** Keeps an unanswered question for the admins; idempotent per notification. */
  keepQuestion(question: OpenQuestion): Promise<boolean>;
}

/**
 * The admins' side of the kept questions (the panel, `herold questions`); the
 * use cases only keep them. The reply stores implement both interfaces.
 */
export interface QuestionInbox {
  /** Open questions, oldest first. */
  openQuestions(): Promise<OpenQuestion[]>;
  /** Marks questions as handled by a person; returns how many were open. */
  closeQuestions(notificationIds: readonly string[]): Promise<number>;
}
