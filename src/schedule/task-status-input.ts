import type { TaskStatus } from './progress.ts';

/** What an operator may type for a task status: the English names and their German words. */
const WORDS: Readonly<Record<string, Exclude<TaskStatus, 'pending'>>> = {
  running: 'running',
  läuft: 'running',
  laeuft: 'running',
  done: 'done',
  fertig: 'done',
  erledigt: 'done',
  failed: 'failed',
  fehlgeschlagen: 'failed',
  skipped: 'skipped',
  übersprungen: 'skipped',
  uebersprungen: 'skipped',
};

/** Every word `parseTaskStatus` understands. */
export const TASK_STATUS_WORDS = Object.keys(WORDS);

/** The status an operator meant (any case, German or English), or null. */
export function parseTaskStatus(text: string): Exclude<TaskStatus, 'pending'> | null {
  return WORDS[text.normalize('NFC').toLowerCase()] ?? null;
}
