#!/usr/bin/env node
// Runs Herold's compiled build: dist/herold.cjs, the bundle `npm run build` makes (and `npm ci` through
// `prepare`), started with a V8 code cache (bin/start-bundle.js). In a checkout where the TypeScript
// sources are newer than the last build, or with HEROLD_FROM_SOURCE=1, it runs the sources through tsx
// instead, so a developer never runs yesterday's build.
import { existsSync } from 'node:fs';
import { buildIsCurrent, bundleFile } from './build-state.js';

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
} else if (existsSync(bundleFile)) {
  const { startBundle } = await import('./start-bundle.js');
  startBundle(bundleFile, process.argv[2]);
} else {
  process.stderr.write('✘ Herold is not built yet. Run `npm ci` (it builds through `prepare`) or `npm run build`.\n');
  process.exit(1);
}
