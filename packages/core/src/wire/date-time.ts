/**
 * The two clock formats on the wire: the heartbeat's RFC 1123 `date-time`
 * (`%a, %d %b %Y %H:%M:%S GMT`, spec §8.3) and status-get's `system-time`
 * (`%Y-%m-%d %H:%M:%S`, spec §8.15). Both carry whole seconds in UTC.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** The Gregorian range Kea's date library accepts; outside it a time cannot be exchanged. */
const MIN_YEAR = 1400;
const MAX_YEAR = 9999;

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** Truncates to the whole second that contains `epochMs`, also for instants before 1970. */
const secondsDate = (epochMs: number): Date => new Date(Math.floor(epochMs / 1000) * 1000);

/** `Sun, 22 Nov 2026 00:11:30 GMT` for the second containing `epochMs`. */
export function formatRfc1123(epochMs: number): string {
  const date = secondsDate(epochMs);
  return (
    `${WEEKDAYS[date.getUTCDay()]}, ${pad2(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ` +
    `${String(date.getUTCFullYear()).padStart(4, '0')} ${clock(date)} GMT`
  );
}

/** `2026-11-22 00:11:30` for the second containing `epochMs`. */
export function formatStatusTime(epochMs: number): string {
  const date = secondsDate(epochMs);
  return (
    `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
    clock(date)
  );
}

const clock = (date: Date): string =>
  `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;

const RFC1123 = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const STATUS_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Epoch seconds of an RFC 1123 time, or `undefined` when the text is not exactly in that
 * format or names an impossible date. The weekday must be a valid name but is not checked
 * against the date, as Kea does not check it either.
 */
export function parseRfc1123(text: string): number | undefined {
  const parts = RFC1123.exec(text);
  if (parts === null) return undefined;
  const [, , day, monthName, year, hours, minutes, seconds] = parts;
  const month = MONTHS.indexOf(monthName as (typeof MONTHS)[number]);
  return toEpochSeconds(Number(year), month, Number(day), Number(hours), Number(minutes), Number(seconds));
}

/** Epoch seconds of a status-get `system-time`, or `undefined` when malformed. */
export function parseStatusTime(text: string): number | undefined {
  const parts = STATUS_TIME.exec(text);
  if (parts === null) return undefined;
  const [, year, month, day, hours, minutes, seconds] = parts;
  return toEpochSeconds(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds));
}

function toEpochSeconds(
  year: number,
  monthIndex: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
): number | undefined {
  if (year < MIN_YEAR || year > MAX_YEAR || monthIndex < 0 || monthIndex > 11) return undefined;
  if (hours > 23 || minutes > 59 || seconds > 59 || day < 1) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years below 100 into the 1900s.
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hours, minutes, seconds, 0);
  // Day 31 of a 30-day month rolls over into the next month; that is an impossible date.
  if (date.getUTCMonth() !== monthIndex || date.getUTCDate() !== day) return undefined;
  return date.getTime() / 1000;
}
