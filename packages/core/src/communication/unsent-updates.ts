/**
 * The unsent-update counter (spec §6.6): how a server recovering from partner-down learns that
 * its partner allocated leases it never heard about, and so must resynchronise first.
 *
 * Representation: a JavaScript number. The wire value is a JSON integer that JSON.parse
 * turns into a number anyway, and a number stays exact up to 2^53 − 1 — one increment per
 * DHCP query for 285 years at a million queries a second. Kea wraps its uint64 at 2^64 − 1;
 * we wrap at Number.MAX_SAFE_INTEGER instead so that we never emit an inexact integer. Both
 * bounds are unreachable in practice; what matters is that the counter never returns to 0,
 * which means "fresh start".
 */

export const UNSENT_UPDATE_COUNT_MAX = Number.MAX_SAFE_INTEGER;

/** One more lease-update batch not sent to an active partner; wraps to 1, never 0. */
export function incrementUnsentUpdateCount(count: number): number {
  return count >= UNSENT_UPDATE_COUNT_MAX ? 1 : count + 1;
}

/** The last two values the partner reported; 0/0 until it reports anything. */
export interface PartnerUnsentUpdates {
  readonly previous: number;
  readonly current: number;
}

export const NO_PARTNER_UNSENT_UPDATES: PartnerUnsentUpdates = Object.freeze({ previous: 0, current: 0 });

/** A heartbeat answer without `unsent-update-count` (very old peers) leaves the pair alone. */
export function recordPartnerUnsentUpdateCount(pair: PartnerUnsentUpdates, reported: number | undefined): PartnerUnsentUpdates {
  return reported === undefined ? pair : { previous: pair.current, current: reported };
}

/**
 * A changed, non-zero count means the partner skipped updates to us since its previous
 * heartbeat; 0 means it restarted and has nothing of its own to offer.
 */
export function partnerHasNewUnsentUpdates(previous: number, current: number): boolean {
  return current > 0 && current !== previous;
}
