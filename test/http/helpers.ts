import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Web } from '../../src/http/web.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { REDIS_URL } from '../support/harness.ts';
/** Shared bits of the HTTP tests: a strict little XML parser, a Server-Sent Events reader and a Prometheus series reader. */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated text directly inside this element, entities decoded. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function decode(raw: string, where: number): string {
  for (let i = raw.indexOf('&'); i >= 0; i = raw.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(raw)) throw new Error(`Bad entity reference near offset ${where + i}: ${raw.slice(i, i + 12)}`);
  }
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/**
 * Parses a well-formed XML document (no DTD, no CDATA) and throws on anything
 * that is not: mismatched tags, unquoted attributes, stray "<" or "&",
 * duplicate attributes, more than one root, text outside the root.
 */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i += 1;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('Unclosed XML declaration');
    i = end + 2;
  }
  while (i < xml.length) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error('Unclosed comment');
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      i += 2;
      const name = NAME.exec(xml.slice(i))?.[0];
      if (!name) throw new Error(`Bad closing tag at ${i}`);
      i += name.length;
      skipSpace();
      if (xml[i] !== '>') throw new Error(`Expected ">" at ${i}`);
      i += 1;
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
    } else if (xml[i] === '<') {
      i += 1;
      const name = NAME.exec(xml.slice(i))?.[0];
      if (!name) throw new Error(`Bad tag at ${i}`);
      i += name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        skipSpace();
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        const attr = NAME.exec(xml.slice(i))?.[0];
        if (!attr) throw new Error(`Bad attribute at ${i} in <${name}>`);
        i += attr.length;
        skipSpace();
        if (xml[i] !== '=') throw new Error(`Attribute ${attr} without value at ${i}`);
        i += 1;
        skipSpace();
        const quote = xml[i];
        if (quote !== '"' && quote !== "'") throw new Error(`Unquoted attribute ${attr} at ${i}`);
        const end = xml.indexOf(quote, i + 1);
        if (end < 0) throw new Error(`Unclosed attribute ${attr}`);
        const raw = xml.slice(i + 1, end);
        if (raw.includes('<')) throw new Error(`"<" in attribute ${attr}`);
        if (attr in attributes) throw new Error(`Duplicate attribute ${attr} in <${name}>`);
        attributes[attr] = decode(raw, i + 1);
        i = end + 1;
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw new Error(`Second root element <${name}>`);
      else root = element;
      if (xml.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(element);
      }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      const parent = stack.at(-1);
      if (!parent) {
        if (raw.trim() !== '') throw new Error(`Text outside the root element at ${i}`);
      } else {
        parent.text += decode(raw, i);
      }
      i += raw.length;
    }
  }
  if (stack.length > 0) throw new Error(`Unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new Error('No root element');
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/** Reads Server-Sent Events from a fetch response; stop by aborting the request. */
export async function* sseEvents(response: Response): AsyncGenerator<SseEvent> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let split: number;
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      let event = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const [field, ...rest] = line.split(':');
        const value = rest.join(':').replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
      }
      if (data.length > 0) yield { event, data: data.join('\n'), id };
    }
  }
}

/** The next event of the given type, or a timeout error. */
export async function nextEvent(events: AsyncGenerator<SseEvent>, type: string, timeoutMs = 5000, accept: (e: SseEvent) => boolean = () => true): Promise<SseEvent> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No "${type}" event within ${timeoutMs} ms`)), timeoutMs);
  });
  const wanted = (async () => {
    for (;;) {
      const next = await events.next();
      if (next.done) throw new Error('The event stream ended');
      if (next.value.event === type && accept(next.value)) return next.value;
    }
  })();
  try {
    return await Promise.race([wanted, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The value of one series (`name{labels}`, exactly as exposed) in a Prometheus text exposition; NaN when absent. */
export const metricValue = (text: string, series: string): number =>
  Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

/**
 * A real Redis and a state store under a prefix of the test's own, and the
 * web parts it created: closed after each test, the prefix's keys removed at the end.
 */
export function webFixture(prefix: string): { readonly redis: Redis; readonly store: StateStore; readonly webs: Web[] } {
  const fixture = { redis: undefined as unknown as Redis, store: undefined as unknown as StateStore, webs: [] as Web[] };
  beforeAll(() => {
    fixture.redis = new Redis(REDIS_URL);
    fixture.store = new StateStore(fixture.redis, prefix);
  });
  afterEach(() => {
    for (const web of fixture.webs.splice(0)) web.close();
  });
  afterAll(async () => {
    const keys = await fixture.redis.keys(`${prefix}*`);
    if (keys.length > 0) await fixture.redis.del(...keys);
    fixture.redis.disconnect();
  });
  return fixture;
}
