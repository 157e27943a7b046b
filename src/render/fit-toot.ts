import { countableLength } from './mastodon-length.ts';
import type { TemplateRenderer } from './template-renderer.ts';
import type { TootContext } from './toot-context.ts';

/**
 * Makes a toot fit the limit the instance reported at start, so nothing is
 * rejected on the day: the template first, then its `.compact` variant, then
 * (for new toots) a thread split at paragraph boundaries. Edits cannot become
 * threads, so an edit that is still too long is cut at a line boundary.
 */
export function fitToot(renderer: TemplateRenderer, template: string, context: TootContext, limit: number): string[] {
  const text = renderOrCompact(renderer, template, context, limit);
  return countableLength(text) <= limit ? [text] : splitIntoThread(text, limit);
}

export function fitEdit(renderer: TemplateRenderer, template: string, context: TootContext, limit: number): string {
  const text = renderOrCompact(renderer, template, context, limit);
  if (countableLength(text) <= limit) return text;
  const lines = text.split('\n');
  while (lines.length > 1 && countableLength(`${lines.join('\n')}\n…`) > limit) lines.pop();
  return hardCut(`${lines.join('\n')}\n…`, limit);
}

function renderOrCompact(renderer: TemplateRenderer, template: string, context: TootContext, limit: number): string {
  const full = renderer.render(template, context);
  if (full.length <= limit || !renderer.has(`${template}.compact`)) return full.text;
  const compact = renderer.render(`${template}.compact`, context);
  return compact.length < full.length ? compact.text : full.text;
}

export function splitIntoThread(text: string, limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const paragraph of text.split('\n\n')) {
    const candidate = current ? `${current}\n\n${paragraph}` : paragraph;
    if (countableLength(candidate) <= limit) {
      current = candidate;
      continue;
    }
    if (current) parts.push(current);
    current = paragraph;
    while (countableLength(current) > limit) {
      const cut = hardCut(current, limit);
      parts.push(cut);
      current = current.slice(cut.length).trimStart();
    }
  }
  if (current) parts.push(current);
  return parts;
}

/** The longest prefix that fits, preferring to end at a space. */
function hardCut(text: string, limit: number): string {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
  let end = Math.min(graphemes.length, limit);
  while (end > 0 && countableLength(graphemes.slice(0, end).join('')) > limit) end -= 1;
  const prefix = graphemes.slice(0, end).join('');
  const space = prefix.lastIndexOf(' ');
  return end < graphemes.length && space > prefix.length / 2 ? prefix.slice(0, space) : prefix;
}
