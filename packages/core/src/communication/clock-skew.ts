/**
 * Clock skew between active partners (spec §6.7): leases carry absolute times, so a partner
 * whose clock runs far off would hand out leases that expire at the wrong moment. Skew is
 * measured from each heartbeat answer's `date-time` with one-second resolution.
 */
import type { KeaCompat } from '../config/types.js';

export type ClockSkewVerdict = 'ok' | 'warn' | 'terminate';

export const CLOCK_SKEW_WARN_S = 30;
export const CLOCK_SKEW_TERMINATE_S = 60;
export const CLOCK_SKEW_WARNING_INTERVAL_S = 60;

/**
 * Partner minus local time, whole seconds. Kea reads its own clock with a seconds clock, so
 * the local time is truncated before subtracting.
 */
export function clockSkewS(partnerDateTimeS: number, localNowMs: number): number {
  return partnerDateTimeS - Math.floor(localNowMs / 1000);
}

/** Both thresholds are strict: 30 s exactly is fine, 60 s exactly only warns. */
export function clockSkewVerdict(skewS: number): ClockSkewVerdict {
  const magnitude = Math.abs(skewS);
  if (magnitude > CLOCK_SKEW_TERMINATE_S) return 'terminate';
  if (magnitude > CLOCK_SKEW_WARN_S) return 'warn';
  return 'ok';
}

/**
 * The first warning goes out at once, later ones only when more than 60 whole seconds have
 * passed: Kea truncates the elapsed time to seconds before comparing, so 60.9 s is not enough.
 */
export function shouldLogSkewWarning(lastWarnAtMs: number | undefined, nowMs: number): boolean {
  return lastWarnAtMs === undefined || Math.trunc((nowMs - lastWarnAtMs) / 1000) > CLOCK_SKEW_WARNING_INTERVAL_S;
}

/**
 * The text Kea puts in HA_HIGH_CLOCK_SKEW and HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION, e.g.
 * "my time: 2019-07-23 18:37:15, partner's time: 2019-07-23 18:37:40, partner's clock is 25s ahead".
 * Times are UTC as `YYYY-MM-DD HH:MM:SS`. A zero skew reads "synchronized" since HEAD; 2.2.0
 * prints "0s ahead".
 */
export function formatClockSkew(myTimeMs: number, partnerTimeS: number, skewS: number, compat: KeaCompat = 'head'): string {
  const relation =
    skewS === 0 && compat === 'head' ? 'synchronized' : skewS < 0 ? `${-skewS}s behind` : `${Math.abs(skewS)}s ahead`;
  return `my time: ${formatKeaTime(Math.floor(myTimeMs / 1000))}, partner's time: ${formatKeaTime(partnerTimeS)}, partner's clock is ${relation}`;
}

function formatKeaTime(epochS: number): string {
  const t = new Date(epochS * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())} ` +
    `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`
  );
}
