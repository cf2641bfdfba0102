import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc1123, formatStatusTime, parseRfc1123, parseStatusTime } from '../src/wire/date-time.js';

/** 2026-11-22 00:11:30 UTC, the date-time of the captured heartbeat answer. */
const CAPTURED_S = Date.UTC(2026, 10, 22, 0, 11, 30) / 1000;
const MIN_MS = Date.UTC(1400, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('RFC 1123 date-time of ha-heartbeat', () => {
  it('formats the captured heartbeat time exactly as Kea wrote it', () => {
    expect(formatRfc1123(CAPTURED_S * 1000)).toBe('Sun, 22 Nov 2026 00:11:30 GMT');
  });

  it('truncates to the whole second, also before 1970', () => {
    expect(formatRfc1123(CAPTURED_S * 1000 + 999)).toBe('Sun, 22 Nov 2026 00:11:30 GMT');
    expect(formatRfc1123(-1)).toBe('Wed, 31 Dec 1969 23:59:59 GMT');
  });

  it('parses the captured time to epoch seconds', () => {
    expect(parseRfc1123('Sun, 22 Nov 2026 00:11:30 GMT')).toBe(CAPTURED_S);
  });

  it('does not check the weekday against the date, as Kea does not', () => {
    expect(parseRfc1123('Mon, 22 Nov 2026 00:11:30 GMT')).toBe(CAPTURED_S);
  });

  it.each([
    'Sun, 22 Nov 2026 00:11:30 UTC',
    'Sun, 22 Nov 2026 00:11:30 GMT ',
    'Sun, 22 nov 2026 00:11:30 GMT',
    'Sun, 2 Nov 2026 00:11:30 GMT',
    'Sun 22 Nov 2026 00:11:30 GMT',
    'Xyz, 22 Nov 2026 00:11:30 GMT',
    'Sun, 31 Nov 2026 00:11:30 GMT',
    'Sun, 29 Feb 2026 00:11:30 GMT',
    'Sun, 00 Nov 2026 00:11:30 GMT',
    'Sun, 22 Nov 2026 24:00:00 GMT',
    'Sun, 22 Nov 2026 00:60:00 GMT',
    'Sun, 22 Nov 2026 00:00:60 GMT',
    'Sun, 22 Nov 0999 00:00:00 GMT',
    '2026-11-22 00:11:30',
    '',
  ])('refuses %j', (text) => {
    expect(parseRfc1123(text)).toBeUndefined();
  });

  it('accepts 29 February of a leap year', () => {
    expect(parseRfc1123('Thu, 29 Feb 2024 12:00:00 GMT')).toBe(Date.UTC(2024, 1, 29, 12) / 1000);
  });

  it('round-trips every instant from 1400 to 9999 to its second (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (epochMs) => {
        expect(parseRfc1123(formatRfc1123(epochMs))).toBe(Math.floor(epochMs / 1000));
      }),
    );
  });

  it('writes the weekday JavaScript computes for the date (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (epochMs) => {
        const weekday = new Date(epochMs).toUTCString().slice(0, 3);
        expect(formatRfc1123(epochMs).slice(0, 3)).toBe(weekday);
      }),
    );
  });
});

describe('status-get system-time', () => {
  it('formats %Y-%m-%d %H:%M:%S', () => {
    expect(formatStatusTime(CAPTURED_S * 1000 + 500)).toBe('2026-11-22 00:11:30');
  });

  it.each(['2026-11-22 00:11:30 ', '2026-11-31 00:00:00', '2026-13-01 00:00:00', '2026-1-22 00:11:30'])(
    'refuses %j',
    (text) => {
      expect(parseStatusTime(text)).toBeUndefined();
    },
  );

  it('round-trips every instant from 1400 to 9999 to its second (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (epochMs) => {
        expect(parseStatusTime(formatStatusTime(epochMs))).toBe(Math.floor(epochMs / 1000));
      }),
    );
  });
});
