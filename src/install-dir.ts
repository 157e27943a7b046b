import { fileURLToPath } from 'node:url';

/**
 * The folder Herold is installed in (the one with package.json and templates/), with a trailing slash.
 * One level above this module wherever it runs from: src/install-dir.ts through tsx, dist/install-dir.js
 * after tsc, and dist/herold.cjs, the bundle `herold` starts from, where `import.meta.url` is the bundle's
 * own address (bin/build.js). Files that ship with Herold are found from here, never from a module's own
 * place, which a bundle does not keep.
 */
export const INSTALL_DIR: string = fileURLToPath(new URL('../', import.meta.url));

/** A path inside the install folder: `shipped('templates/de/faq/')`. */
export function shipped(relative: string): string {
  return INSTALL_DIR + relative;
}
