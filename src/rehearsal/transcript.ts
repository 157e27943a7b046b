import type { DateTime } from 'luxon';
import { statuslabel } from '../render/helpers.ts';
import { formatDiff, lineDiff } from './diff.ts';
import type { ObserverCounts, TranscriptEvent } from './observer.ts';

const LOCALE = 'de-AT';

/** "Fr 27.01. 18:00" in the schedule's zone. */
export function shortTime(at: DateTime): string {
  return at.setLocale(LOCALE).toFormat('ccc dd.MM. HH:mm');
}

function longTime(at: DateTime): string {
  return at.setLocale(LOCALE).toFormat('cccc, dd.MM.yyyy, HH:mm');
}

const who = (tootId: string | null) => (tootId ? ` \`${tootId}\`` : '');
/** " auf dem Ausweichkonto @x@y" for a toot not on the primary account. */
const on = (account: string | undefined) => (account ? ` auf dem Ausweichkonto ${account}` : '');

/** Headline of an event, without the time. */
export function headline(event: TranscriptEvent, markdown = false): string {
  const id = (tootId: string | null) => (markdown ? who(tootId) : tootId ? ` ${tootId}` : '');
  switch (event.type) {
    case 'toot':
      if (event.kind === 'reply') return `💬 Antwort an @${event.to}${event.duplicate ? ' (DUPLIKAT)' : ''}`;
      return `${event.kind === 'thread' ? '↪️  Antwort im Thread' : '📣 Tröt'}${id(event.tootId)}${on(event.account)}${event.duplicate ? ' (DUPLIKAT)' : ''}`;
    case 'edit':
      return `✏️  Bearbeitung${id(event.tootId)}${on(event.account)}`;
    case 'pin':
      return event.pinned ? `📌 angeheftet${id(event.tootId)}` : `📌 losgelöst${id(event.tootId)}`;
    case 'delete':
      return `🗑️  gelöscht${id(event.tootId)}`;
    case 'question':
      return `❓ Frage von @${event.user}`;
    case 'task':
      return `🔧 Aufgabe ${markdown ? `\`${event.taskId}\`` : event.taskId} (${event.title}): ${statuslabel(event.status)}${event.note ? ` – ${event.note}` : ''}`;
    case 'window':
      return `🪟 ${event.text}`;
    case 'world':
      return `🌍 ${event.text}`;
    case 'check':
      return `🔎 Prüfung ${markdown ? `\`${event.taskId}\`` : event.taskId} (${event.title}): ${event.text}`;
    case 'outage':
      if (!event.down) return '🔌 Die Instanz ist wieder erreichbar.';
      return `🔌 Die Instanz ist nicht erreichbar (simulierter Ausfall).${event.followAt && event.followAt.length > 0 ? ` Follower finden den Stand ${event.followAt.join(' und ')}.` : ' Follower sehen bis dahin nichts Neues.'}`;
    case 'skipped':
      return `⏭️  übersprungen${id(event.tootId)}: ${event.reason}`;
    case 'failure':
      return `❌ fehlgeschlagen${id(event.tootId)}: ${event.message}`;
  }
}

/** The text under the headline, as lines. */
function body(event: TranscriptEvent, context: boolean): string[] {
  switch (event.type) {
    case 'toot':
    case 'question':
      return event.text.split('\n');
    case 'edit':
      return formatDiff(lineDiff(event.before, event.after), context);
    default:
      return [];
  }
}

/** An event for the terminal: a time column, the headline, and the text or the changed lines indented. */
export function terminalLines(event: TranscriptEvent): string[] {
  const lines = [`${shortTime(event.at)}  ${headline(event)}`];
  for (const line of body(event, false)) lines.push(`                 ${event.type === 'edit' ? '' : '│ '}${line}`);
  return lines;
}

/** A progress bar line: share of the real running time, the virtual time, and counts so far. */
export function progressBar(share: number, at: DateTime, counts: ObserverCounts, width = 30): string {
  const clamped = Math.min(1, Math.max(0, share));
  const filled = Math.round(clamped * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.round(clamped * 100)).padStart(3)} % · ${shortTime(at)} · ${counts.toots} Tröts · ${counts.edits} Bearbeitungen · ${counts.replies} Antworten`;
}

export interface TranscriptHeader {
  readonly scheduleId: string;
  readonly instance: string;
  readonly file: string;
  readonly scenario: string;
  readonly outage: boolean;
  readonly speed: number;
  readonly windowSpeed: number;
  readonly eventSpeed: number;
  readonly window: { readonly from: DateTime; readonly to: DateTime };
  readonly startedAt: DateTime;
  readonly statusPage: string | null;
  readonly sandboxUrl: string;
  /** The fallback account the rehearsal used, if any. */
  readonly fallbackAccount?: string | null;
}

export interface TranscriptFooter {
  readonly outcome: string;
  readonly counts: ObserverCounts;
  readonly wallMs: number;
  readonly problems: readonly string[];
  /** The progress toot as followers see it at the end. */
  readonly finalProgress?: string | null;
}

const number = (n: number) => n.toLocaleString(LOCALE);

/** A Markdown code fence long enough for any backticks in the text. */
function fence(lines: readonly string[], lang: string): string[] {
  const longest = Math.max(2, ...lines.map((l) => (l.match(/`+/g) ?? []).reduce((m, run) => Math.max(m, run.length), 0)));
  const marks = '`'.repeat(longest + 1);
  return [`${marks}${lang}`, ...lines, marks];
}

/** The whole rehearsal as Markdown: header, each event in time order, summary. */
export function transcriptMarkdown(header: TranscriptHeader, events: readonly TranscriptEvent[], footer: TranscriptFooter): string {
  const out: string[] = [
    `# Probe: ${header.scheduleId} (${header.instance})`,
    '',
    `- Fahrplan: \`${header.file}\``,
    `- Szenario: ${header.scenario}${header.outage ? ', mit Ausfall der Instanz im Wartungsfenster' : ''}`,
    `- Tempo: ${number(header.speed)}-fach, im Wartungsfenster (${shortTime(header.window.from)} bis ${shortTime(header.window.to)}) ${number(header.windowSpeed)}-fach, rund um geplante Tröts und Fragen ${number(header.eventSpeed)}-fach`,
    `- Gestartet: ${header.startedAt.setLocale(LOCALE).toFormat('dd.MM.yyyy, HH:mm:ss')} (echte Zeit), Dauer ${(footer.wallMs / 1000).toFixed(1).replace('.', ',')} s`,
    `- Sandbox-Mastodon: ${header.sandboxUrl}${header.statusPage ? `, Statusseite: ${header.statusPage}` : ''}`,
    ...(header.fallbackAccount ? [`- Ausweichkonto während des Ausfalls: ${header.fallbackAccount}`] : []),
    '',
    '## Ablauf',
    '',
  ];
  let day = '';
  for (const event of events) {
    const thisDay = event.at.setLocale(LOCALE).toFormat('cccc, dd. LLLL yyyy');
    if (thisDay !== day) {
      day = thisDay;
      out.push(`### ${day}`, '');
    }
    out.push(`**${event.at.toFormat('HH:mm')}** · ${headline(event, true)}`, '');
    const lines = body(event, true);
    if (lines.length > 0) out.push(...fence(lines, event.type === 'edit' ? 'diff' : 'text'), '');
  }
  const c = footer.counts;
  out.push(
    '## Ergebnis',
    '',
    `**${footer.outcome}**`,
    '',
    '| Tröts | Bearbeitungen | Fragen | Antworten | 429 | Duplikate |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${c.toots} | ${c.edits} | ${c.questions} | ${c.replies} | ${c.rateLimited} | ${c.duplicates} |`,
    '',
  );
  if (footer.finalProgress) out.push('### Der Fortschritts-Tröt am Ende', '', ...fence(footer.finalProgress.split('\n'), 'text'), '');
  if (footer.problems.length > 0) out.push('Probleme:', '', ...footer.problems.map((p) => `- ${p}`), '');
  out.push(`_Die Zeiten sind virtuelle Zeiten (${longTime(events[0]?.at ?? header.window.from)} bis ${longTime(events.at(-1)?.at ?? header.window.to)})._`, '');
  return out.join('\n');
}
