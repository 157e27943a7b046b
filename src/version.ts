import { readFileSync } from 'node:fs';

/** Herold's version, from package.json (one level above src/ and above a compiled dist/). */
export const HEROLD_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
