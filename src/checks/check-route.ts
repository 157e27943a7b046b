import type { CheckSpec } from '../schedule/check-spec.ts';
import type { Schedule, Task } from '../schedule/schedule.ts';

/**
 * Points a check somewhere else, or nowhere (null: the check does not run).
 * The rehearsal maps checks onto its local servers this way, so that no
 * rehearsal ever looks at the real instance.
 */
export type CheckRoute = (schedule: Schedule, task: Task, spec: CheckSpec) => CheckSpec | null;
