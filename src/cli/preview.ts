import { TemplateRenderer } from '../render/template-renderer.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import { planTimeline, type Scenario } from '../render/timeline.ts';

export interface PreviewOptions {
  readonly json?: boolean;
  readonly scenario?: Scenario;
}

/** `herold preview <file>`: the whole timeline the schedule produces, in order. */
export function previewCommand(file: string, options: PreviewOptions, out: (line: string) => void): void {
  const schedule = loadSchedule(file);
  const timeline = planTimeline(schedule, new TemplateRenderer(schedule.templateDirs), options.scenario ?? 'complete');
  if (options.json) {
    out(
      JSON.stringify(
        timeline.map((e) => ({ at: e.at.toISO(), kind: e.kind, id: e.id, text: e.text, length: e.length })),
        null,
        2,
      ),
    );
    return;
  }
  out(`${schedule.id} (${schedule.instance}), scenario: ${options.scenario ?? 'complete'}, ${timeline.length} entries`);
  for (const entry of timeline) {
    const local = entry.at.setLocale(schedule.locale).toFormat('ccc dd.MM.yyyy HH:mm');
    out('');
    out(`── ${local} · ${entry.at.toISO()} · ${entry.kind} · ${entry.id} · ${entry.length}/${schedule.maxCharacters} Zeichen`);
    for (const line of entry.text.split('\n')) out(`   ${line}`);
  }
}
