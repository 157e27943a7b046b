#!/usr/bin/env node
// `npm run build`, which `npm ci` runs through `prepare`:
//  1. tsc compiles src/ to dist/ (ES modules, with source maps): what the kill -9 test fixture imports,
//     and the type check;
//  2. esbuild bundles the CLI (src/cli/main.ts and everything it may load) into dist/herold.cjs, one
//     CommonJS script, which bin/herold.js starts with a V8 code cache (bin/start-bundle.js). Loading one
//     script whose compiled code is cached spares each start most of the time it took to find, read and
//     compile ~400 modules (BENCHMARKS.md §11).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
export const bundleFile = `${root}dist/herold.cjs`;

/** The one name `import.meta.url` becomes in the bundle: the bundle's own address. */
const BUNDLE_URL = '__herold_bundle_url';

/** tsc -p tsconfig.build.json; type errors still emit JavaScript and are reported, not fatal. */
export function compile() {
  try {
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return error.stdout?.toString() || String(error);
  }
}

export async function bundle() {
  await build({
    entryPoints: [`${root}src/cli/main.ts`],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // Only src/install-dir.ts reads import.meta.url, to find the install folder one level up: from
    // dist/herold.cjs that is the same folder as from src/ or dist/.
    define: { 'import.meta.url': BUNDLE_URL },
    banner: { js: `const ${BUNDLE_URL} = require('node:url').pathToFileURL(__filename).href;` },
    // A native addon loads its binary from its own folder, which a bundle does not keep.
    external: ['msgpackr-extract'],
  });
  const text = readFileSync(bundleFile, 'utf8');
  // Any other import.meta.url (a new module, a dependency finding its own files) would silently point at
  // dist/ now: refuse the build instead.
  const uses = text.split(BUNDLE_URL).length - 1;
  if (uses !== 2) {
    throw new Error(`dist/herold.cjs uses import.meta.url ${uses - 1} times; only src/install-dir.ts may. Find files through INSTALL_DIR (src/install-dir.ts) instead.`);
  }
  writeFileSync(bundleFile, asciiOnly(text));
}

/**
 * The bundle with every character outside ASCII written as a \u escape, which means the same in a string,
 * a template, a regular expression (an emoji as its two UTF-16 halves, as JavaScript stores it), an
 * identifier and a comment. esbuild escapes strings but leaves regular expressions and comments as they
 * are; one such character makes the whole 10 MB a two-byte string, which took 36 ms to read at every
 * start, against 2 ms for ASCII read as latin1 (bin/start-bundle.js).
 */
function asciiOnly(text) {
  // After a backslash the escape would change meaning ("\ä" is "ä", "\\u00e4" is not): none is expected.
  const escaped = /\\[^\x00-\x7f]/.exec(text);
  if (escaped) throw new Error(`dist/herold.cjs has a backslash before a non-ASCII character at offset ${escaped.index}; bin/build.js cannot write it as ASCII.`);
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = compile();
  if (problems) process.stderr.write(`tsc reported problems (dist/ was written anyway; \`npm run typecheck\` shows them):\n${problems}\n`);
  await bundle();
  if (problems) process.exitCode = 1;
}
