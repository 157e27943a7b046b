/**
 * Cost of one FAQ match: runs the labelled question set through the matcher
 * until 100,000 questions have been matched and prints µs per question.
 *
 *   npx tsx bench/faq-match.ts [ROUNDS]
 *
 * "warm" is the normal case (the matcher remembers how it resolved each
 * word); "cold" disables that cache, so every word goes through stemming,
 * compound splitting and typo search again.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createMatcher, loadFaq, parseQuestionSet, type Matcher } from '../src/faq/index.ts';

const TOTAL = Number(process.argv[2] ?? 100_000);
const file = fileURLToPath(new URL('../test/faq-questions.tsv', import.meta.url));
const questions = parseQuestionSet(await readFile(file, 'utf8'), file).map((item) => item.question);
const faq = await loadFaq();

function run(label: string, matcher: Matcher, total: number): void {
  // Warm-up so the JIT has seen the code before we measure.
  for (const question of questions) matcher.match(question);
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < total; i += 1) sink += matcher.match(questions[i % questions.length] as string).score;
  const elapsed = Number(process.hrtime.bigint() - started) / 1000;
  console.log(
    `${label.padEnd(5)} ${(elapsed / total).toFixed(2).padStart(7)} µs/question  (${total} matches, ${questions.length} distinct questions, checksum ${sink})`,
  );
}

const started = process.hrtime.bigint();
const matcher = createMatcher(faq.entries, faq.options);
console.log(`build ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms to create the matcher`);
run('warm', matcher, TOTAL);
run('cold', createMatcher(faq.entries, { ...faq.options, cacheSize: 0 }), Math.max(1, Math.floor(TOTAL / 10)));
