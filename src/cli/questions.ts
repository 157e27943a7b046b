import { DateTime } from 'luxon';
import { safeText } from '../render/safe-text.ts';
import { loadConfig } from '../config/config.ts';
import { connectOrExplain, redisConnection } from '../adapters/redis/connect.ts';
import { ReplyStore } from '../adapters/redis/reply-store.ts';
import type { OpenQuestion } from '../core/ports/reply-store.ts';
import { MastoNotifications } from '../adapters/mastodon/notifications.ts';
import { questionText } from '../replies/question-text.ts';
import type { IncomingNotification } from '../replies/types.ts';
import { HeroldError } from '../errors.ts';

export interface QuestionsOptions {
  readonly json?: boolean;
  /** Notification ids a person has answered: no longer listed. */
  readonly done?: readonly string[];
}

/**
 * `herold questions [--json] [--done <id...>]`: the questions no FAQ entry
 * answered with confidence. Their askers got the fallback answer ("a person
 * will reply"); this is the admins' to-do list. Needs only REDIS_URL; with
 * MASTODON_URL and MASTODON_ACCESS_TOKEN set it also lists, as "gefiltert",
 * the DMs Mastodon's notification policy holds back (4.3+), which Herold
 * never saw and never answered.
 */
export async function questionsCommand(options: QuestionsOptions, out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env, 'redis');
  const redis = redisConnection(config.redisUrl, 'producer');
  redis.on('error', () => undefined);
  await connectOrExplain(redis, config.redisUrl);
  try {
    const store = new ReplyStore(redis, config.prefix);
    if (options.done && options.done.length > 0) {
      const closed = await store.closeQuestions(options.done);
      out(`✔ ${closed} question(s) marked as answered.`);
      return;
    }
    const open = await store.openQuestions();
    const filtered = await filteredMentions(env);
    if (options.json) {
      const held = filtered.kind === 'listed' ? filtered.mentions.map((n) => ({ ...filteredQuestion(n), filtered: true })) : [];
      // JSON escapes control characters but not bidi overrides.
      out(JSON.stringify([...open, ...held], (_key, value: unknown) => (typeof value === 'string' ? safeText(value) : value), 2));
      return;
    }
    for (const line of formatQuestions(open)) out(line);
    for (const line of formatFiltered(filtered)) out(line);
  } finally {
    redis.disconnect();
  }
}

export function formatQuestions(open: readonly OpenQuestion[]): string[] {
  if (open.length === 0) return ['No open questions.'];
  const lines = [`${open.length} open question(s), oldest first (mark one done with: herold questions --done <id>):`, ''];
  for (const q of open) lines.push(...questionLines(q, ''));
  return lines;
}

type ListedQuestion = Pick<OpenQuestion, 'notificationId' | 'acct' | 'text' | 'createdAt' | 'url'> & { readonly visibility: string | null };

/** One question as two lines: who and when (with `mark` after the account), then the text on one line. */
function questionLines(q: ListedQuestion, mark: string): string[] {
  // Everything here came from other servers and their users; questions stored before the text was cleaned at intake too.
  const clean = (text: string) => safeText(text, { newlines: false });
  const at = DateTime.fromISO(q.createdAt).toLocal().toFormat('dd.MM. HH:mm');
  return [
    clean(`${q.notificationId}  ${at}  @${q.acct}${mark}${q.visibility === 'direct' ? ' (DM)' : ''}  ${q.url ?? ''}`).trimEnd(),
    `    ${clean(q.text.replace(/\s*\n\s*/g, ' ⏎ '))}`,
  ];
}

type FilteredReading =
  | { readonly kind: 'not-configured' }
  | { readonly kind: 'listed'; readonly mentions: readonly IncomingNotification[] }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** The mentions the policy filters, read from the instance when its URL and token are configured. */
async function filteredMentions(env: NodeJS.ProcessEnv): Promise<FilteredReading> {
  const url = env.MASTODON_URL;
  const accessToken = env.MASTODON_ACCESS_TOKEN;
  if (!url || !accessToken) return { kind: 'not-configured' };
  try {
    const notifications = new MastoNotifications({ url, accessToken, timeoutMs: 5_000 });
    return { kind: 'listed', mentions: await notifications.filteredMentions() };
  } catch (error) {
    return { kind: 'unreadable', reason: error instanceof HeroldError ? error.message : String(error) };
  }
}

function filteredQuestion(n: IncomingNotification) {
  return {
    notificationId: n.id,
    acct: n.account.acct,
    text: n.status ? questionText(n.status) : '',
    createdAt: n.createdAt,
    visibility: n.status?.visibility ?? null,
    url: n.status?.url ?? null,
  };
}

export function formatFiltered(reading: FilteredReading): string[] {
  if (reading.kind === 'not-configured') return [];
  if (reading.kind === 'unreadable') return ['', `Gefilterte DMs: konnte die Instanz nicht fragen (${safeText(reading.reason, { newlines: false })}).`];
  if (reading.mentions.length === 0) return [];
  const lines = ['', `${reading.mentions.length} gefilterte Nachricht(en): Mastodons Benachrichtigungs-Filter hält sie zurück, Herold hat sie nie gesehen und nicht beantwortet:`, ''];
  for (const q of reading.mentions.map(filteredQuestion)) lines.push(...questionLines(q, '  gefiltert'));
  lines.push(
    '',
    'Durchlassen: in Mastodon unter Benachrichtigungen → „Gefilterte Benachrichtigungen“ die Anfrage annehmen, dann antwortet ihr dort selbst.',
    'Damit Herold künftige DMs von Fremden sieht und beantwortet: herold run --accept-dms (ändert die Benachrichtigungs-Regeln des Kontos).',
  );
  return lines;
}
