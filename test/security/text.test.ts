import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { cliNote } from '../../src/cli/operator.ts';
import { formatQuestions, questionsCommand } from '../../src/cli/questions.ts';
import { UsageError } from '../../src/errors.ts';
import { extractEntities } from '../../src/render/mastodon-length.ts';
import { operatorNote } from '../../src/render/operator-note.ts';
import { safeText } from '../../src/render/safe-text.ts';
import { questionText } from '../../src/replies/question-text.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor, type Rig } from '../support/harness.ts';
import { FAST, repliesTo } from '../replies/helpers.ts';

// Text other people wrote, on its way to followers or the operator's terminal.
// The corpus files grow with every finding.
const corpus = <T>(name: string) => JSON.parse(readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8')) as T[];
const hostile = corpus<{ name: string; input: string; clean: string }>('hostile-text.json');
const notes = corpus<{ name: string; note: string; allowUrls?: boolean; clean?: string | null; error?: string }>('notes.json');

/** Nothing a terminal would act on, and nothing that reorders text. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

describe('safeText', () => {
  test.each(hostile)('$name', ({ input, clean }) => {
    expect(safeText(input)).toBe(clean);
    expect(safeText(input)).not.toMatch(UNSAFE);
  });

  test.each(hostile)('a question: $name', ({ input, clean }) => {
    expect(questionText({ content: `<p>@b2c ${input.replace(/\n/g, '<br>')}</p>` })).toBe(clean.replace(/[ \t]{2,}/g, ' ').trim());
  });
});

describe('operator notes', () => {
  test.each(notes)('$name', ({ note, allowUrls, clean, error }) => {
    const rules = { allowUrls: allowUrls ?? false };
    if (error) {
      expect(() => operatorNote(note, rules)).toThrow(UsageError);
      expect(() => operatorNote(note, rules)).toThrow(error);
      return;
    }
    const result = operatorNote(note, rules);
    expect(result).toBe(clean);
    if (result) expect(extractEntities(result).filter((e) => e.kind === 'mention')).toEqual([]);
  });

  test('`herold task --note` cleans the note the same way, with HEROLD_NOTE_URLS from the environment', () => {
    expect(cliNote('@carol fertig', {})).toBe('@\u200bcarol fertig');
    expect(() => cliNote('https://evil.example', {})).toThrow(/HEROLD_NOTE_URLS/);
    expect(cliNote('https://status.wien.rocks', { HEROLD_NOTE_URLS: 'on' })).toBe('https://status.wien.rocks');
    expect(cliNote(undefined, {})).toBeNull();
  });
});

describe('`herold questions` prints nothing a terminal would act on', () => {
  test('even for a question stored raw before the intake cleaned it', () => {
    const lines = formatQuestions([
      {
        notificationId: '7',
        statusId: '8',
        url: 'https://evil.example/\u001b[2J',
        acct: 'mallory\u001b]0;x\u0007',
        visibility: 'public',
        text: '\u001b]8;;https://evil.example\u0007Klick\u001b]8;;\u0007 \u202eabc\nzweite Zeile',
        score: 0,
        createdAt: '2026-01-01T12:00:00Z',
      },
    ]);
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
    expect(lines.join('\n')).toContain('Klick abc ⏎ zweite Zeile');
    expect(lines.join('\n')).toContain('@mallory');
  });
});

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('end to end', () => {
  test('a note from the webhook mentions nobody in the public milestone reply', async () => {
    r = await rig();
    r.sandbox.addAccount({ username: 'carol' });
    const schedule = rebasedWienRocks(300);
    const service = await r.start([schedule]);
    await waitFor('start toot', async () => (await service.store.posted(schedule.id, 'start'))?.statusId);
    const res = await fetch(`${service.httpUrl}/api/schedules/${schedule.id}/tasks/upgrade`, {
      method: 'POST',
      headers: { authorization: 'bearer test-webhook-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'done', note: 'Danke @carol @alice@evil.example' }),
    });
    expect(res.status).toBe(200);
    const milestone = await waitFor('milestone reply', async () => {
      const posted = await service.store.posted(schedule.id, 'milestone-upgrade');
      return posted?.statusId ? r!.sandbox.status(posted.statusId) : undefined;
    });
    expect(milestone.text).toContain('Danke @\u200bcarol @\u200balice@evil.example');
    expect(milestone.mentions).toEqual([]);
    expect(r.sandbox.notifications('carol')).toEqual([]);
  });

  test('a question full of escape sequences is stored and listed clean', async () => {
    r = await rig();
    r.sandbox.addAccount({ username: 'mallory' });
    const service = await r.start([rebasedWienRocks(3 * 86_400_000)], { replies: FAST });
    await r.sandbox.waitForStream();
    const question = r.sandbox.mention('mallory', 'Hallo\u001b[2J\u001b]8;;https://evil.example\u0007 Klick\u001b]8;;\u0007 \u202ewas kocht ihr heute');
    await waitFor('the fallback', () => repliesTo(r!.sandbox, question.id)[0]);
    const [stored] = await service.replies.store.openQuestions();
    expect(stored!.text).toBe('Hallo Klick was kocht ihr heute');
    const env = { REDIS_URL, HEROLD_PREFIX: r.config.prefix };
    const lines: string[] = [];
    await questionsCommand({}, (line) => lines.push(line), env);
    const json: string[] = [];
    await questionsCommand({ json: true }, (line) => json.push(line), env);
    for (const line of [...lines, ...json]) expect(line).not.toMatch(UNSAFE);
    expect(lines.join('\n')).toContain('Hallo Klick was kocht ihr heute');
  });
});

describe('a note stored raw (before notes were cleaned, or by another path)', () => {
  test('is still defused when a toot is rendered', async () => {
    const { tootContext } = await import('../../src/render/toot-context.ts');
    const { initialProgress, withTask } = await import('../../src/schedule/progress.ts');
    const schedule = rebasedWienRocks(3600_000);
    const progress = withTask(initialProgress(schedule), 'dns', 'done', schedule.window.start, '@carol\u001b[2J https://x.example');
    const task = tootContext(schedule, progress, schedule.window.start).tasks.find((t) => t.id === 'dns')!;
    expect(task.note).toBe('@\u200bcarol https://x.example');
  });
});
