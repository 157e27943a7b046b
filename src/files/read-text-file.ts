import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { FileProblemsError } from '../errors.ts';

/** Schedules, FAQ files and templates are a few KB; anything above this is a mistake or an attack. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a UTF-8 file Herold was pointed at, refusing at once what is not a
 * regular file (`/dev/zero`, a FIFO, a directory) or is larger than
 * `maxBytes`: neither can be a schedule, and reading one would hang or eat
 * memory. The size is checked before reading and again while reading (the
 * file may grow in between). Errors of the file system itself (ENOENT,
 * EACCES) are thrown as they are, for the caller to explain.
 */
export function readTextFile(file: string, what: string, maxBytes = MAX_TEXT_FILE_BYTES): string {
  const refuse = (message: string, hint: string) => new FileProblemsError([{ file, message, hint }]);
  const limit = `${Math.round(maxBytes / 1024)} KiB`;
  // stat before open: opening a FIFO would block until someone writes to it.
  const before = statSync(file);
  if (!before.isFile()) throw refuse(`This ${what} is ${kindOf(before)}, not a regular file.`, `Give the path of the ${what} itself.`);
  if (before.size > maxBytes) throw refuse(`This ${what} is ${before.size} bytes; Herold reads at most ${limit}.`, `Check that this is the right file; a ${what} is a few KB.`);
  const fd = openSync(file, 'r');
  try {
    if (!fstatSync(fd).isFile()) throw refuse(`This ${what} is not a regular file.`, `Give the path of the ${what} itself.`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw refuse(`This ${what} is larger than ${limit}.`, `Check that this is the right file; a ${what} is a few KB.`);
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}
