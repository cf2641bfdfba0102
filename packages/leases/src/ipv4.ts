/**
 * Dotted-quad IPv4 text to and from its 32-bit unsigned value. The stores key every index by the
 * number, so paging in address order is a numeric comparison and never a string one
 * ("10.0.0.9" sorts after "10.0.0.10" as text).
 */

/**
 * Parses strict dotted-quad text (four decimal octets 0..255, no leading zeros, no spaces) the way
 * inet_pton does for Kea; anything else yields `undefined`.
 */
export const parseIpv4 = (text: string): number | undefined => {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 /* . */) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (code >= 48 && code <= 57) {
      // A leading zero is only valid as the whole octet ("0"), as in inet_pton.
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (code - 48);
      if (octet > 255) return undefined;
      digits++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
};

export const formatIpv4 = (value: number): string =>
  `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
