import { readFileSync } from 'node:fs';
import { shipped } from './install-dir.ts';

/** Herold's version, from package.json (one level above src/ and above a compiled dist/). */
export const HEROLD_VERSION: string = (JSON.parse(readFileSync(shipped('package.json'), 'utf8')) as { version: string }).version;
