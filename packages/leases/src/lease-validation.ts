import { parseIpv4 } from './ipv4.js';
import type { Lease4 } from './lease.js';

// Kea's limits: HWAddr::MAX_HWADDR_LEN is 20 octets; a ClientId holds 2..128 octets. A lease outside
// them could be stored here but Kea (and so a partner or a lease file) could not read it back.
const HW_ADDRESS_MAX_OCTETS = 20;
const CLIENT_ID_MIN_OCTETS = 2;
const CLIENT_ID_MAX_OCTETS = 128;
const UINT32_MAX = 0xffff_ffff;

const isLowerHexDigit = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 97 && code <= 102);

/**
 * Whether `text` is Kea's canonical text of `minOctets`..`maxOctets` octets: two lowercase hex
 * digits each, colon-separated. Checked by hand: a bounded-repetition regex of 128 groups is slow.
 */
export const isColonHex = (text: string, minOctets: number, maxOctets: number): boolean => {
  const length = text.length;
  if ((length + 1) % 3 !== 0) return false;
  const octets = (length + 1) / 3;
  if (octets < minOctets || octets > maxOctets) return false;
  for (let i = 0; i < length; i += 3) {
    if (!isLowerHexDigit(text.charCodeAt(i)) || !isLowerHexDigit(text.charCodeAt(i + 1))) return false;
    if (i + 2 < length && text.charCodeAt(i + 2) !== 58 /* : */) return false;
  }
  return true;
};

const isUint32 = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;

/**
 * What is wrong with a lease a store was asked to keep, as a sentence naming the lease and the
 * field, or undefined when every field has the shape `Lease4` documents.
 */
export const describeLeaseProblem = (lease: Lease4): string | undefined => {
  const where = (): string => `lease ${JSON.stringify(lease.address)}`;
  if (typeof lease.address !== 'string' || parseIpv4(lease.address) === undefined) {
    return `${where()}: address is not a dotted-quad IPv4 address`;
  }
  if (typeof lease.hwAddress !== 'string' || (lease.hwAddress !== '' && !isColonHex(lease.hwAddress, 1, HW_ADDRESS_MAX_OCTETS))) {
    return `${where()}: hw-address ${JSON.stringify(lease.hwAddress)} is not empty nor lowercase colon-separated hex of 1 to 20 octets`;
  }
  if (lease.clientId !== undefined && (typeof lease.clientId !== 'string' || !isColonHex(lease.clientId, CLIENT_ID_MIN_OCTETS, CLIENT_ID_MAX_OCTETS))) {
    return `${where()}: client-id ${JSON.stringify(lease.clientId)} is not lowercase colon-separated hex of 2 to 128 octets`;
  }
  if (!isUint32(lease.validLifetime)) {
    return `${where()}: valid lifetime ${String(lease.validLifetime)} is not an integer from 0 to ${UINT32_MAX} seconds`;
  }
  if (typeof lease.cltt !== 'number' || !Number.isSafeInteger(lease.cltt) || lease.cltt < 0) {
    return `${where()}: cltt ${String(lease.cltt)} is not a non-negative integer of Unix seconds`;
  }
  if (!isUint32(lease.subnetId)) {
    return `${where()}: subnet-id ${String(lease.subnetId)} is not an integer from 0 to ${UINT32_MAX}`;
  }
  if (typeof lease.fqdnFwd !== 'boolean' || typeof lease.fqdnRev !== 'boolean') {
    return `${where()}: fqdn-fwd and fqdn-rev must be booleans`;
  }
  if (typeof lease.hostname !== 'string') {
    return `${where()}: hostname must be a string`;
  }
  if (lease.state !== 0 && lease.state !== 1 && lease.state !== 2) {
    return `${where()}: state ${String(lease.state)} is not 0 (default), 1 (declined) or 2 (expired-reclaimed)`;
  }
  const context: unknown = lease.userContext;
  if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) {
    return `${where()}: user-context must be a JSON map`;
  }
  return undefined;
};
