/**
 * Request parameters the way Rails sees them: query strings and form bodies
 * with `key[]` arrays and `key[sub]` hashes, JSON bodies as they are, and
 * loose typing (a form sends "true", JSON sends true). masto sends JSON bodies
 * and Rails-style query strings (`types[]=mention`); other clients send forms.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.ts';

export type Params = { [key: string]: unknown };

const MAX_BODY_BYTES = 1_048_576;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function keySegments(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return [key];
  const segments = [match[1] ?? key];
  for (const part of (match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1] ?? '');
  return segments;
}

function assign(target: Params, segments: string[], value: string): void {
  const [head, ...rest] = segments;
  if (head === undefined || FORBIDDEN_KEYS.has(head)) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  if (rest[0] === '') {
    const list = Array.isArray(target[head]) ? (target[head] as unknown[]) : [];
    target[head] = list;
    // Only flat arrays (`types[]`) matter for the endpoints served here.
    if (rest.length === 1) list.push(value);
    return;
  }
  const existing = target[head];
  const nested: Params =
    existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Params) : {};
  target[head] = nested;
  assign(nested, rest, value);
}

export function parseRailsParams(entries: Iterable<[string, string]>): Params {
  const params: Params = {};
  for (const [key, value] of entries) assign(params, keySegments(key), value);
  return params;
}

/** Query parameters as sent, for the request log: keys unchanged, repeated keys as arrays. */
export function rawQuery(search: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of search) {
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[key] = [existing, value];
  }
  return result;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Body parameters, or null without a body. Malformed JSON is Rails' 400. */
export async function parseBody(contentType: string | undefined, body: Buffer): Promise<Params | null> {
  if (body.length === 0) return null;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError(400, 'Error occurred while parsing request parameters');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ApiError(400, 'Error occurred while parsing request parameters');
    }
    return parsed as Params;
  }
  if (type === 'application/x-www-form-urlencoded') {
    return parseRailsParams(new URLSearchParams(body.toString('utf8')));
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(body, { headers: { 'content-type': contentType ?? '' } }).formData();
    const entries: [string, string][] = [];
    // Uploaded files are not supported here; their field names alone are kept.
    for (const [key, value] of form) entries.push([key, typeof value === 'string' ? value : value.name]);
    return parseRailsParams(entries);
  }
  return null;
}

export function stringParam(params: Params, key: string): string | undefined {
  const value = params[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** ActiveModel::Type::Boolean: '', nil and unknown values are nil, the usual false spellings are false. */
export function boolParam(params: Params, key: string): boolean | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  return !['false', '0', 'f', 'off', 'no', 'n'].includes(text);
}

export function arrayParam(params: Params, key: string): string[] | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
}

export function intParam(params: Params, key: string): number | undefined {
  const text = stringParam(params, key);
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isNaN(value) ? undefined : value;
}
