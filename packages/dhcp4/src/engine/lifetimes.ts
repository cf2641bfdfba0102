/**
 * Lease lifetimes as Kea computes them: the first of the client's classes that sets a valid
 * lifetime overrides the subnet's; a lifetime the client asks for (option 51) is bounded by the
 * min/max; T1/T2 come from renew-timer/rebind-timer or, with calculate-tee-times, from percentages,
 * and are sent only when smaller than what they precede.
 */
import type { ClientClass4, Lifetimes } from '../config/types.js';

export function validLifetimeS(
  lifetimes: Lifetimes,
  classDefinitions: readonly ClientClass4[],
  requestedS: number | undefined,
): number {
  let valid = lifetimes.validLifetimeS;
  let min = lifetimes.minValidLifetimeS;
  let max = lifetimes.maxValidLifetimeS;
  const fromClass = classDefinitions.find((c) => c.validLifetimeS !== undefined);
  if (fromClass !== undefined) {
    valid = fromClass.validLifetimeS!;
    min = fromClass.minValidLifetimeS ?? valid;
    max = fromClass.maxValidLifetimeS ?? valid;
  }
  if (requestedS === undefined || requestedS === 0) return valid;
  return Math.min(max, Math.max(min, requestedS));
}

export interface TeeTimes {
  readonly renewalS?: number;
  readonly rebindingS?: number;
}

export function teeTimes(lifetimes: Lifetimes, validS: number): TeeTimes {
  const rebind =
    lifetimes.rebindTimerS ?? (lifetimes.calculateTeeTimes ? Math.round(lifetimes.t2Percent * validS) : 0);
  const rebindingS = rebind > 0 && rebind < validS ? rebind : undefined;
  const ceiling = rebindingS ?? validS;
  const renew = lifetimes.renewTimerS ?? (lifetimes.calculateTeeTimes ? Math.round(lifetimes.t1Percent * validS) : 0);
  const renewalS = renew > 0 && renew < ceiling ? renew : undefined;
  return { ...(renewalS !== undefined && { renewalS }), ...(rebindingS !== undefined && { rebindingS }) };
}
