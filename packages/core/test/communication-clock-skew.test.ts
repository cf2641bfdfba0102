import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  clockSkewS,
  clockSkewVerdict,
  formatClockSkew,
  shouldLogSkewWarning,
} from '../src/communication/clock-skew.js';

/** 2019-07-23 18:37:15 UTC, the instant of Kea's own log-format test. */
const MY_TIME_MS = Date.UTC(2019, 6, 23, 18, 37, 15);
const MY_TIME_S = MY_TIME_MS / 1000;

describe('clock skew measurement (§6.7)', () => {
  it('skew is partner minus local time, local time truncated to the second', () => {
    expect(clockSkewS(MY_TIME_S + 25, MY_TIME_MS)).toBe(25);
    expect(clockSkewS(MY_TIME_S + 25, MY_TIME_MS + 999)).toBe(25);
    expect(clockSkewS(MY_TIME_S - 15, MY_TIME_MS + 500)).toBe(-15);
    expect(clockSkewS(MY_TIME_S, MY_TIME_MS + 1_000)).toBe(-1);
  });

  it.each([
    [15, 'ok'],
    [-15, 'ok'],
    [35, 'warn'],
    [-35, 'warn'],
    [65, 'terminate'],
    [-65, 'terminate'],
  ] as const)('CS-14 a skew of %i s is %s', (skew, verdict) => {
    expect(clockSkewVerdict(skew)).toBe(verdict);
  });

  it('CS-14 both thresholds are strict', () => {
    expect(clockSkewVerdict(30)).toBe('ok');
    expect(clockSkewVerdict(-30)).toBe('ok');
    expect(clockSkewVerdict(31)).toBe('warn');
    expect(clockSkewVerdict(60)).toBe('warn');
    expect(clockSkewVerdict(-60)).toBe('warn');
    expect(clockSkewVerdict(61)).toBe('terminate');
    expect(clockSkewVerdict(0)).toBe('ok');
  });

  it('CS-14 the first warning is immediate, the next only after more than 60 s', () => {
    const first = 1_000_000;
    expect(shouldLogSkewWarning(undefined, first)).toBe(true);
    expect(shouldLogSkewWarning(first, first)).toBe(false);
    expect(shouldLogSkewWarning(first, first + 60_000)).toBe(false);
    // Kea compares whole elapsed seconds: 60.999 s is still 60.
    expect(shouldLogSkewWarning(first, first + 60_999)).toBe(false);
    expect(shouldLogSkewWarning(first, first + 61_000)).toBe(true);
    // Kea's test moves the last warning 90 s back.
    expect(shouldLogSkewWarning(first - 90_000, first)).toBe(true);
  });

  test.prop([fc.integer({ min: -100_000, max: 100_000 })])('the verdict depends on the magnitude only', (skew) => {
    expect(clockSkewVerdict(skew)).toBe(clockSkewVerdict(-skew));
  });
});

describe('clock skew log text (CS-15)', () => {
  it("CS-15 Kea's example: partner 25 s ahead", () => {
    expect(formatClockSkew(MY_TIME_MS, MY_TIME_S + 25, 25)).toBe(
      "my time: 2019-07-23 18:37:15, partner's time: 2019-07-23 18:37:40, partner's clock is 25s ahead",
    );
  });

  it('CS-15 partner behind, across a day boundary, with local milliseconds dropped', () => {
    const midnight = Date.UTC(2024, 0, 1, 0, 0, 5);
    expect(formatClockSkew(midnight + 750, midnight / 1000 - 15, -15)).toBe(
      "my time: 2024-01-01 00:00:05, partner's time: 2023-12-31 23:59:50, partner's clock is 15s behind",
    );
  });

  it('CS-15 a zero skew reads "synchronized" on HEAD and "0s ahead" on 2.2.0', () => {
    expect(formatClockSkew(MY_TIME_MS, MY_TIME_S, 0)).toBe(
      "my time: 2019-07-23 18:37:15, partner's time: 2019-07-23 18:37:15, partner's clock is synchronized",
    );
    expect(formatClockSkew(MY_TIME_MS, MY_TIME_S, 0, '2.2')).toBe(
      "my time: 2019-07-23 18:37:15, partner's time: 2019-07-23 18:37:15, partner's clock is 0s ahead",
    );
  });

  it('CS-15 the 1994 date Kea uses to force termination', () => {
    const partner = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;
    const skew = clockSkewS(partner, MY_TIME_MS);
    expect(clockSkewVerdict(skew)).toBe('terminate');
    expect(formatClockSkew(MY_TIME_MS, partner, skew)).toBe(
      `my time: 2019-07-23 18:37:15, partner's time: 1994-11-06 08:49:37, partner's clock is ${-skew}s behind`,
    );
  });
});
