/**
 * Lowercase colon-separated hex, the text form Kea uses for hardware addresses and client
 * identifiers in leases, reservations and lease commands.
 */

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toColonHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return '';
  let text = BYTE_HEX[bytes[0]!]!;
  for (let i = 1; i < n; i++) text += ':' + BYTE_HEX[bytes[i]!]!;
  return text;
}

/**
 * Hex as operators write it in Kea configurations: `01:02:0a`, `01 02 0a`, `1:2:a` (a single digit
 * between separators is one byte), or unseparated `01020a` / `0x01020a` with an even digit count.
 * Undefined when the text is not one of those forms.
 */
export function parseHexBytes(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return new Uint8Array(0);
  if (/[:\s-]/.test(trimmed)) {
    const parts = trimmed.split(/[:\s-]+/);
    const out = new Uint8Array(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (!/^[0-9a-fA-F]{1,2}$/.test(part)) return undefined;
      out[i] = parseInt(part, 16);
    }
    return out;
  }
  const digits = /^0[xX]/.test(trimmed) ? trimmed.slice(2) : trimmed;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
