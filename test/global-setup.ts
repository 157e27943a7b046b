/**
 * Once before any test file: child processes (bin/herold.js, the kill -9
 * worker fixture) start from the compiled build in dist/, as production does,
 * which boots in half the time of the sources through tsx. So the build must
 * match the sources: rebuild when a source is newer (incremental, a few
 * seconds of CPU), and stamp the build so bin/herold.js agrees it is current.
 */
import { execFileSync } from 'node:child_process';
import { utimesSync } from 'node:fs';
import { buildIsCurrent, buildStamp } from '../bin/build-state.js';

export default function buildOnce(): void {
  if (process.env.HEROLD_FROM_SOURCE === '1' || buildIsCurrent()) return;
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
  } catch (error) {
    // Type errors still emit JavaScript; `npx tsc --noEmit -p .` is where they are reported.
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    process.stderr.write(`global set-up: tsc -p tsconfig.build.json reported problems (the build is used anyway):\n${output}\n`);
  }
  // tsc leaves its build info untouched when no output changed (a source touched, not edited).
  const now = new Date();
  utimesSync(buildStamp, now, now);
}
