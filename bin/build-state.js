// Whether dist/ holds a build of the current TypeScript sources. Shared by
// bin/herold.js (run the build or the sources) and the test suite's global
// set-up (rebuild before child processes start from dist/).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
export const builtEntry = fileURLToPath(new URL('dist/cli/main.js', root));
/** What `herold` starts from (bin/build.js makes it after tsc, so it is never older than the stamp). */
export const bundleFile = fileURLToPath(new URL('dist/herold.cjs', root));
export const buildStamp = fileURLToPath(new URL('dist/.tsbuildinfo', root));
const sources = fileURLToPath(new URL('src/', root));

/** The newest modification time of a .ts file below `dir` (0 when there is none). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/** True when dist/ is at least as new as every source (HEROLD_FROM_SOURCE=1 says no). */
export function buildIsCurrent() {
  if (process.env.HEROLD_FROM_SOURCE === '1' || !existsSync(builtEntry) || !existsSync(bundleFile)) return false;
  // An image ships dist/ without src/: nothing to compare, the build is what there is.
  if (!existsSync(sources)) return true;
  const newest = newestSource(sources);
  return existsSync(buildStamp) && newest <= statSync(buildStamp).mtimeMs && newest <= statSync(bundleFile).mtimeMs;
}
