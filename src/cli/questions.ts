import { DateTime } from 'luxon';
import { safeText } from '../render/safe-text.ts';
import { loadConfig } from '../config/config.ts';
import { connectOrExplain, redisConnection } from '../adapters/redis/connect.ts';
import { ReplyStore } from '../adapters/redis/reply-store.ts';
import type { OpenQuestion } from '../core/ports/reply-store.ts';

export interface QuestionsOptions {
  readonly json?: boolean;
  /** Notification ids a person has answered: no longer listed. */
  readonly done?: readonly string[];
}

/**
 * `herold questions [--json] [--done <id...>]`: the questions no FAQ entry
 * answered with confidence. Their askers got the fallback answer ("a person
 * will reply"); this is the admins' to-do list. Needs only REDIS_URL.
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
    if (options.json) {
      // JSON escapes control characters but not bidi overrides.
      out(JSON.stringify(open, (_key, value: unknown) => (typeof value === 'string' ? safeText(value) : value), 2));
      return;
    }
    for (const line of formatQuestions(open)) out(line);
  } finally {
    redis.disconnect();
  }
}

export function formatQuestions(open: readonly OpenQuestion[]): string[] {
  if (open.length === 0) return ['No open questions.'];
  const lines = [`${open.length} open question(s), oldest first (mark one done with: herold questions --done <id>):`, ''];
  // Everything here came from other servers and their users; questions stored before the text was cleaned at intake too.
  const clean = (text: string) => safeText(text, { newlines: false });
  for (const q of open) {
    const at = DateTime.fromISO(q.createdAt).toLocal().toFormat('dd.MM. HH:mm');
    lines.push(clean(`${q.notificationId}  ${at}  @${q.acct}${q.visibility === 'direct' ? ' (DM)' : ''}  ${q.url ?? ''}`).trimEnd());
    lines.push(`    ${clean(q.text.replace(/\s*\n\s*/g, ' ⏎ '))}`);
  }
  return lines;
}
