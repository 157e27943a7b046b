import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { parseCheck, parseEndpoint } from '../../src/schedule/parse-check.ts';
import { FileProblemsError, ScheduleError } from '../../src/errors.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';

const SHIPPED = new URL('../../schedules/wien-rocks-2023-02-12.yaml', import.meta.url);

const context = { instance: 'wien.rocks', zone: 'Europe/Vienna', windowStart: DateTime.fromISO('2023-02-12T15:00', { zone: 'Europe/Vienna' }) };
const parse = (raw: unknown) => parseCheck(raw, context);

describe('parseCheck accepts each kind with its defaults', () => {
  test('mastodonVersion defaults to the schedule instance, ask, PT30S, 2 passes', () => {
    const { spec, problems } = parse({ mastodonVersion: '>=4.0.0' });
    expect(problems).toEqual([]);
    expect(spec).toMatchObject({ kind: 'mastodonVersion', range: '>=4.0.0', url: 'https://wien.rocks', confirm: 'ask', passes: 2 });
    expect(spec!.every.toMillis()).toBe(30_000);
    expect(spec!.timeout.toMillis()).toBe(10_000);
  });

  test('dns with resolvers, ports and a TTL', () => {
    const { spec, problems } = parse({ dns: 'Wien.Rocks.', type: 'A', expect: ['203.0.113.10'], resolvers: ['9.9.9.9', '1.1.1.1:5353', '[2620:fe::fe]:53'], dnsTtl: 'PT5M', confirm: 'auto' });
    expect(problems).toEqual([]);
    expect(spec).toMatchObject({
      kind: 'dns',
      name: 'wien.rocks',
      expect: ['203.0.113.10'],
      resolvers: [{ host: '9.9.9.9', port: 53 }, { host: '1.1.1.1', port: 5353 }, { host: '2620:fe::fe', port: 53 }],
      minResolvers: 1,
      confirm: 'auto',
    });
    expect(spec!.kind === 'dns' && spec!.ttl!.toMillis()).toBe(300_000);
  });

  test('tls with issuedAfter: window.start, and with a fingerprint in any spelling', () => {
    const a = parse({ tls: 'wien.rocks:443', issuedAfter: 'window.start' });
    expect(a.problems).toEqual([]);
    expect(a.spec).toMatchObject({ kind: 'tls', endpoint: { host: 'wien.rocks', port: 443 }, servername: 'wien.rocks' });
    expect(a.spec!.kind === 'tls' && a.spec!.issuedAfter!.toISO()).toBe('2023-02-12T15:00:00.000+01:00');
    const b = parse({ tls: 'wien.rocks', fingerprint: 'ab'.repeat(32) });
    expect(b.spec).toMatchObject({ endpoint: { port: 443 }, fingerprint: Array(32).fill('AB').join(':') });
  });

  test('http with status and contains', () => {
    const { spec, problems } = parse({ http: 'https://wien.rocks/health', status: 200, contains: 'OK', every: 'PT1M', passes: 3 });
    expect(problems).toEqual([]);
    expect(spec).toMatchObject({ kind: 'http', url: 'https://wien.rocks/health', status: 200, contains: 'OK', passes: 3 });
  });
});

describe('parseCheck says what is wrong, where', () => {
  test.each([
    [{ ping: 'wien.rocks' }, [], 'no kind of check'],
    [{ ping: 'wien.rocks', http: 'https://wien.rocks/' }, ['ping'], 'Unknown field "ping"'],
    [{ http: 'https://wien.rocks/', dns: 'wien.rocks' }, ['http'], 'one check looks at one thing'],
    [{ http: 'https://a.b/', expect: ['1.2.3.4'] }, ['expect'], 'belongs to dns checks'],
    [{ mastodonVersion: '>=four' }, ['mastodonVersion'], 'not a version range'],
    [{ mastodonVersion: '4.0.0', url: 'ftp://wien.rocks' }, ['url'], 'not an http(s) URL'],
    [{ dns: 'wien..rocks', expect: ['203.0.113.10'] }, ['dns'], 'not a host name'],
    [{ dns: 'wien.rocks', type: 'MX', expect: ['x'] }, ['type'], 'not a record type'],
    [{ dns: 'wien.rocks', expect: ['203.0.113.300'] }, ['expect', 0], 'not an IPv4 address'],
    [{ dns: 'wien.rocks', type: 'AAAA', expect: ['203.0.113.10'] }, ['expect', 0], 'not an IPv6 address'],
    [{ dns: 'wien.rocks', type: 'CNAME', expect: ['10.0.0.1'] }, ['expect', 0], 'not a host name'],
    [{ dns: 'wien.rocks' }, ['expect'], 'expect is missing'],
    [{ dns: 'wien.rocks', expect: ['203.0.113.10'], resolvers: ['dns.quad9.net'] }, ['resolvers', 0], 'is not an IP address'],
    [{ dns: 'wien.rocks', expect: ['203.0.113.10'], resolvers: ['1.1.1.1:99999'] }, ['resolvers', 0], 'not a port'],
    [{ dns: 'wien.rocks', expect: ['203.0.113.10'], dnsTtl: '5 min' }, ['dnsTtl'], 'not an ISO 8601 duration'],
    [{ dns: 'wien.rocks', expect: ['203.0.113.10'], resolvers: ['1.1.1.1'], minResolvers: 2 }, ['minResolvers'], 'from 1 to 1'],
    [{ tls: 'wien.rocks:0', issuedAfter: 'window.start' }, ['tls'], 'not a port'],
    [{ tls: 'wien_rocks:443', issuedAfter: 'window.start' }, ['tls'], 'not a host name'],
    [{ tls: 'wien.rocks:443' }, [], 'needs issuedAfter or fingerprint'],
    [{ tls: 'wien.rocks:443', fingerprint: 'abc' }, ['fingerprint'], 'not a SHA-256 fingerprint'],
    [{ tls: 'wien.rocks:443', issuedAfter: '2023-02-30T15:00' }, ['issuedAfter'], 'issuedAfter'],
    [{ http: 'wien.rocks/health' }, ['http'], 'not an http(s) URL'],
    [{ http: 'https://wien.rocks/', status: 700 }, ['status'], 'not an HTTP status'],
    [{ http: 'https://wien.rocks/', confirm: 'yes' }, ['confirm'], 'must be ask or auto'],
    [{ http: 'https://wien.rocks/', every: 'PT0.5S' }, ['every'], 'too short'],
    [{ http: 'https://wien.rocks/', passes: 0 }, ['passes'], 'from 1 to 100'],
    [{ http: 'https://wien.rocks/', every: 'PT5S', timeout: 'PT10S' }, ['timeout'], 'longer than every'],
    ['https://wien.rocks/', [], 'must be a mapping'],
  ])('%j → problem at %j', (raw, path, message) => {
    const { spec, problems } = parse(raw);
    expect(spec).toBeNull();
    expect(problems.map((p) => p.path)).toContainEqual(path);
    expect(problems.find((p) => JSON.stringify(p.path) === JSON.stringify(path))!.message).toContain(message);
    for (const p of problems) expect(p.hint.length).toBeGreaterThan(10);
  });
});

describe('parseEndpoint', () => {
  test.each([
    ['1.1.1.1', { host: '1.1.1.1', port: 53 }],
    ['1.1.1.1:5353', { host: '1.1.1.1', port: 5353 }],
    ['[::1]:53', { host: '::1', port: 53 }],
    ['2620:fe::fe', { host: '2620:fe::fe', port: 53 }],
  ])('%s', (text, endpoint) => {
    expect(parseEndpoint(text, 53, { ipOnly: true })).toEqual({ ok: true, value: endpoint });
  });
  test('a name is refused where only an IP will do', () => {
    expect(parseEndpoint('dns.google', 53, { ipOnly: true }).ok).toBe(false);
    expect(parseEndpoint('dns.google', 53, { ipOnly: false })).toEqual({ ok: true, value: { host: 'dns.google', port: 53 } });
  });
});

describe('validate points at the line of a bad check', () => {
  const text = (check: string) =>
    readFileSync(SHIPPED, 'utf8').replace('    check: { tls: "wien.rocks:443", issuedAfter: window.start }\n', `    check: ${check}\n`);
  const problemsOf = (yaml: string) => {
    try {
      parseSchedule(yaml, '/tmp/s.yaml');
    } catch (error) {
      if (error instanceof FileProblemsError) return error.problems;
      throw error;
    }
    throw new Error('expected a ScheduleError');
  };
  test.each([
    ['{ tls: "wien.rocks:443", fingerprint: "zz" }', '"zz"', 'tasks[8].check: fingerprint "zz" is not a SHA-256 fingerprint'],
    ['{ ping: wien.rocks, tls: "wien.rocks:443", issuedAfter: window.start }', 'ping', 'Unknown field "ping"'],
    ['{ dns: wien.rocks, expect: [203.0.113.999] }', '203.0.113.999', 'not an IPv4 address'],
  ])('%s', (check, needle, message) => {
    const yaml = text(check);
    const [problem] = problemsOf(yaml);
    const before = yaml.slice(0, yaml.indexOf(needle)).split('\n');
    expect(problem).toMatchObject({ file: '/tmp/s.yaml', line: before.length, column: before.at(-1)!.length + 1 });
    expect(problem!.message).toContain(message);
  });
});
