import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Sandbox, SandboxStatus } from '../../src/sandbox/index.ts';
import type { ReplyTuning } from '../../src/app/replies.ts';

/** Short intervals so that tests do not wait for production timings. */
export const FAST: ReplyTuning = { pollIntervalMs: 200, pollMaxBackoffMs: 400, settleMs: 50 };

/** Herold's replies to a status (direct answers in its thread). */
export function repliesTo(sandbox: Sandbox, statusId: string): SandboxStatus[] {
  return sandbox.statuses().filter((s) => s.inReplyToId === statusId && s.username === 'b2c');
}

/** Every status Herold posted as an answer (its own toots are not replies to others). */
export function answers(sandbox: Sandbox): SandboxStatus[] {
  const questions = new Set(sandbox.statuses().filter((s) => s.username !== 'b2c').map((s) => s.id));
  return sandbox.statuses().filter((s) => s.username === 'b2c' && s.inReplyToId !== null && questions.has(s.inReplyToId));
}

/** A logger whose records the test can read. */
export function capturingLog(level = 'info'): { log: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

