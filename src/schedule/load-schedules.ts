import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { HeroldError } from '../errors.ts';
import { readScheduleText, parseSchedule } from './load-schedule.ts';
import type { Schedule } from './schedule.ts';
import { scheduleHash, type ScheduleSource } from './schedule-source.ts';

export const DEFAULT_SCHEDULES_DIR = 'schedules';

/** Loads the given files, or every *.yaml in the schedules directory; ids must be unique across files. */
export function loadSchedules(files: readonly string[], dir = DEFAULT_SCHEDULES_DIR): Map<string, Schedule> {
  return new Map([...loadScheduleSources(files, dir)].map(([id, { schedule }]) => [id, schedule]));
}

/** As loadSchedules, with each file's text and hash: what `herold run` stores and names in its heartbeat. */
export function loadScheduleSources(files: readonly string[], dir = DEFAULT_SCHEDULES_DIR): Map<string, { schedule: Schedule; source: ScheduleSource }> {
  const paths = files.length > 0 ? files : listYaml(dir);
  const loaded = new Map<string, { schedule: Schedule; source: ScheduleSource }>();
  for (const file of paths) {
    const text = readScheduleText(file);
    const schedule = parseSchedule(text, file);
    const other = loaded.get(schedule.id);
    if (other) throw new HeroldError(`${file} and ${other.schedule.file} both use the id "${schedule.id}". Give each maintenance its own id.`);
    loaded.set(schedule.id, { schedule, source: { id: schedule.id, file, text, hash: scheduleHash(text) } });
  }
  return loaded;
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
