import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SCHEDULES_DIR } from '../schedule/load-schedules.ts';

/**
 * Calls `onChange` (once per burst of writes, after `settleMs`) when one of
 * the schedule files changes, or any *.yaml in the schedules directory when
 * `herold run` was given no files. It watches the directories, not the files:
 * editors that save by writing a new file and renaming it would otherwise end
 * the watch.
 */
export function watchScheduleFiles(files: readonly string[], onChange: () => void, settleMs = 300): { close(): void } {
  const dirs = new Map<string, Set<string> | null>();
  if (files.length === 0) dirs.set(path.resolve(DEFAULT_SCHEDULES_DIR), null);
  for (const file of files) {
    const dir = path.dirname(path.resolve(file));
    const names = dirs.get(dir) ?? new Set<string>();
    names.add(path.basename(file));
    dirs.set(dir, names);
  }
  let timer: NodeJS.Timeout | null = null;
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, settleMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of dirs) {
    const watcher = watch(dir, (_event, name) => {
      if (name === null) return changed();
      if (names === null ? /\.ya?ml$/.test(name) : names.has(name)) changed();
    });
    // A directory that goes away ends its watch; SIGHUP still reloads.
    watcher.on('error', () => watcher.close());
    watchers.push(watcher);
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
