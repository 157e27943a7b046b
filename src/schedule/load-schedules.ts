import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { HeroldError } from '../errors.ts';
import { loadSchedule } from './load-schedule.ts';
import type { Schedule } from './schedule.ts';

export const DEFAULT_SCHEDULES_DIR = 'schedules';

/** Loads the given files, or every *.yaml in the schedules directory; ids must be unique across files. */
export function loadSchedules(files: readonly string[], dir = DEFAULT_SCHEDULES_DIR): Map<string, Schedule> {
  const paths =
    files.length > 0
      ? files
      : listYaml(dir);
  const schedules = new Map<string, Schedule>();
  for (const file of paths) {
    const schedule = loadSchedule(file);
    const other = schedules.get(schedule.id);
    if (other) throw new HeroldError(`${file} and ${other.file} both use the id "${schedule.id}". Give each maintenance its own id.`);
    schedules.set(schedule.id, schedule);
  }
  return schedules;
}

function listYaml(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new HeroldError(`There is no schedules directory at ${path.resolve(dir)}. Pass schedule files, or run from the project directory.`);
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).map((n) => path.join(dir, n)).filter((f) => statSync(f).isFile());
  if (files.length === 0) throw new HeroldError(`${dir} holds no *.yaml schedule files. Create one (see schedules/wien-rocks-2023-02-12.yaml).`);
  return files;
}
