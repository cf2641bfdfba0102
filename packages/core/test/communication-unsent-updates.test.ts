import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  NO_PARTNER_UNSENT_UPDATES,
  UNSENT_UPDATE_COUNT_MAX,
  incrementUnsentUpdateCount,
  partnerHasNewUnsentUpdates,
  recordPartnerUnsentUpdateCount,
  type PartnerUnsentUpdates,
} from '../src/communication/unsent-updates.js';

describe('unsent-update counter (§6.6)', () => {
  it('CS-18 starts at 0 and counts up by one', () => {
    let count = 0;
    count = incrementUnsentUpdateCount(count);
    expect(count).toBe(1);
    count = incrementUnsentUpdateCount(count);
    expect(count).toBe(2);
    count = incrementUnsentUpdateCount(count);
    expect(count).toBe(3);
  });

  it('CS-18 wraps to 1, never to 0, at the largest exact integer', () => {
    expect(incrementUnsentUpdateCount(UNSENT_UPDATE_COUNT_MAX - 1)).toBe(UNSENT_UPDATE_COUNT_MAX);
    expect(incrementUnsentUpdateCount(UNSENT_UPDATE_COUNT_MAX)).toBe(1);
    expect(Number.isSafeInteger(UNSENT_UPDATE_COUNT_MAX)).toBe(true);
  });

  test.prop([fc.integer({ min: 0, max: UNSENT_UPDATE_COUNT_MAX })])('the next value is a positive exact integer', (count) => {
    const next = incrementUnsentUpdateCount(count);
    expect(Number.isSafeInteger(next)).toBe(true);
    expect(next).toBeGreaterThan(0);
    expect(next === count + 1 || (count === UNSENT_UPDATE_COUNT_MAX && next === 1)).toBe(true);
  });
});

describe("partner's unsent updates (§6.6)", () => {
  it('CS-19 reports 5, 5, 10, 0 mean new, not new, new, not new', () => {
    let pair: PartnerUnsentUpdates = NO_PARTNER_UNSENT_UPDATES;
    expect(partnerHasNewUnsentUpdates(pair.previous, pair.current)).toBe(false);
    const seen = [5, 5, 10, 0].map((reported) => {
      pair = recordPartnerUnsentUpdateCount(pair, reported);
      return partnerHasNewUnsentUpdates(pair.previous, pair.current);
    });
    expect(seen).toEqual([true, false, true, false]);
  });

  it('a heartbeat answer without the count leaves the pair untouched', () => {
    const pair = recordPartnerUnsentUpdateCount(NO_PARTNER_UNSENT_UPDATES, 7);
    expect(recordPartnerUnsentUpdateCount(pair, undefined)).toBe(pair);
    expect(partnerHasNewUnsentUpdates(pair.previous, pair.current)).toBe(true);
  });

  test.prop([fc.nat(), fc.nat()])('new updates iff current > 0 and current ≠ previous', (previous, current) => {
    expect(partnerHasNewUnsentUpdates(previous, current)).toBe(current > 0 && current !== previous);
  });
});
