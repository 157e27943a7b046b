import { DateTime } from 'luxon';
import type { CheckSpec } from '../schedule/check-spec.ts';
import type { CheckRecord } from './check-record.ts';
import { checkView } from './check-view.ts';

/** What the status page and the JSON API show of a task's check: German, ready to print. */
export interface PublicCheck {
  readonly kind: CheckSpec['kind'];
  /** The verdict; null before the first. */
  readonly passing: boolean | null;
  /** "Automatisch geprüft, 15:31 Uhr: Version 4.0.0" */
  readonly label: string;
  /** DNS: "3 von 4 Resolvern sehen die neue Adresse" */
  readonly propagation: string | null;
  /** DNS with a TTL: "Spätestens um 15:37 Uhr sollte die neue Adresse überall angekommen sein." */
  readonly everyoneBy: string | null;
}

const KIND_LABEL: Record<CheckSpec['kind'], string> = {
  mastodonVersion: 'Version der Instanz',
  dns: 'DNS',
  tls: 'TLS-Zertifikat',
  http: 'Erreichbarkeit',
};

/** Null before a check has run: nothing to show yet. */
export function publicCheck(spec: CheckSpec, record: CheckRecord | null, zone: string, now: DateTime): PublicCheck | null {
  const view = checkView(spec, record, zone, now);
  if (!view.last) return null;
  const at = DateTime.fromISO(view.last.at, { zone });
  return {
    kind: spec.kind,
    passing: view.passing,
    label: `Automatisch geprüft (${KIND_LABEL[spec.kind]}), ${at.toFormat("HH:mm 'Uhr'")}: ${view.last.summary}`,
    propagation: view.propagation?.text ?? null,
    everyoneBy: view.propagation?.everyoneByText ?? null,
  };
}
