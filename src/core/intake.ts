import type { Logger } from './ports/logger.ts';
import { FALLBACK_ID, type Classifier } from '../faq/index.ts';
import { PRIORITY } from './jobs.ts';
import type { JobSink } from './ports/job-queue.ts';
import type { CurrentSchedule } from './current-schedule.ts';
import { questionText } from '../replies/question-text.ts';
import type { ReplyStore } from './ports/reply-store.ts';
import { triage } from '../replies/triage.ts';
import type { IncomingNotification } from '../replies/types.ts';

export type IntakeResult = 'queued' | 'ignored' | 'answered already' | 'no schedule';

export interface IntakeDeps {
  readonly store: ReplyStore;
  readonly jobs: JobSink;
  /** Reads the FAQ entry (or thanks, or fallback) and the language. */
  readonly matcher: Classifier;
  readonly current: CurrentSchedule;
  /** The bot's own account (known once the listener has asked the instance). */
  readonly self: () => { readonly id: string; readonly username: string };
  readonly log: Logger;
}

/**
 * What happens to each mention, however it arrived: ignore it (self, bots,
 * not a mention), or match it against the FAQ and queue one reply job.
 * Idempotent: the stream and the poller may both bring the same
 * notification, and so may two `herold run` processes; the job id
 * (`reply.<schedule>.<notification>`) makes the second add a no-op, and a
 * question kept for the admins is kept once.
 */
export class Intake {
  private warnedNoSchedule = false;

  constructor(private readonly deps: IntakeDeps) {}

  async handle(n: IncomingNotification): Promise<IntakeResult> {
    const { store, log } = this.deps;
    const self = this.deps.self();
    const verdict = triage(n, self.id);
    if (!verdict.answer) {
      log.debug({ notification: n.id, from: n.account.acct }, `Not answering: ${verdict.reason}.`);
      return 'ignored';
    }
    const status = n.status!;
    if (await store.answered(n.id)) return 'answered already';
    const scheduleId = await this.deps.current.currentId();
    if (!scheduleId) {
      if (!this.warnedNoSchedule) log.warn('No schedule is loaded, so there is nothing to answer questions with; mentions stay unanswered.');
      this.warnedNoSchedule = true;
      return 'no schedule';
    }
    const question = questionText(status, self.username);
    const match = this.deps.matcher.match(question);
    if (match.id === FALLBACK_ID) {
      await store.keepQuestion({
        notificationId: n.id,
        statusId: status.id,
        url: status.url,
        acct: n.account.acct,
        visibility: status.visibility,
        text: question,
        score: match.score,
        createdAt: n.createdAt,
      });
    }
    await this.deps.jobs.add(
      {
        type: 'reply',
        scheduleId,
        notificationId: n.id,
        statusId: status.id,
        accountId: n.account.id,
        acct: n.account.acct,
        faqId: match.id,
        language: match.language,
        receivedAt: n.createdAt,
      },
      { priority: PRIORITY.reply },
    );
    log.debug({ notification: n.id, from: n.account.acct, faq: match.id, score: match.score, language: match.language }, 'Reply queued.');
    return 'queued';
  }
}
