/**
 * A burst of questions: every mention answered exactly once, none lost, and
 * how fast; with the sandbox's rate limit off, and on at a scaled-down
 * Mastodon limit (300 requests per 5 s instead of per 5 min) to see how
 * close the replies run to it without a single 429.
 *
 *   npx tsx bench/replies-burst.ts [COUNT] [--quick]
 *
 * COUNT defaults to 5000. Scenarios:
 *   backlog      COUNT mentions wait on the instance before Herold starts (first start: paging back, then answering)
 *   stream       COUNT mentions arrive in one burst over the streaming API while Herold runs
 *   backlog 300/5s  the backlog again, with the rate limit on
 * Each scenario gives up after 240 s. Needs Redis (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { startHerold } from '../src/app/herold-service.ts';
import { createMatcher, loadFaq, parseQuestionSet } from '../src/faq/index.ts';
import { questionText } from '../src/replies/question-text.ts';
import { startSandbox, type RateLimitConfig, type Sandbox } from '../src/sandbox/index.ts';
import { rebasedWienRocks } from '../test/support/harness.ts';

const COUNT = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT: RateLimitConfig = { limit: 300, windowMs: 5000 };
const SCENARIO_TIMEOUT_MS = 240_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });

const file = fileURLToPath(new URL('../test/faq-questions.tsv', import.meta.url));
const questions = parseQuestionSet(await readFile(file, 'utf8'), file).map((q) => q.question);

interface Row {
  name: string;
  answered: number;
  duplicates: number;
  lost: number;
  seconds: number;
  perSecond: number;
  requests: number;
  status429: number;
  peakWindow: string;
  meanWindow: string;
  fallback: number;
}

function ask(sandbox: Sandbox, i: number): string {
  return sandbox.mention(`u${i}`, questions[i % questions.length]!, { visibility: i % 3 === 0 ? 'direct' : 'public' }).id;
}

async function scenario(name: string, mode: 'backlog' | 'stream', rateLimit: RateLimitConfig | null): Promise<Row> {
  const sandbox = await startSandbox({ rateLimit: null, notificationPolicy: { forPrivateMentions: 'accept' } });
  for (let i = 0; i < COUNT; i += 1) sandbox.addAccount({ username: `u${i}` });
  const prefix = `{herold-bench-replies-${process.pid}-${Date.now().toString(36)}}`;
  const config = loadConfig({
    MASTODON_URL: sandbox.url,
    MASTODON_ACCESS_TOKEN: 'sandbox-token',
    REDIS_URL,
    HEROLD_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    HEROLD_MAX_BACKOFF_MS: '1000',
    LOG_LEVEL: 'silent',
  });
  const asked: string[] = [];
  if (mode === 'backlog') for (let i = 0; i < COUNT; i += 1) asked.push(ask(sandbox, i));
  sandbox.setRateLimit(rateLimit);
  sandbox.clearRequests();
  const schedule = rebasedWienRocks(3 * 86_400_000);
  const started = performance.now();
  const service = await startHerold({ config, schedules: new Map([[schedule.id, schedule]]), log, http: false, concurrency: CONCURRENCY, replies: { pollIntervalMs: 1000 } });
  if (mode === 'stream') {
    await sandbox.waitForStream();
    for (let i = 0; i < COUNT; i += 1) asked.push(ask(sandbox, i));
  }
  const until = Date.now() + SCENARIO_TIMEOUT_MS;
  while ((await service.replies.store.answeredCount()) < COUNT && Date.now() < until) await sleep(50);
  const seconds = (performance.now() - started) / 1000;
  // Let anything that would be a duplicate show up before counting.
  await sleep(1000);
  const fallback = (await service.replies.store.openQuestions()).length;
  await service.close();

  const replies = new Map<string, number>();
  for (const s of sandbox.statuses()) if (s.username === 'b2c' && s.inReplyToId) replies.set(s.inReplyToId, (replies.get(s.inReplyToId) ?? 0) + 1);
  const answered = asked.filter((id) => (replies.get(id) ?? 0) >= 1).length;
  const duplicates = asked.reduce((n, id) => n + Math.max(0, (replies.get(id) ?? 0) - 1), 0);
  const requests = sandbox.requests().filter((q) => q.path.startsWith('/api/') && !q.path.startsWith('/api/v1/streaming'));
  const windows = new Map<number, number>();
  if (rateLimit) for (const q of requests) windows.set(Math.floor(q.at / rateLimit.windowMs), (windows.get(Math.floor(q.at / rateLimit.windowMs)) ?? 0) + 1);
  const keys = [...windows.keys()].sort((a, b) => a - b);
  const full = keys.slice(1, -1).map((k) => windows.get(k)!); // first and last windows are partial
  await sandbox.close();
  const redis = new Redis(REDIS_URL);
  const stale = await redis.keys(`${prefix}*`);
  if (stale.length > 0) await redis.del(...stale);
  redis.disconnect();
  const pct = (n: number) => (rateLimit ? `${n.toFixed(0)}/${rateLimit.limit} (${((100 * n) / rateLimit.limit).toFixed(0)}%)` : '—');
  return {
    name,
    answered,
    duplicates,
    lost: COUNT - answered,
    seconds,
    perSecond: answered / seconds,
    requests: requests.length,
    status429: requests.filter((q) => q.status === 429).length,
    peakWindow: pct(Math.max(0, ...windows.values())),
    meanWindow: full.length > 0 ? pct(full.reduce((a, b) => a + b, 0) / full.length) : '—',
    fallback,
  };
}

// Matching cost per question, as the intake does it (HTML to text, then the matcher).
const faq = await loadFaq();
const matcher = createMatcher(faq.entries, faq.options);
const html = questions.map((q) => `<p><span class="h-card"><a href="https://wien.rocks/@b2c" class="u-url mention">@<span>b2c</span></a></span> ${q}</p>`);
const ROUNDS = Math.max(COUNT, 50_000);
const texts = html.map((h) => questionText({ content: h }, 'b2c'));
for (let round = 0; round < 4; round += 1) for (const text of texts) matcher.match(text);
let t = performance.now();
for (let i = 0; i < ROUNDS; i += 1) questionText({ content: html[i % html.length]! }, 'b2c');
const textMicros = ((performance.now() - t) * 1000) / ROUNDS;
t = performance.now();
for (let i = 0; i < ROUNDS; i += 1) matcher.match(texts[i % texts.length]!);
const matchMicros = ((performance.now() - t) * 1000) / ROUNDS;

const rows: Row[] = [];
rows.push(await scenario('backlog, limit off', 'backlog', null));
rows.push(await scenario('stream burst, limit off', 'stream', null));
if (!process.argv.includes('--quick')) rows.push(await scenario(`backlog, limit ${LIMIT.limit}/${LIMIT.windowMs / 1000}s`, 'backlog', LIMIT));

const header = ['scenario', 'answered', 'dup', 'lost', 'time s', 'replies/s', 'requests', '429s', 'peak/window', 'mean/full window', 'fallback'];
const table = rows.map((r) => [r.name, String(r.answered), String(r.duplicates), String(r.lost), r.seconds.toFixed(1), r.perSecond.toFixed(0), String(r.requests), String(r.status429), r.peakWindow, r.meanWindow, String(r.fallback)]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`${COUNT} questions per scenario, worker concurrency ${CONCURRENCY}, ${questions.length} distinct questions from test/faq-questions.tsv, one asker each`);
console.log(line(header));
for (const row of table) console.log(line(row));
console.log(`per question: ${textMicros.toFixed(1)} µs HTML to text + ${matchMicros.toFixed(1)} µs FAQ match (warm word cache, ${ROUNDS} rounds); the matcher alone: npx tsx bench/faq-match.ts`);
process.exit(rows.every((r) => r.lost === 0 && r.duplicates === 0 && r.status429 === 0) ? 0 : 1);
