/**
 * The structure issue 12 set up, checked on every run: no import cycle
 * between files or between folders, no upward import (a folder imports only
 * folders below it in LAYERS), and a core that knows no library of the
 * outside world. Imports are read with the TypeScript compiler's own
 * pre-processor, type-only imports included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const SRC = 'src';

/**
 * From the bottom up; a folder may import its own layer's folders and those
 * below. Under adapters/, each adapter counts as its own folder.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'errors.ts', 'backoff.ts', 'logger.ts', 'version.ts', 'install-dir.ts', 'files'],
  ['schedule'],
  ['checks'],
  ['render', 'faq'],
  ['replies', 'sandbox'],
  ['core'],
  ['adapters/redis', 'adapters/bullmq', 'adapters/mastodon', 'adapters/metrics', 'adapters/memory'],
  ['config', 'calendar', 'doctor'],
  ['http'],
  ['app'],
  ['rehearsal'],
  ['cli'],
];

/** Libraries that talk to the outside world: the core meets them only through its ports. */
const NOT_IN_CORE = ['masto', 'bullmq', 'ioredis', 'hono', '@hono/', 'ws', 'pino', 'prom-client', '@bull-board/'];

/** Each outside library is known in one folder only (the sandbox models Mastodon and has its own WebSocket server). */
const ONLY_IN: Readonly<Record<string, readonly string[]>> = {
  ioredis: ['adapters/redis'],
  bullmq: ['adapters/bullmq'],
  masto: ['adapters/mastodon'],
  'prom-client': ['adapters/metrics'],
  ws: ['adapters/mastodon', 'sandbox'],
};

interface Import {
  readonly from: string;
  /** A file under src for a relative import, else the package name as written. */
  readonly to: string;
  readonly relative: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map(({ fileName }) =>
    fileName.startsWith('.') ? { from: file, to: path.join(path.dirname(file), fileName), relative: true } : { from: file, to: fileName, relative: false },
  );
}

/** The folder a file belongs to for layering: src/core/ports/x.ts → core, src/adapters/redis/x.ts → adapters/redis. */
function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts.length === 1) return parts[0]!;
  return parts[0] === 'adapters' ? `adapters/${parts[1]}` : parts[0]!;
}

/** Strongly connected components with more than one member, or a member importing itself (Tarjan). */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function graphOf(edges: readonly (readonly [string, string])[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);
const local = imports.filter((i) => i.relative);

describe('the import structure of src/', () => {
  test('reads every file and finds the imports it should (guards the reader itself)', () => {
    expect(files).toContain(path.join(SRC, 'core', 'operations.ts'));
    expect(local.some((i) => i.from.endsWith(path.join('core', 'operations.ts')) && i.to.endsWith(path.join('core', 'ports', 'state-store.ts')))).toBe(true);
    expect(imports.some((i) => !i.relative && i.to === 'bullmq')).toBe(true);
  });

  test('the cycle finder finds a ring, a file importing itself, and nothing in a tree', () => {
    expect(cycles(graphOf([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(graphOf([['a', 'a']]))).toEqual([['a']]);
    expect(cycles(graphOf([['a', 'b'], ['a', 'c'], ['b', 'c']]))).toEqual([]);
  });

  test('no file imports a file that leads back to it', () => {
    expect(cycles(graphOf(local.map((i) => [i.from, i.to])))).toEqual([]);
  });

  test('no folder imports a folder that leads back to it', () => {
    const between = local.map((i) => [folderOf(i.from), folderOf(i.to)] as const).filter(([a, b]) => a !== b);
    expect(cycles(graphOf(between))).toEqual([]);
  });

  test('every folder is placed in a layer, and imports only its own layer and those below', () => {
    const layer = new Map(LAYERS.flatMap((names, rank) => names.map((name) => [name, rank] as const)));
    const unplaced = [...new Set(files.map(folderOf))].filter((folder) => !layer.has(folder));
    expect(unplaced, 'add these folders to LAYERS').toEqual([]);
    const upward = local
      .filter((i) => layer.get(folderOf(i.to))! > layer.get(folderOf(i.from))!)
      .map((i) => `${i.from} imports ${i.to}`);
    expect(upward).toEqual([]);
  });

  test('the core imports no outside library and nothing from the adapters', () => {
    const core = imports.filter((i) => folderOf(i.from) === 'core');
    const libraries = core.filter((i) => !i.relative && NOT_IN_CORE.some((name) => i.to === name || (name.endsWith('/') ? i.to.startsWith(name) : i.to.startsWith(`${name}/`))));
    const adapters = core.filter((i) => i.relative && folderOf(i.to).startsWith('adapters/'));
    expect([...libraries, ...adapters].map((i) => `${i.from} imports ${i.to}`)).toEqual([]);
  });

  test('the core reads the time only through its clock (src/core/ports/clock.ts)', () => {
    const clock = path.join(SRC, 'core', 'ports', 'clock.ts');
    const readsTheTime = /Date\.now\(|new Date\(\s*\)/;
    expect(readsTheTime.test('const at = Date.now();') && readsTheTime.test('new Date( )') && !readsTheTime.test('new Date(earlier.settleAt)')).toBe(true);
    const strays = files
      .filter((file) => folderOf(file) === 'core' && file !== clock)
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, index) => (readsTheTime.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
      );
    expect(strays).toEqual([]);
  });

  test('each outside library is imported only by its adapter', () => {
    const strays = imports
      .filter((i) => !i.relative && i.to in ONLY_IN && !ONLY_IN[i.to]!.includes(folderOf(i.from)))
      .map((i) => `${i.from} imports ${i.to}`);
    expect(strays).toEqual([]);
  });
});
