import type { HeroldService } from '../app/herold-service.ts';
import { checkView } from '../checks/check-view.ts';
import { shownStatus } from '../checks/shown-status.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { TranscriptEvent } from './observer.ts';
import type { VirtualClock } from './virtual-clock.ts';

/**
 * Follows the task checks for the transcript, and plays the operator who
 * confirms a task the moment its check marks it "bereit".
 */
export class CheckWatch {
  private readonly told = new Set<string>();
  private busy = false;

  constructor(
    private readonly schedule: Schedule,
    private readonly service: HeroldService,
    private readonly clock: VirtualClock,
    private readonly checked: ReadonlySet<string>,
    private readonly emit: (events: readonly TranscriptEvent[]) => void,
  ) {}

  async look(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { schedule, service } = this;
      const [progress, ready, records] = await Promise.all([service.store.progress(schedule), service.store.ready(schedule.id), service.checks.store.all(schedule.id)]);
      for (const task of schedule.tasks) {
        if (!task.check || !this.checked.has(task.id)) continue;
        const record = records.get(task.id) ?? null;
        const at = this.clock.now();
        const say = (key: string, text: string) => {
          if (this.told.has(`${task.id}:${key}`)) return false;
          this.told.add(`${task.id}:${key}`);
          this.emit([{ type: 'check', at, taskId: task.id, title: task.title, text }]);
          return true;
        };
        const spread = checkView(task.check, record, schedule.timezone, at).propagation;
        if (spread && spread.seeing > 0) say(`spread-${spread.seeing}`, spread.text + (spread.everyoneByText ? `. ${spread.everyoneByText}` : ''));
        if (shownStatus(progress.tasks[task.id]!, ready[task.id]) === 'ready' && say('ready', `bereit (${record?.summary ?? 'bestanden'}); die Betreiberin bestätigt`)) {
          await service.operations.taskChange(schedule.id, task.id, 'done', null);
          this.emit([{ type: 'task', at, taskId: task.id, title: task.title, status: 'done', note: 'nach der Prüfung bestätigt' }]);
        }
        if (record?.acted?.action === 'done' && say('done', `bestätigt die Aufgabe selbst (${record.summary})`)) {
          this.emit([{ type: 'task', at, taskId: task.id, title: task.title, status: 'done', note: 'von der Prüfung bestätigt' }]);
        }
      }
    } catch {
      // The next look tries again; the rehearsal's end check reports what never happened.
    } finally {
      this.busy = false;
    }
  }
}
