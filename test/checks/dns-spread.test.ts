import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { emptyRecord, type CheckRecord } from '../../src/checks/check-record.ts';
import { dnsSpread } from '../../src/checks/dns-spread.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { tootContext } from '../../src/render/toot-context.ts';
import { DEFAULT_FAQ_DIR } from '../../src/faq/index.ts';
import { loadSchedule } from '../../src/schedule/load-schedule.ts';
import { initialProgress, withTask } from '../../src/schedule/progress.ts';

const schedule = loadSchedule('schedules/wien-rocks-2023-02-12.yaml');
const zone = schedule.timezone;
const at = (hhmm: string) => DateTime.fromISO(`2023-02-12T${hhmm}`, { zone });
const resolver = (name: string, sees: boolean) => ({ resolver: name, sees, answers: [sees ? '203.0.113.10' : '198.51.100.7'], error: null });
const dnsRecord: CheckRecord = {
  ...emptyRecord('dns', 'dns', 'wien.rocks A = 203.0.113.10'),
  checkedAt: at('15:33').toISO(),
  ok: true,
  summary: '3 von 4 Resolvern sehen 203.0.113.10',
  resolvers: [resolver('9.9.9.9:53', true), resolver('1.1.1.1:53', true), resolver('8.8.8.8:53', true), resolver('194.242.2.2:53', false)],
  firstSeenAt: at('15:31').toISO(),
};

describe('the DNS spread for toots and FAQ answers', () => {
  test('from the schedule\'s dns check, with the TTL (PT5M) saying when everyone has it', () => {
    const spread = dnsSpread(schedule, new Map([['dns', dnsRecord]]), at('15:34'))!;
    expect(spread).toMatchObject({ taskId: 'dns', propagation: '3 von 4 Resolvern sehen die neue Adresse', seeing: 3, total: 4 });
    expect(spread.everyoneByText).toBe('Spätestens um 15:36 Uhr sollte die neue Adresse überall angekommen sein.');
    expect(dnsSpread(schedule, new Map(), at('15:34'))).toBeNull();
    expect(dnsSpread(schedule, new Map([['dns', { ...dnsRecord, firstSeenAt: null }]]), at('15:34'))).toBeNull();
    expect(dnsSpread(schedule, new Map([['dns', dnsRecord]]), at('15:34'), 'upgrade')).toBeNull();
  });

  test('the DNS milestone and the reachability answer say it; without it they read as before', () => {
    const toots = new TemplateRenderer(schedule.templateDirs);
    const faq = new TemplateRenderer(DEFAULT_FAQ_DIR);
    const running = { ...initialProgress(schedule), phase: 'running' as const };
    const progress = withTask(running, 'dns', 'done', at('15:33'));
    const dns = dnsSpread(schedule, new Map([['dns', dnsRecord]]), at('15:34'));
    const milestone = toots.render('milestone', tootContext(schedule, progress, at('15:34'), { taskId: 'dns', dns })).text;
    expect(milestone).toContain('Die neue Adresse spricht sich gerade im Netz herum.');
    expect(milestone).toContain('Stand jetzt: 3 von 4 Resolvern sehen die neue Adresse. Spätestens um 15:36 Uhr sollte die neue Adresse überall angekommen sein.');
    expect(toots.render('milestone', tootContext(schedule, progress, at('15:34'), { taskId: 'dns' })).text).not.toContain('Stand jetzt');

    const complete = { ...progress, phase: 'complete' as const };
    const answer = faq.render('erreichbarkeit', tootContext(schedule, complete, at('15:34'), { dns })).text;
    expect(answer).toContain('kann es etwas dauern, bis sie überall angekommen ist. Stand jetzt: 3 von 4 Resolvern sehen die neue Adresse. Spätestens um 15:36 Uhr');
    expect(faq.render('erreichbarkeit', tootContext(schedule, progress, at('15:34'), { dns })).text).toContain('Die neue Adresse verbreitet sich gerade: 3 von 4 Resolvern');
    expect(faq.render('erreichbarkeit', tootContext(schedule, complete, at('15:34'))).text).not.toContain('Stand jetzt');
  });
});
