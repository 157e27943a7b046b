import { describe, expect, test } from 'vitest';
import { evaluate, formatReport, parseQuestionSet, type Matcher } from '../../src/faq/index.ts';
import { problemsOf } from '../support/schedule-problems.ts';

/** Answers from a fixed table, so the numbers below are exact. */
function tableMatcher(answers: Record<string, string>): Matcher {
  return {
    ids: ['termin', 'dauer'],
    match: (question) => {
      const id = answers[question] ?? 'fallback';
      return { id, score: id === 'fallback' ? 1 : 5, candidates: [] };
    },
  };
}

describe('parseQuestionSet', () => {
  test('reads id<TAB>question, skipping comments and blank lines, with line numbers', () => {
    const text = '\uFEFF# a comment\n\ntermin\tWann ist der Umzug?\r\n  # indented comment\nfallback\tDanke!\n';
    expect(parseQuestionSet(text, 'q.tsv')).toEqual([
      { id: 'termin', question: 'Wann ist der Umzug?', language: 'de', line: 3 },
      { id: 'fallback', question: 'Danke!', language: 'de', line: 5 },
    ]);
  });

  test('reads an optional language column (de or en) between id and question', () => {
    const text = 'termin\ten\tWhen is the move?\ndauer\tde\tWie lange?\nthanks\ten\tThanks!\n';
    expect(parseQuestionSet(text, 'q.tsv')).toEqual([
      { id: 'termin', question: 'When is the move?', language: 'en', line: 1 },
      { id: 'dauer', question: 'Wie lange?', language: 'de', line: 2 },
      { id: 'thanks', question: 'Thanks!', language: 'en', line: 3 },
    ]);
  });

  test('keeps tabs inside the question', () => {
    expect(parseQuestionSet('dauer\tWie\tlange?', 'q.tsv')[0]?.question).toBe('Wie\tlange?');
  });

  test('names file and line of every malformed line', () => {
    const text = ['termin\tWann?', 'dauer Wie lange?', 'wetter\tScheint die Sonne?', 'grund\t   ', '\tOhne id'].join('\n');
    const problems = problemsOf(() => parseQuestionSet(text, 'test/q.tsv'));
    expect(problems.map((problem) => [problem.file, problem.line])).toEqual([
      ['test/q.tsv', 2],
      ['test/q.tsv', 3],
      ['test/q.tsv', 4],
      ['test/q.tsv', 5],
    ]);
    expect(problems[0]?.message).toMatch(/no tab/);
    expect(problems[1]?.message).toBe('"wetter" is not an FAQ id.');
    expect(problems[1]?.hint).toContain('fallback');
    expect(problems[2]?.message).toMatch(/question is empty/);
    expect(problems[3]?.message).toMatch(/id is empty/);
  });

  test('the error message lists positions like file:line', () => {
    expect(() => parseQuestionSet('foo\tbar', 'q.tsv')).toThrow(/^q\.tsv:1:1: "foo" is not an FAQ id\./);
  });

  test('accepts custom ids', () => {
    expect(parseQuestionSet('wetter\tSonne?', 'q.tsv', ['wetter'])).toHaveLength(1);
  });
});

describe('evaluate', () => {
  const labelled = [
    { id: 'termin', question: 'a' },
    { id: 'termin', question: 'b', line: 7 },
    { id: 'dauer', question: 'c' },
    { id: 'fallback', question: 'd' },
    { id: 'fallback', question: 'e' },
  ];
  const matcher = tableMatcher({ a: 'termin', b: 'dauer', c: 'dauer', e: 'termin' });

  test('computes accuracy, per-id accuracy, chit-chat fallback rate and confusions', () => {
    const report = evaluate(matcher, labelled);
    expect(report.total).toBe(5);
    expect(report.correct).toBe(3);
    expect(report.accuracy).toBeCloseTo(0.6);
    expect(report.perId).toEqual([
      { id: 'termin', total: 2, correct: 1, accuracy: 0.5 },
      { id: 'dauer', total: 1, correct: 1, accuracy: 1 },
      { id: 'fallback', total: 2, correct: 1, accuracy: 0.5 },
    ]);
    expect(report.fallbackRateOnChitchat).toBe(0.5);
    expect(report.wrongAnswerRate).toBeCloseTo(0.4);
    expect(report.confusions).toEqual([
      { expected: 'termin', got: 'dauer', score: 5, question: 'b', language: 'de', line: 7 },
      { expected: 'fallback', got: 'termin', score: 5, question: 'e', language: 'de' },
    ]);
  });

  test('reports accuracy and language recognition per language', () => {
    const classifier = {
      ids: ['termin', 'dauer'],
      match: (question: string) => ({
        id: question.startsWith('w') ? 'termin' : 'fallback',
        score: 3,
        candidates: [],
        language: question.endsWith('?') ? ('en' as const) : ('de' as const),
      }),
    };
    const report = evaluate(classifier, [
      { id: 'termin', question: 'when?', language: 'en' },
      { id: 'termin', question: 'wann', language: 'de' },
      { id: 'termin', question: 'wann?', language: 'de' },
      { id: 'fallback', question: 'hallo', language: 'de' },
      { id: 'fallback', question: 'what', language: 'en' },
    ]);
    expect(report.perLanguage).toEqual([
      { language: 'de', total: 3, correct: 3, accuracy: 1, languageDetected: 2 / 3, fallbackRateOnChitchat: 1, wrongAnswerRate: 0 },
      { language: 'en', total: 2, correct: 1, accuracy: 0.5, languageDetected: 0.5, fallbackRateOnChitchat: 0, wrongAnswerRate: 0.5 },
    ]);
    expect(report.confusions[0]).toMatchObject({ expected: 'fallback', got: 'termin', language: 'en', detected: 'de' });
    const text = formatReport(report);
    expect(text).toMatch(/^de\s+3\/3\s+100\.0%\s+66\.7%\s+100\.0%\s+0\.0%$/m);
    expect(text).toMatch(/^en\s+1\/2\s+50\.0%\s+50\.0%\s+0\.0%\s+50\.0%$/m);
    expect(text).toContain('[en, read as de]: what');
  });

  test('an empty set has nothing wrong in it', () => {
    const report = evaluate(matcher, []);
    expect(report).toMatchObject({ total: 0, accuracy: 1, fallbackRateOnChitchat: 1, wrongAnswerRate: 0, confusions: [] });
  });

  test('formatReport shows the totals, a row per id and the misses', () => {
    const text = formatReport(evaluate(matcher, labelled));
    expect(text).toContain('3/5 correct (60.0%)');
    expect(text).toContain('Fallback rate on chit-chat: 50.0%');
    expect(text).toMatch(/termin\s+1\/2\s+50\.0%/);
    expect(text).toContain('line 7: expected termin, got dauer (score 5) [de]: b');
    expect(formatReport(evaluate(matcher, labelled), { maxConfusions: 1 })).toContain('… and 1 more');
  });
});
