/**
 * Kea's CSV has no quoting: a field that may hold the separator is written with each comma (and
 * each `&`, so text that looks like an escape survives) as `&#x` and two hex digits, and read back by
 * turning every `&#xHH` into the byte HH (CSVRow::escapeCharacters / unescapeCharacters).
 *
 * Line breaks are escaped here too. Kea leaves them raw, which splits the row in two and loses the
 * lease; Kea reads `&#x0a` back as a line feed, so files stay readable by both.
 */

const ESCAPED = /[,&\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { ',': '&#x2c', '&': '&#x26', '\n': '&#x0a', '\r': '&#x0d' };

export const escapeField = (value: string): string => {
  ESCAPED.lastIndex = 0;
  return ESCAPED.test(value) ? value.replace(ESCAPED, (char) => ESCAPES[char]!) : value;
};

const hexValue = (byte: number | undefined): number => {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
};

/**
 * Undoes Kea's escaping on the bytes of the field, so an escaped byte that is part of a multi-byte
 * UTF-8 character is reassembled. `&#x` not followed by two hex digits stays as written (Kea then
 * emits a NUL byte when fewer than two characters follow; it never writes such text itself).
 */
export const unescapeField = (field: string): string => {
  if (!field.includes('&#x')) return field;
  const bytes = Buffer.from(field, 'utf8');
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i] === 0x26 && bytes[i + 1] === 0x23 && bytes[i + 2] === 0x78) {
      const high = hexValue(bytes[i + 3]);
      const low = hexValue(bytes[i + 4]);
      if (high >= 0 && low >= 0) {
        out[length++] = (high << 4) | low;
        i += 5;
        continue;
      }
    }
    out[length++] = bytes[i++]!;
  }
  return out.toString('utf8', 0, length);
};
