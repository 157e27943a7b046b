import { createSocket, type Socket } from 'node:dgram';
import { DateTime, Duration } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckOf } from '../../src/schedule/check-spec.ts';
import { LocalDnsServer } from '../../src/checks/local/local-dns-server.ts';
import { LocalHttpServer } from '../../src/checks/local/local-http-server.ts';
import { LocalTlsServer, makeCertificate } from '../../src/checks/local/local-tls-server.ts';
import { probe } from '../../src/checks/probe.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

const common = { confirm: 'ask' as const, every: Duration.fromMillis(30_000), passes: 2, timeout: Duration.fromMillis(2000) };

describe('http probe against a local server', () => {
  let server: LocalHttpServer;
  beforeAll(async () => {
    server = await new LocalHttpServer({ status: 503, body: 'Wartung' }).start();
  });
  afterAll(() => server.close());

  test('fails while the server says 503, passes once it says 200 OK', async () => {
    const spec: CheckOf<'http'> = { ...common, kind: 'http', url: `${server.url}/health`, status: 200, contains: 'OK' };
    expect(await probe(spec)).toEqual({ ok: false, summary: 'HTTP 503' });
    server.answer = { status: 200, body: 'not yet' };
    expect(await probe(spec)).toEqual({ ok: false, summary: 'HTTP 200, ohne „OK“' });
    server.answer = { status: 200, body: 'OK' };
    expect(await probe(spec)).toEqual({ ok: true, summary: 'HTTP 200' });
  });

  test('a server that does not answer in time fails with a timeout', async () => {
    server.answer = { status: 200, body: 'OK', delayMs: 2000 };
    const started = Date.now();
    const result = await probe({ ...common, timeout: Duration.fromMillis(300), kind: 'http', url: server.url, status: 200, contains: null });
    expect(result).toEqual({ ok: false, summary: 'Zeitüberschreitung nach 0.3 s' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('a closed port is refused', async () => {
    const closed = await new LocalHttpServer({ status: 200, body: '' }).start();
    const url = closed.url;
    await closed.close();
    expect(await probe({ ...common, kind: 'http', url, status: 200, contains: null })).toEqual({ ok: false, summary: 'Verbindung abgelehnt' });
  });
});

describe('dns probe against local DNS servers', () => {
  const servers: LocalDnsServer[] = [];
  let blackhole: Socket;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) servers.push(await new LocalDnsServer().start());
    blackhole = createSocket('udp4');
    await new Promise<void>((resolve) => blackhole.bind(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    blackhole.close();
  });

  const spec = (resolvers: string[], minResolvers = 1): CheckOf<'dns'> => ({
    ...common,
    kind: 'dns',
    name: 'wien.rocks',
    type: 'A',
    expect: ['203.0.113.10'],
    resolvers: resolvers.map((r) => ({ host: '127.0.0.1', port: Number(r.split(':')[1]) })),
    ttl: null,
    minResolvers,
  });

  test('the answer switched mid-test: old address, then the new one on one resolver, then on all', async () => {
    for (const s of servers) s.set('wien.rocks', 'A', ['198.51.100.7']);
    const addresses = servers.map((s) => s.address);
    const before = await probe(spec(addresses));
    expect(before.ok).toBe(false);
    expect(before.summary).toBe('0 von 3 Resolvern sehen 203.0.113.10');
    expect(before.resolvers!.map((r) => r.answers)).toEqual([['198.51.100.7'], ['198.51.100.7'], ['198.51.100.7']]);

    servers[0]!.set('wien.rocks', 'A', ['203.0.113.10']);
    const partly = await probe(spec(addresses));
    expect(partly.ok).toBe(true);
    expect(partly.resolvers!.map((r) => r.sees)).toEqual([true, false, false]);
    expect((await probe(spec(addresses, 2))).ok).toBe(false);

    for (const s of servers) s.set('wien.rocks', 'A', ['203.0.113.10']);
    expect((await probe(spec(addresses, 3))).summary).toBe('3 von 3 Resolvern sehen 203.0.113.10');
  });

  test('CNAME and AAAA records', async () => {
    const s = servers[0]!;
    s.set('www.wien.rocks', 'CNAME', ['ingress.example.net']);
    s.set('v6.wien.rocks', 'AAAA', ['2001:db8::10']);
    const resolvers = [{ host: '127.0.0.1', port: s.port }];
    expect((await probe({ ...spec([]), name: 'www.wien.rocks', type: 'CNAME', expect: ['ingress.example.net'], resolvers })).ok).toBe(true);
    expect((await probe({ ...spec([]), name: 'v6.wien.rocks', type: 'AAAA', expect: ['2001:db8::10'], resolvers })).ok).toBe(true);
  });

  test('a resolver that never answers times out, the others still count', async () => {
    const port = blackhole.address().port;
    const started = Date.now();
    const result = await probe({ ...spec([servers[1]!.address]), timeout: Duration.fromMillis(400), resolvers: [{ host: '127.0.0.1', port: servers[1]!.port }, { host: '127.0.0.1', port }] });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.resolvers!.map((r) => [r.sees, r.error])).toEqual([
      [true, null],
      [false, 'Zeitüberschreitung nach 0.4 s'],
    ]);
    expect(result.ok).toBe(true);
  });
});

describe('tls probe against a local server whose certificate is swapped', () => {
  test('issuedAfter and fingerprint tell the new certificate from the old', async () => {
    const windowStart = DateTime.now().minus({ hours: 1 });
    const old = await makeCertificate('wien.rocks', windowStart.minus({ days: 60 }).toJSDate());
    const fresh = await makeCertificate('wien.rocks', windowStart.plus({ minutes: 5 }).toJSDate());
    const server = await new LocalTlsServer(old).start();
    try {
      const byDate: CheckOf<'tls'> = { ...common, kind: 'tls', endpoint: { host: '127.0.0.1', port: server.port }, servername: 'wien.rocks', issuedAfter: windowStart, fingerprint: null };
      const byPrint: CheckOf<'tls'> = { ...byDate, issuedAfter: null, fingerprint: fresh.fingerprint };
      expect((await probe(byDate)).ok).toBe(false);
      expect((await probe(byPrint)).ok).toBe(false);
      server.serve(fresh);
      const after = await probe(byDate);
      expect(after.ok).toBe(true);
      expect(after.summary).toContain(fresh.fingerprint.slice(0, 11));
      expect((await probe(byPrint)).ok).toBe(true);
    } finally {
      await server.close();
    }
  });

  test('nothing listening fails with the reason', async () => {
    const server = await new LocalTlsServer(await makeCertificate('wien.rocks', new Date())).start();
    const port = server.port;
    await server.close();
    const result = await probe({ ...common, kind: 'tls', endpoint: { host: '127.0.0.1', port }, servername: 'wien.rocks', issuedAfter: DateTime.now(), fingerprint: null });
    expect(result).toEqual({ ok: false, summary: `127.0.0.1:${port}: ECONNREFUSED` });
  });
});

describe('mastodonVersion probe against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ domain: 'wien.rocks' });
  });
  afterAll(() => sandbox.close());

  test('the sandbox upgrades from 3.5 to 4.0 mid-test', async () => {
    const spec: CheckOf<'mastodonVersion'> = { ...common, kind: 'mastodonVersion', range: '>=4.0.0', url: sandbox.url };
    sandbox.setVersion('3.5.5');
    expect(await probe(spec)).toEqual({ ok: false, summary: 'Version 3.5.5' });
    sandbox.setVersion('4.0.0rc1');
    expect((await probe(spec)).ok).toBe(false);
    sandbox.setVersion('4.0.2');
    expect(await probe(spec)).toEqual({ ok: true, summary: 'Version 4.0.2' });
  });
});
