import { isIP } from 'node:net';
import type { DateTime, Duration } from 'luxon';
import validRange from 'semver/ranges/valid.js';
import { parseIsoDuration, parseScheduleTime } from './local-time.ts';
import { CHECK_KINDS, DNS_TYPES, type CheckKind, type CheckSpec, type ConfirmMode, type DnsType, type Endpoint } from './check-spec.ts';

/** A problem inside a task's `check`, with the path below `check` (the loader adds file and line). */
export interface CheckProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly hint: string;
  /** Point at the key rather than its value (unknown fields). */
  readonly key?: boolean;
}

export interface CheckContext {
  /** The schedule's instance, e.g. wien.rocks: the default target of `mastodonVersion`. */
  readonly instance: string;
  readonly zone: string;
  /** window.start, for `issuedAfter: window.start`; null when the window itself is invalid. */
  readonly windowStart: DateTime | null;
}

export const CHECK_DEFAULTS = { confirm: 'ask' as ConfirmMode, every: 'PT30S', passes: 2, timeout: 'PT10S' } as const;

const COMMON_FIELDS = ['confirm', 'every', 'passes', 'timeout'];
const KIND_FIELDS: Record<CheckKind, readonly string[]> = {
  mastodonVersion: ['url'],
  dns: ['type', 'expect', 'resolvers', 'dnsTtl', 'minResolvers'],
  tls: ['issuedAfter', 'fingerprint', 'servername'],
  http: ['status', 'contains'],
};

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;
const SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Reads a task's `check` as written in the schedule. Pure: every problem is
 * returned with its path, so the loader can say file:line for each.
 */
export function parseCheck(raw: unknown, context: CheckContext): { spec: CheckSpec | null; problems: CheckProblem[] } {
  const problems: CheckProblem[] = [];
  const fail = (path: PropertyKey[], message: string, hint: string, key = false) => problems.push({ path, message, hint, key });
  const kindList = CHECK_KINDS.join(', ');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    fail([], 'check must be a mapping like { http: "https://wien.rocks/health", status: 200 }.', `Give exactly one kind: ${kindList}. See docs/checks.md.`);
    return { spec: null, problems };
  }
  const fields = raw as Record<string, unknown>;
  const kinds = CHECK_KINDS.filter((k) => k in fields);
  if (kinds.length !== 1) {
    fail(
      kinds.length > 1 ? [kinds[1]!] : [],
      kinds.length > 1 ? `check names ${kinds.join(' and ')}; one check looks at one thing.` : `check has no kind of check.`,
      kinds.length > 1 ? 'Split it: give each task one check.' : `Add one of ${kindList}. See docs/checks.md.`,
      kinds.length > 1,
    );
  }
  const kind = kinds[0];
  const allowed = new Set([...COMMON_FIELDS, ...CHECK_KINDS, ...(kind ? KIND_FIELDS[kind] : [])]);
  for (const name of Object.keys(fields)) {
    if (allowed.has(name)) continue;
    const otherKind = Object.entries(KIND_FIELDS).find(([, list]) => list.includes(name))?.[0];
    fail(
      [name],
      `Unknown field "${name}" in check${otherKind && kind ? ` (it belongs to ${otherKind} checks, this is a ${kind} check)` : ''}.`,
      kind ? `The fields of a ${kind} check are ${[kind, ...KIND_FIELDS[kind], ...COMMON_FIELDS].join(', ')}.` : `A check is one of ${kindList}.`,
      true,
    );
  }

  const confirm = fields.confirm ?? CHECK_DEFAULTS.confirm;
  if (confirm !== 'ask' && confirm !== 'auto') fail(['confirm'], `confirm must be ask or auto, not ${show(confirm)}.`, 'ask (the default) waits for you to confirm; auto marks the task done by itself.');
  const every = duration(fields.every ?? CHECK_DEFAULTS.every, ['every'], fail, { min: 1000 });
  const given = duration(fields.timeout ?? CHECK_DEFAULTS.timeout, ['timeout'], fail, { min: 100 });
  // Without one given, the timeout is PT10S or `every`, whichever is shorter.
  const timeout = fields.timeout === undefined && given && every && given > every ? every : given;
  const passes = fields.passes ?? CHECK_DEFAULTS.passes;
  if (!Number.isInteger(passes) || (passes as number) < 1 || (passes as number) > 100) {
    fail(['passes'], `passes must be a whole number from 1 to 100, not ${show(passes)}.`, 'It is how many results in a row must agree; 2 rides out a single flicker.');
  }
  if (every && timeout && timeout > every) {
    fail(['timeout'], `timeout (${fields.timeout}) is longer than every (${fields.every ?? CHECK_DEFAULTS.every}).`, 'A probe must be done before the next one starts; shorten timeout or lengthen every.');
  }
  if (!kind) return { spec: null, problems };
  const common = { confirm: confirm as ConfirmMode, every: every!, timeout: timeout!, passes: passes as number };

  let spec: CheckSpec | null = null;
  switch (kind) {
    case 'mastodonVersion': {
      const range = fields.mastodonVersion;
      if (typeof range !== 'string' || validRange(range) === null) {
        fail(['mastodonVersion'], `mastodonVersion ${show(range)} is not a version range.`, 'Write it like ">=4.0.0" (quoted) or "4.0.x".');
      }
      const url = fields.url === undefined ? `https://${context.instance}` : baseUrl(fields.url, ['url'], fail);
      if (typeof range === 'string' && url) spec = { ...common, kind, range, url };
      break;
    }
    case 'dns': {
      const name = fields.dns;
      if (typeof name !== 'string' || !HOSTNAME.test(name)) fail(['dns'], `dns ${show(name)} is not a host name.`, 'Write the name to resolve, like wien.rocks.');
      const type = fields.type ?? 'A';
      if (!DNS_TYPES.includes(type as DnsType)) fail(['type'], `type ${show(type)} is not a record type Herold checks.`, `Use ${DNS_TYPES.join(', ')}.`);
      const expectRaw = fields.expect;
      const expect: string[] = [];
      if (!Array.isArray(expectRaw) && typeof expectRaw !== 'string') {
        fail(['expect'], 'expect is missing: the dns check needs the new address.', 'Add expect: [203.0.113.10] (the addresses or, for CNAME, the name the record should show).');
      } else {
        const values = Array.isArray(expectRaw) ? expectRaw : [expectRaw];
        if (values.length === 0) fail(['expect'], 'expect is empty.', 'List the new address, like [203.0.113.10].');
        values.forEach((value, i) => {
          const path = Array.isArray(expectRaw) ? ['expect', i] : ['expect'];
          const checked = expectedValue(value, type as DnsType);
          if (checked.ok) expect.push(checked.value);
          else fail(path, checked.message, checked.hint);
        });
      }
      const resolversRaw = fields.resolvers ?? [];
      const resolvers: Endpoint[] = [];
      if (!Array.isArray(resolversRaw)) fail(['resolvers'], 'resolvers must be a list.', 'Write resolvers: ["9.9.9.9", "1.1.1.1:53"].');
      else
        resolversRaw.forEach((value, i) => {
          const endpoint = parseEndpoint(value, 53, { ipOnly: true });
          if (endpoint.ok) resolvers.push(endpoint.value);
          else fail(['resolvers', i], `Resolver ${show(value)}: ${endpoint.message}`, 'A resolver is an IP address with an optional port, like "1.1.1.1:53" or "[2620:fe::fe]:53".');
        });
      const ttl = fields.dnsTtl === undefined ? null : duration(fields.dnsTtl, ['dnsTtl'], fail, { min: 0 });
      const minResolvers = fields.minResolvers ?? 1;
      const most = Math.max(1, resolvers.length);
      if (!Number.isInteger(minResolvers) || (minResolvers as number) < 1 || (minResolvers as number) > most) {
        fail(['minResolvers'], `minResolvers must be a whole number from 1 to ${most}, not ${show(minResolvers)}.`, 'It is how many resolvers must see the new address before the check passes.');
      }
      if (typeof name === 'string' && DNS_TYPES.includes(type as DnsType)) {
        spec = { ...common, kind, name: normalName(name), type: type as DnsType, expect, resolvers, ttl: ttl ?? null, minResolvers: minResolvers as number };
      }
      break;
    }
    case 'tls': {
      const endpoint = parseEndpoint(fields.tls, 443, { ipOnly: false });
      if (!endpoint.ok) fail(['tls'], `tls ${show(fields.tls)}: ${endpoint.message}`, 'Write the host and port the certificate is served on, like "wien.rocks:443".');
      let issuedAfter: DateTime | null = null;
      if (fields.issuedAfter !== undefined) {
        if (fields.issuedAfter === 'window.start') issuedAfter = context.windowStart;
        else if (typeof fields.issuedAfter === 'string') {
          const parsed = parseScheduleTime(fields.issuedAfter, context.zone);
          if (parsed.ok) issuedAfter = parsed.value;
          else fail(['issuedAfter'], `issuedAfter: ${parsed.problem.message}`, `${parsed.problem.hint} Or write window.start.`);
        } else fail(['issuedAfter'], `issuedAfter ${show(fields.issuedAfter)} is not a time.`, 'Write window.start or a time like 2023-02-12T15:00.');
      }
      let fingerprint: string | null = null;
      if (fields.fingerprint !== undefined) {
        const hex = typeof fields.fingerprint === 'string' ? fields.fingerprint.replace(/:/g, '') : '';
        if (SHA256.test(hex)) fingerprint = hex.toUpperCase().match(/../g)!.join(':');
        else fail(['fingerprint'], `fingerprint ${show(fields.fingerprint)} is not a SHA-256 fingerprint.`, 'Give 64 hex digits, with or without colons: openssl x509 -noout -fingerprint -sha256 -in cert.pem.');
      }
      if (fields.issuedAfter === undefined && fields.fingerprint === undefined) {
        fail([], 'A tls check needs issuedAfter or fingerprint, to tell the new certificate from the old one.', 'Add issuedAfter: window.start, or the new certificate\'s fingerprint.');
      }
      const servername = fields.servername ?? (endpoint.ok ? endpoint.value.host : '');
      if (typeof servername !== 'string' || (servername !== '' && !HOSTNAME.test(servername))) fail(['servername'], `servername ${show(servername)} is not a host name.`, 'It is the name sent in SNI, like wien.rocks.');
      if (endpoint.ok) spec = { ...common, kind, endpoint: endpoint.value, servername: String(servername), issuedAfter, fingerprint };
      break;
    }
    case 'http': {
      const url = httpUrl(fields.http, ['http'], fail);
      const status = fields.status ?? 200;
      if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599) fail(['status'], `status ${show(status)} is not an HTTP status.`, 'Use a number from 100 to 599, like 200.');
      const contains = fields.contains ?? null;
      if (contains !== null && (typeof contains !== 'string' || contains === '')) fail(['contains'], 'contains must be a non-empty text.', 'Write the text the answer must contain, like OK.');
      if (url) spec = { ...common, kind, url, status: status as number, contains: contains as string | null };
      break;
    }
  }
  return { spec: problems.length === 0 ? spec : null, problems };
}

type Fail = (path: PropertyKey[], message: string, hint: string) => void;

function duration(value: unknown, path: PropertyKey[], fail: Fail, { min }: { min: number }): Duration | null {
  const parsed = typeof value === 'string' ? parseIsoDuration(value) : null;
  if (!parsed || !parsed.ok) {
    fail(path, `${String(path[0])} ${show(value)} is not an ISO 8601 duration.`, parsed && !parsed.ok ? parsed.hint : 'Write it like PT30S or PT5M.');
    return null;
  }
  if (parsed.value.toMillis() < min) {
    fail(path, `${String(path[0])} ${value} is too short.`, `Use at least ${min >= 1000 ? `PT${min / 1000}S` : `${min} ms`}.`);
    return null;
  }
  return parsed.value;
}

function expectedValue(value: unknown, type: DnsType): { ok: true; value: string } | { ok: false; message: string; hint: string } {
  const text = typeof value === 'string' ? value.trim() : '';
  if (type === 'A' && isIP(text) === 4) return { ok: true, value: text };
  if (type === 'AAAA' && isIP(text) === 6) return { ok: true, value: text.toLowerCase() };
  if (type === 'CNAME' && HOSTNAME.test(text) && isIP(text) === 0) return { ok: true, value: normalName(text) };
  const what = type === 'A' ? 'an IPv4 address' : type === 'AAAA' ? 'an IPv6 address' : 'a host name';
  const example = type === 'A' ? '203.0.113.10' : type === 'AAAA' ? '2001:db8::10' : 'ingress.example.net';
  return { ok: false, message: `expect ${show(value)} is not ${what}, as a ${type} record needs.`, hint: `Write it like ${example}.` };
}

/** "1.1.1.1", "1.1.1.1:53", "[2620:fe::fe]:53", "wien.rocks:443". */
export function parseEndpoint(value: unknown, defaultPort: number, { ipOnly }: { ipOnly: boolean }): { ok: true; value: Endpoint } | { ok: false; message: string } {
  if (typeof value !== 'string' || value === '') return { ok: false, message: 'it must be a text like "host:port".' };
  let host = value;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
  if (bracketed) [host, portText] = [bracketed[1]!, bracketed[2]];
  else if (isIP(value) !== 6 && value.includes(':')) {
    const at = value.lastIndexOf(':');
    [host, portText] = [value.slice(0, at), value.slice(at + 1)];
  }
  const port = portText === undefined ? defaultPort : /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65_535)) return { ok: false, message: `the port ${show(portText)} is not a port from 1 to 65535.` };
  if (isIP(host) !== 0) return { ok: true, value: { host: host.toLowerCase(), port } };
  if (ipOnly) return { ok: false, message: `${show(host)} is not an IP address.` };
  if (!HOSTNAME.test(host)) return { ok: false, message: `${show(host)} is not a host name.` };
  return { ok: true, value: { host: normalName(host), port } };
}

function baseUrl(value: unknown, path: PropertyKey[], fail: Fail): string | null {
  const url = httpUrl(value, path, fail);
  return url ? url.replace(/\/+$/, '') : null;
}

function httpUrl(value: unknown, path: PropertyKey[], fail: Fail): string | null {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    fail(path, `${String(path[0])} ${show(value)} is not an http(s) URL.`, 'Write the full address, like https://wien.rocks/health.');
    return null;
  }
  return String(value);
}

export function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function show(value: unknown): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}

/** `endpoint` as written in messages and metrics: "1.1.1.1:53", "[2620:fe::fe]:53". */
export function formatEndpoint(endpoint: Endpoint): string {
  return isIP(endpoint.host) === 6 ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}
