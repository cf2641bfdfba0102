/**
 * Text forms of the identifiers a v4 lease carries: the IPv4 address, the hardware address
 * and the client identifier, read the way Kea reads them and written the way Kea writes them
 * (lowercase, two hex digits per octet, colon-separated).
 */

import { type Parsed, parsedError, parsedOk } from './json-value.js';

/** Kea's limit on hardware address length (octets). */
export const MAX_HW_ADDRESS_OCTETS = 20;
/** Option 61 needs a type octet plus at least one octet of identifier. */
export const MIN_CLIENT_ID_OCTETS = 2;
export const MAX_CLIENT_ID_OCTETS = 128;

const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Dotted-quad IPv4 text as inet_pton accepts it: four decimal octets, no leading zeros. */
export function isIpv4Text(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((octet) => IPV4_OCTET.test(octet) && Number(octet) <= 255);
}

/** IPv4 text as a 32-bit number, for ordering addresses the way a lease page does. */
export function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/**
 * Kea's colon-separated hex: one or two hex digits per octet; the empty string is an empty
 * address (a declined lease has one).
 */
export function parseHwAddressText(text: string): Parsed<string> {
  if (text === '') return parsedOk('');
  const octets = parseColonHex(text);
  if (octets === undefined) {
    return parsedError(`invalid hardware address '${text}': expected hex octets separated by single colons`);
  }
  if (octets.length > MAX_HW_ADDRESS_OCTETS) {
    return parsedError(`invalid hardware address '${text}': longer than ${MAX_HW_ADDRESS_OCTETS} octets`);
  }
  return parsedOk(formatOctets(octets));
}

/**
 * Client identifier text: colon- or space-separated octets, or a plain run of hex digits
 * (optionally `0x`-prefixed, an odd count gets a leading zero), as Kea's formatted-hex reader
 * accepts. The result is Kea's canonical form.
 */
export function parseClientIdText(text: string): Parsed<string> {
  let octets: number[] | undefined;
  if (text.includes(':')) {
    octets = parseColonHex(text, ':');
  } else if (text.includes(' ')) {
    octets = parseColonHex(text, ' ');
  } else {
    const digits = text.length > 2 && text.startsWith('0x') ? text.slice(2) : text;
    const even = digits.length % 2 === 0 ? digits : `0${digits}`;
    octets = /^[0-9a-fA-F]*$/.test(even) ? (even.match(/../g) ?? []).map((pair) => parseInt(pair, 16)) : undefined;
  }
  if (octets === undefined) return parsedError(`invalid client identifier '${text}': not a hex string`);
  if (octets.length < MIN_CLIENT_ID_OCTETS || octets.length > MAX_CLIENT_ID_OCTETS) {
    return parsedError(
      `invalid client identifier '${text}': must be ${MIN_CLIENT_ID_OCTETS} to ${MAX_CLIENT_ID_OCTETS} octets long`,
    );
  }
  return parsedOk(formatOctets(octets));
}

function parseColonHex(text: string, separator = ':'): number[] | undefined {
  const tokens = text.split(separator);
  if (tokens.some((token) => !/^[0-9a-fA-F]{1,2}$/.test(token))) return undefined;
  return tokens.map((token) => parseInt(token, 16));
}

const formatOctets = (octets: readonly number[]): string =>
  octets.map((octet) => octet.toString(16).padStart(2, '0')).join(':');
