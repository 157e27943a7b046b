/**
 * Once before any test file: child processes (bin/herold.js, the kill -9
 * worker fixture) start from the compiled build in dist/ (the bundle and the
 * modules), as production does, which boots in a fraction of the time of the
 * sources through tsx. So the build must
 * match the sources: rebuild when a source is newer (incremental, a few
 * seconds of CPU), and stamp the build so bin/herold.js agrees it is current.
 */
import { utimesSync } from 'node:fs';
import { buildIsCurrent, buildStamp } from '../bin/build-state.js';
import { bundle, compile } from '../bin/build.js';

export default async function buildOnce(): Promise<void> {
  if (process.env.HEROLD_FROM_SOURCE === '1' || buildIsCurrent()) return;
  // Type errors still emit JavaScript; `npx tsc --noEmit -p .` is where they are reported.
  const problems = compile();
  if (problems) process.stderr.write(`global set-up: tsc -p tsconfig.build.json reported problems (the build is used anyway):\n${problems}\n`);
  await bundle();
  // tsc leaves its build info untouched when no output changed (a source touched, not edited).
  const now = new Date();
  utimesSync(buildStamp, now, now);
}
