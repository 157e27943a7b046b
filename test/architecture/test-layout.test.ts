/**
 * test/ mirrors src/ (issue 12): each test folder is named for the src folder
 * whose code it tests, so a newcomer finds a file's tests by its path. A few
 * folders test across src/ on purpose and are named for how they test.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { UNIT_TESTS } from '../../vitest.config.ts';

/** Folders that do not mirror one src folder: what they hold instead. */
const ACROSS_SRC: Readonly<Record<string, string>> = {
  architecture: 'checks on the structure of src/ and test/',
  browser: 'pages in a real Chromium',
  deploy: 'the manifests in deploy/',
  security: 'attacks on every route and input, and the bad-input corpus',
  support: 'helpers the other folders share',
  artifacts: 'screenshots the browser tests write (git-ignored)',
};

const folders = (root: string): string[] =>
  readdirSync(root)
    .filter((name) => statSync(path.join(root, name)).isDirectory())
    .flatMap((name) => [name, ...folders(path.join(root, name)).map((sub) => `${name}/${sub}`)]);

test('every test folder mirrors a src folder, or is one of the few that test across src/', () => {
  const src = new Set(folders('src'));
  const strays = folders('test').filter((folder) => {
    const top = folder.split('/')[0]!;
    if (top in ACROSS_SRC) return false;
    // Data, fixtures and the third-party client scripts beside the tests that run them.
    if (/(^|\/)(fixtures|golden|corpus|clients)(\/|$)/.test(folder)) return false;
    return !src.has(folder);
  });
  expect(strays, 'rename these to the src folder they test, or list them in ACROSS_SRC with a reason').toEqual([]);
});

/** "a/{b,c}.ts" → ["a/b.ts", "a/c.ts"]: each name in a brace list must match a file of its own. */
const expandBraces = (glob: string): string[] => {
  const match = /\{([^}]+)\}/.exec(glob);
  if (!match) return [glob];
  return match[1]!.split(',').flatMap((name) => expandBraces(glob.replace(match[0], name)));
};

test('the unit project only lists files that exist', () => {
  // A glob of UNIT_TESTS that matches nothing (a file renamed) would quietly move it to the slower integration project.
  const all = folders('test')
    .flatMap((folder) => readdirSync(path.join('test', folder)).map((name) => `test/${folder}/${name}`))
    .concat(readdirSync('test').map((name) => `test/${name}`));
  for (const glob of UNIT_TESTS.flatMap(expandBraces)) {
    expect(all.some((file) => path.matchesGlob(file, glob)), glob).toBe(true);
  }
});
