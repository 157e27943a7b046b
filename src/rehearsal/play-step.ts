import type { DateTime } from 'luxon';
import type { HeroldService } from '../app/herold-service.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { WorldChange } from './check-world.ts';
import type { TranscriptEvent } from './observer.ts';
import type { RehearsalAction } from './plan.ts';

/** A step of the rehearsal's day: an action of the plan, or a change in the world the task checks look at. */
export type Step = RehearsalAction | { readonly type: 'world'; readonly at: DateTime; readonly change: WorldChange };

export interface StepContext {
  readonly schedule: Schedule;
  readonly service: HeroldService;
  readonly sandbox: Sandbox;
  /** A fallback account takes the toots while the instance is down. */
  readonly fallback: boolean;
  /** Status ids of the questions asked so far. */
  readonly questionIds: string[];
  readonly emit: (event: TranscriptEvent) => void;
}

/** Plays one step as the operator (Herold's operations), a user (a mention in the sandbox) or the world. */
export async function playStep(action: Step, ctx: StepContext): Promise<void> {
  const { schedule, service, sandbox } = ctx;
  switch (action.type) {
    case 'world':
      action.change.apply();
      ctx.emit({ type: 'world', at: action.at, taskId: action.change.taskId, text: action.change.text });
      return;
    case 'task': {
      await service.operations.taskChange(schedule.id, action.taskId, action.status, action.note);
      const title = schedule.tasks.find((t) => t.id === action.taskId)!.title;
      ctx.emit({ type: 'task', at: action.at, taskId: action.taskId, title, status: action.status, note: action.note });
      return;
    }
    case 'window': {
      try {
        if (action.action === 'extend') {
          const deadline = await service.operations.extend(schedule.id, action.to!);
          ctx.emit({ type: 'window', at: action.at, text: `Frist verlängert bis ${deadline.toFormat('HH:mm')}` });
        } else {
          await service.operations.declare(schedule.id, action.action);
          const text = { backout: 'Back-out erklärt', complete: 'Abschluss erklärt', cancel: 'Wartung abgesagt' }[action.action];
          ctx.emit({ type: 'window', at: action.at, text });
        }
      } catch (error) {
        ctx.emit({ type: 'window', at: action.at, text: `abgelehnt: ${(error as Error).message}` });
      }
      return;
    }
    case 'question': {
      const status = sandbox.mention(action.user, action.text);
      ctx.questionIds.push(status.id);
      return;
    }
    case 'outage': {
      await sandbox.setOutage(action.down ? 'refuse' : 'none');
      const followAt = [
        ...(schedule.statusPage ? [`auf ${schedule.statusPage}`] : []),
        ...(ctx.fallback && schedule.fallbackAccount ? [`bei ${schedule.fallbackAccount}`] : []),
      ];
      ctx.emit({ type: 'outage', at: action.at, down: action.down, ...(action.down ? { followAt } : {}) });
      return;
    }
  }
}
