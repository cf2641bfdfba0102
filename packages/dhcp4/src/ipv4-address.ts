/**
 * IPv4 addresses as unsigned 32-bit numbers (host order) for arithmetic, and dotted quads for
 * everything a person or the lease store reads. Parsing is strict (no leading zeros, no
 * shorthand) like inet_pton, because Kea configurations are checked with it.
 */

export const IPV4_ZERO = '0.0.0.0';
export const IPV4_BROADCAST = '255.255.255.255';

/** Dotted quad to unsigned 32-bit number; undefined when the text is not a strict dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      if (dots > 3) return undefined;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The dotted form of four bytes in network order (an option's address). */
export function ipv4FromBytes(data: Uint8Array, at = 0): string {
  return formatIpv4(((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0);
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export interface Ipv4Prefix {
  /** Network address (host bits zero), unsigned. */
  readonly network: number;
  readonly length: number;
}

/** The netmask of a prefix length as an unsigned number (`/24` → 0xffffff00). */
export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/**
 * `a.b.c.d/len`; the address must be the network address unless `allowHostBits` (Kea rejects
 * `192.0.2.1/24` as a subnet but a pool prefix is always a network too, so both callers pass false).
 */
export function parseIpv4Prefix(text: string, allowHostBits = false): Ipv4Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIpv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === undefined || !/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  const network = (address & prefixMask(length)) >>> 0;
  if (!allowHostBits && network !== address) return undefined;
  return { network, length };
}

export function prefixContains(prefix: Ipv4Prefix, address: number): boolean {
  return ((address & prefixMask(prefix.length)) >>> 0) === prefix.network;
}

export function prefixLast(prefix: Ipv4Prefix): number {
  return (prefix.network | ~prefixMask(prefix.length)) >>> 0;
}

export function formatIpv4Prefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.network)}/${prefix.length}`;
}
