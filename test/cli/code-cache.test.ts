import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { herold } from '../support/herold-cli.ts';

/**
 * bin/start-bundle.js: `herold` starts dist/herold.cjs with a V8 code cache kept per command in a folder of
 * the user's own below TMPDIR. Code from a cache runs as is, so a folder or file someone else could have
 * written is never read, and a cache that does not fit is replaced, not trusted.
 */
const uid = process.getuid!();
const temporaryDirs: string[] = [];
afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tmp() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'herold-code-cache-test-'));
  temporaryDirs.push(dir);
  return { dir, cache: path.join(dir, `herold-code-cache-${uid}`) };
}

const SEED = 'schedules/wien-rocks-2023-02-12.yaml';

describe('the code cache of herold', () => {
  test('the first run of a command writes its cache (mode 600 in a folder of mode 700); the next runs from it with the same output', () => {
    const { dir, cache } = tmp();
    const first = herold(['preview', SEED], { TMPDIR: dir });
    expect([first.status, first.stderr]).toEqual([0, '']);
    const files = readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^preview-${process.version}-${process.arch}-\\d+-\\d+\\.bin$`));
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cache, files[0]!)).mode & 0o777).toBe(0o600);
    const written = statSync(path.join(cache, files[0]!)).mtimeMs;

    const second = herold(['preview', SEED], { TMPDIR: dir });
    expect(second).toEqual(first);
    // Accepted, so not written again; another command gets its own file.
    expect(statSync(path.join(cache, files[0]!)).mtimeMs).toBe(written);
    expect(herold(['--help'], { TMPDIR: dir }).status).toBe(0);
    expect(readdirSync(cache).sort()).toEqual([files[0], expect.stringMatching(/^other-/)].sort());
  });

  test('a damaged cache file is refused by V8 and replaced; the command runs as before', () => {
    const { dir, cache } = tmp();
    const clean = herold(['preview', SEED], { TMPDIR: dir });
    const [file] = readdirSync(cache);
    writeFileSync(path.join(cache, file!), Buffer.alloc(4096, 7), { mode: 0o600 });
    expect(herold(['preview', SEED], { TMPDIR: dir })).toEqual(clean);
    expect(statSync(path.join(cache, file!)).size).toBeGreaterThan(100_000);
  });

  test('a cache folder that others may write, or a cache file they may, is not used', () => {
    const { dir, cache } = tmp();
    mkdirSync(cache, { mode: 0o777 });
    chmodSync(cache, 0o777);
    expect(herold(['preview', SEED], { TMPDIR: dir }).status).toBe(0);
    expect(readdirSync(cache)).toEqual([]);

    chmodSync(cache, 0o700);
    const clean = herold(['preview', SEED], { TMPDIR: dir });
    const [file] = readdirSync(cache);
    // A valid cache, but writable by others: as good as planted. The run does not read it (V8 would have
    // accepted it and nothing would be written) and writes its own in its place.
    chmodSync(path.join(cache, file!), 0o666);
    expect(herold(['preview', SEED], { TMPDIR: dir })).toEqual(clean);
    expect(statSync(path.join(cache, file!)).mode & 0o777).toBe(0o600);
  });

  test("writing a command's cache removes that command's cache of an earlier build, and no other file", () => {
    const { dir, cache } = tmp();
    mkdirSync(cache, { mode: 0o700 });
    const earlier = `preview-${process.version}-${process.arch}-1234-5678.bin`;
    const otherCommand = `task-${process.version}-${process.arch}-1234-5678.bin`;
    const otherNode = `preview-v99.0.0-${process.arch}-1234-5678.bin`;
    for (const file of [earlier, otherCommand, otherNode]) writeFileSync(path.join(cache, file), 'old', { mode: 0o600 });
    expect(herold(['preview', SEED], { TMPDIR: dir }).status).toBe(0);
    const files = readdirSync(cache);
    expect(files).toHaveLength(3);
    expect(files).toEqual(expect.arrayContaining([otherCommand, otherNode]));
    expect(files).not.toContain(earlier);
  });

  test('HEROLD_CODE_CACHE=off keeps no cache', () => {
    const { dir, cache } = tmp();
    expect(herold(['preview', SEED], { TMPDIR: dir, HEROLD_CODE_CACHE: 'off' }).status).toBe(0);
    expect(() => readdirSync(cache)).toThrow(/ENOENT/);
  });
});
