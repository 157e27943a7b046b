// Starts dist/herold.cjs (bin/build.js) with a V8 code cache: the machine code V8 compiled for it in an
// earlier run of the same command, so a start skips compiling what it runs. Node 22+ has a compile
// cache of its own (module.enableCompileCache), but it keeps only what is compiled before a module runs,
// and Node 20 has none; this one is written after the command has run, so it holds the functions the
// command actually used (`herold preview` 330 → 230 ms on Node 20, BENCHMARKS.md §11).
//
// The cache lives in a folder of the user's own below the OS temp folder (mode 700, checked before
// use: code from a cache is run as is), one file per command, Node version and build of the bundle.
// Without a usable folder, or with HEROLD_CODE_CACHE=off, the bundle just compiles as any script does.
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** A folder only this user can write, or null. */
function ownCacheFolder() {
  if (process.env.HEROLD_CODE_CACHE === 'off' || typeof process.getuid !== 'function') return null;
  const folder = path.join(os.tmpdir(), `herold-code-cache-${process.getuid()}`);
  try {
    mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if (error.code !== 'EEXIST') return null;
  }
  try {
    const info = lstatSync(folder);
    const ours = info.isDirectory() && info.uid === process.getuid() && (info.mode & 0o077) === 0;
    return ours ? folder : null;
  } catch {
    return null;
  }
}

/** The cache file's contents when it is ours; undefined otherwise. */
function readOwn(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const info = fstatSync(fd);
    if (info.uid !== process.getuid() || (info.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Runs the bundle as CommonJS module `file`, for `command` (the first argument: each command has its
 * own cache, holding what that command runs).
 */
export function startBundle(file, command) {
  // bin/build.js writes the bundle in ASCII: read as latin1, it is a one-byte string (2 ms, not 36).
  const source = readFileSync(file, 'latin1');
  const folder = ownCacheFolder();
  // A rebuilt bundle has another size or time: its cache is another file (V8 checks little more than
  // the length of the source, so a stale cache must never be offered).
  const build = statSync(file);
  const kind = `${/^[a-z][a-z-]{0,30}$/.test(command ?? '') ? command : 'other'}-${process.version}-${process.arch}-`;
  const name = `${kind}${build.size}-${Math.trunc(build.mtimeMs)}.bin`;
  const cacheFile = folder ? path.join(folder, name) : null;
  const cachedData = cacheFile ? readOwn(cacheFile) : undefined;

  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // BullMQ's sandboxed processors import() a file; Herold uses none, but the bundle holds the code.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, cacheFile);
        // The same command's cache of an earlier build is of no more use.
        for (const other of readdirSync(folder)) if (other.startsWith(kind) && other !== name && other.endsWith('.bin')) rmSync(path.join(folder, other), { force: true });
      } catch {
        // A full disk or a removed folder: the next start compiles again.
      }
    });
  }

  // What Node passes a CommonJS module: exports, require, module, __filename, __dirname.
  const bundled = { exports: {} };
  script.runInThisContext()(bundled.exports, createRequire(file), bundled, file, path.dirname(file));
}
