/** Kea trims names and file contents with this set only (no Unicode spaces). */
const KEA_WHITESPACE = ' \b\f\n\r\t';

export function keaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && KEA_WHITESPACE.includes(text.charAt(start))) start += 1;
  while (end > start && KEA_WHITESPACE.includes(text.charAt(end - 1))) end -= 1;
  return text.slice(start, end);
}
