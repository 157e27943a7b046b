import { DateTime } from 'luxon';
import type { CheckSpec } from '../schedule/check-spec.ts';
import type { CheckRecord } from './check-record.ts';
import { propagation } from './propagation.ts';

/** A check as operators (status --json) and the public (status page, API) see it. */
export interface CheckView {
  readonly kind: CheckSpec['kind'];
  readonly target: string;
  readonly confirm: CheckSpec['confirm'];
  /** The verdict after `passes` results in a row; null before the first. */
  readonly passing: boolean | null;
  /** When the verdict last turned (ISO). */
  readonly since: string | null;
  readonly last: { readonly ok: boolean; readonly summary: string; readonly at: string } | null;
  readonly acted: CheckRecord['acted'];
  readonly stopped: string | null;
  /** DNS checks: how far the change has spread. */
  readonly propagation: {
    readonly seeing: number;
    readonly total: number;
    readonly text: string;
    readonly everyoneBy: string | null;
    readonly everyoneByText: string | null;
  } | null;
}

export function checkView(spec: CheckSpec, record: CheckRecord | null, zone: string, now: DateTime): CheckView {
  const spread =
    spec.kind === 'dns' && record?.resolvers
      ? propagation(record.resolvers, record.firstSeenAt ? DateTime.fromISO(record.firstSeenAt, { zone }) : null, spec.ttl, now.setZone(zone))
      : null;
  return {
    kind: spec.kind,
    target: record?.target ?? '',
    confirm: spec.confirm,
    passing: record?.streak.passing ?? null,
    since: record?.streak.since ?? null,
    last: record && record.checkedAt && record.ok !== null ? { ok: record.ok, summary: record.summary ?? '', at: record.checkedAt } : null,
    acted: record?.acted ?? null,
    stopped: record?.stopped ?? null,
    propagation: spread ? { seeing: spread.seeing, total: spread.total, text: spread.text, everyoneBy: spread.everyoneBy?.toISO() ?? null, everyoneByText: spread.everyoneByText } : null,
  };
}
