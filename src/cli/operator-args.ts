import { UsageError } from '../errors.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { parseTaskStatus } from '../schedule/task-status-input.ts';
import { didYouMean } from '../schedule/closest-id.ts';

export const WINDOW_ACTIONS = ['extend', 'backout', 'complete', 'cancel'] as const;
export type WindowAction = (typeof WINDOW_ACTIONS)[number];

/** The schedule a task id belongs to, when exactly one has it. */
function ownerOf(taskId: string, schedules: ReadonlyMap<string, Schedule>): Schedule | null {
  const owners = [...schedules.values()].filter((s) => s.tasks.some((t) => t.id === taskId));
  return owners.length === 1 ? owners[0]! : null;
}

function exampleId(schedules: ReadonlyMap<string, Schedule>): string {
  return [...schedules.keys()][0] ?? '<schedule-id>';
}

/**
 * `herold task <schedule-id> <task-id> <status>`, read so that a missing
 * schedule id is named as such (`herold task tls done`) with the full command.
 */
export function taskArgs(args: readonly (string | undefined)[], schedules: ReadonlyMap<string, Schedule>): { scheduleId: string; taskId: string; status: string } {
  const given = args.filter((a): a is string => a !== undefined);
  if (given.length === 3) return { scheduleId: given[0]!, taskId: given[1]!, status: given[2]! };
  if (given.length === 2 && !schedules.has(given[0]!)) {
    const [taskId, status] = given as [string, string];
    const owner = ownerOf(taskId, schedules);
    const example = `herold task ${owner?.id ?? exampleId(schedules)} ${taskId} ${parseTaskStatus(status) ? status : 'done'}`;
    throw new UsageError(`The schedule id is missing: herold task <schedule-id> <task-id> <status>, here: ${example}`);
  }
  const id = given[0] && schedules.has(given[0]) ? given[0] : exampleId(schedules);
  const task = schedules.get(id)?.tasks[0]?.id ?? '<task-id>';
  throw new UsageError(`Give the schedule id, the task id and the status: herold task <schedule-id> <task-id> <status>, e.g. herold task ${id} ${task} done`);
}

/** `herold window <schedule-id> <action> [time]`, read so that a missing schedule id is named as such. */
export function windowArgs(args: readonly (string | undefined)[], schedules: ReadonlyMap<string, Schedule>): { scheduleId: string; action: WindowAction; time: string | undefined } {
  const [first, second, third] = args;
  if (first !== undefined && (WINDOW_ACTIONS as readonly string[]).includes(first) && !schedules.has(first)) {
    throw new UsageError(`The schedule id is missing: herold window <schedule-id> ${first}${second ? ` ${second}` : ''}, here: herold window ${exampleId(schedules)} ${first}${second ? ` ${second}` : ''}`);
  }
  if (first === undefined || second === undefined) {
    throw new UsageError(`Give the schedule id and what to do (${WINDOW_ACTIONS.join(', ')}): e.g. herold window ${first ?? exampleId(schedules)} extend +30m`);
  }
  if (!(WINDOW_ACTIONS as readonly string[]).includes(second)) {
    throw new UsageError(`"${second}" is not something herold window does.${didYouMean(second, WINDOW_ACTIONS)} Use ${WINDOW_ACTIONS.join(', ')}.`);
  }
  return { scheduleId: first, action: second as WindowAction, time: third };
}

/** `herold status [schedule-id]`: without one, the only schedule there is. */
export function statusArg(scheduleId: string | undefined, schedules: ReadonlyMap<string, Schedule>): string {
  if (scheduleId !== undefined) return scheduleId;
  if (schedules.size === 1) return [...schedules.keys()][0]!;
  throw new UsageError(`Name the schedule: herold status <schedule-id>. Known: ${[...schedules.keys()].join(', ') || 'none'}.`);
}
