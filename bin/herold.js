#!/usr/bin/env node
// Runs Herold's compiled JavaScript (dist/, built by `npm run build`, which
// `npm ci` runs through `prepare`). In a checkout where the TypeScript sources
// are newer than the last build, or with HEROLD_FROM_SOURCE=1, it runs the
// sources through tsx instead, so a developer never runs yesterday's build.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { buildIsCurrent, builtEntry as built } from './build-state.js';

// Node 22.1+ keeps the compiled code of every module on disk (in the OS temp folder) and reuses it on the
// next start; Node 20 has no compile cache, and a cache folder that cannot be written just goes unused.
module.enableCompileCache?.();

/** Registers tsx for the TypeScript sources; false where tsx is not installed (a production install). */
async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

if (!buildIsCurrent() && (await registerTsx())) {
  await import('../src/cli/main.ts');
} else if (existsSync(built)) {
  await import(built);
} else {
  process.stderr.write('✘ Herold is not built yet. Run `npm ci` (it builds through `prepare`) or `npm run build`.\n');
  process.exit(1);
}
