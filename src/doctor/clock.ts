import { fail, ok, warn, type CheckResult } from './check.ts';

export const CLOCK_WARN_MS = 5_000;
export const CLOCK_FAIL_MS = 60_000;

/**
 * How far our clock is from the instance's, from its Date header. The header
 * has whole seconds, so the server's time lies in [Date, Date + 1 s); we
 * compare its middle with the middle of our request.
 */
export function clockSkewMs(dateHeader: string, sentAt: number, receivedAt: number): number | null {
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return null;
  return server + 500 - (sentAt + receivedAt) / 2;
}

export function clockCheck(dateHeader: string | null, sentAt: number, receivedAt: number, instance: string): CheckResult {
  const name = 'clock';
  if (!dateHeader) return warn(name, `${instance} sent no Date header, so the clock cannot be compared.`, 'Make sure the host syncs its clock (timedatectl status shows "System clock synchronized: yes").');
  const skew = clockSkewMs(dateHeader, sentAt, receivedAt);
  if (skew === null) return warn(name, `${instance} sent an unreadable Date header ("${dateHeader}").`, 'Make sure the host syncs its clock with NTP.');
  const seconds = Math.abs(skew) / 1000;
  const direction = skew > 0 ? 'behind' : 'ahead of';
  const text = `This machine's clock is ${seconds.toFixed(1)} s ${direction} ${instance}.`;
  const fix = 'Sync the clock with NTP (timedatectl set-ntp true, or chrony); toots are scheduled by this clock.';
  if (Math.abs(skew) > CLOCK_FAIL_MS) return fail(name, text, fix);
  if (Math.abs(skew) > CLOCK_WARN_MS) return warn(name, text, fix);
  return ok(name, `${text.slice(0, -1)} (within ${CLOCK_WARN_MS / 1000} s).`);
}
