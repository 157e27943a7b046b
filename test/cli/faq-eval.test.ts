import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { faqEvalCommand } from '../../src/cli/faq.ts';
import { HeroldError } from '../../src/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'herold-faq-eval-'));
const set = path.join(dir, 'set.tsv');
writeFileSync(set, 'termin\tde\tWann geht es los?\ndauer\ten\tHow long will you be offline?\nversion\tde\tWie lange kocht man ein Ei?\n');

async function run(options: { minAccuracy?: string; json?: boolean }): Promise<string[]> {
  const lines: string[] = [];
  await faqEvalCommand(set, options, (line) => lines.push(line));
  return lines;
}

describe('herold faq eval', () => {
  test('--json prints one object with the file, per-language accuracy and every miss', async () => {
    const [line, ...rest] = await run({ json: true });
    expect(rest).toEqual([]);
    const report = JSON.parse(line!);
    expect(report).toMatchObject({ file: set, total: 3, correct: 2 });
    expect(report.perLanguage).toEqual([
      expect.objectContaining({ language: 'de', total: 2, correct: 1 }),
      expect.objectContaining({ language: 'en', total: 1, correct: 1 }),
    ]);
    expect(report.confusions).toEqual([expect.objectContaining({ expected: 'version', got: 'fallback', line: 3 })]);
  });

  test('the text report says the same for people', async () => {
    const text = (await run({})).join('\n');
    expect(text).toContain('FAQ evaluation: 2/3 correct (66.7%)');
    expect(text).toMatch(/line 3: expected version, got fallback/);
  });

  test('--min-accuracy takes a share or a percentage, and fails below it', async () => {
    await expect(run({ minAccuracy: '0.6' })).resolves.toHaveLength(1);
    await expect(run({ minAccuracy: '70%' })).rejects.toThrow('Accuracy 0.667 is below --min-accuracy 0.7.');
  });

  test.each(['abc', '', '90', '-0.1', '1.5'])('--min-accuracy %j is refused before anything is read, with how to write it', async (value) => {
    const lines: string[] = [];
    const attempt = faqEvalCommand(path.join(dir, 'missing.tsv'), { minAccuracy: value }, (line) => lines.push(line));
    await expect(attempt).rejects.toThrow(HeroldError);
    await expect(attempt).rejects.toThrow(/is not a share between 0 and 1\. Write it like 0\.9 \(or 90%\)\./);
    expect(lines).toEqual([]);
  });
});
