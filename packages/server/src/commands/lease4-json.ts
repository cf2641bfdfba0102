import type { Lease4, LeaseState } from '@tandem/leases';
import { isJsonMap, type JsonMap, type JsonValue } from './json.js';
import { CommandArgumentError as ArgumentError } from './argument-error.js';
import { ipv4ToNumber } from './subnet-catalog.js';
import type { SubnetCatalog } from './subnet-catalog.js';

/** A lease in Kea's lease_cmds JSON form (`Lease4::toElement`): with `cltt`, without `expire`. */
export const lease4ToJson = (lease: Lease4): JsonMap => ({
  'ip-address': lease.address,
  'subnet-id': lease.subnetId,
  'hw-address': lease.hwAddress,
  ...(lease.clientId !== undefined ? { 'client-id': lease.clientId } : {}),
  cltt: lease.cltt,
  'valid-lft': lease.validLifetime,
  'fqdn-fwd': lease.fqdnFwd,
  'fqdn-rev': lease.fqdnRev,
  hostname: lease.hostname,
  state: lease.state,
  ...(lease.userContext !== undefined ? { 'user-context': lease.userContext as JsonMap } : {}),
});

export type Lease4Arguments =
  | { readonly kind: 'lease'; readonly lease: Lease4; readonly forceCreate: boolean }
  | { readonly kind: 'invalid'; readonly reason: string };


const fieldOfType = <T>(map: JsonMap, name: string, check: (v: JsonValue) => v is T & JsonValue, required: boolean): T | undefined => {
  const value = map[name];
  if (value === undefined) {
    if (required) throw new ArgumentError(`missing parameter '${name}'`);
    return undefined;
  }
  if (!check(value)) throw new ArgumentError(`invalid type specified for parameter '${name}'`);
  return value as T;
};
const isString = (v: JsonValue): v is string => typeof v === 'string';
const isBoolean = (v: JsonValue): v is boolean => typeof v === 'boolean';
const isInteger = (v: JsonValue): v is number => typeof v === 'number' && Number.isInteger(v);

const uint = (map: JsonMap, name: string, max: number): number | undefined => {
  const value = fieldOfType(map, name, isInteger, false);
  if (value === undefined) return undefined;
  if (value < 0 || value > max) throw new ArgumentError(`The '${name}' value (${value}) is not within expected range: (0 - ${max})`);
  return value;
};

/**
 * Kea's hardware and client-id text forms: bytes of one or two hex digits separated by colons, or
 * a bare run of hex digit pairs. Returned as lowercase two-digit colon hex.
 */
export const normaliseHexIdentifier = (text: string, what: string): string => {
  if (text === '') return '';
  const bytes = text.includes(':') ? text.split(':') : text.match(/.{1,2}/g) ?? [];
  if (!text.includes(':') && text.length % 2 !== 0) throw new ArgumentError(`invalid format of the decoded string '${text}' for ${what}`);
  const out: string[] = [];
  for (const byte of bytes) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(byte)) throw new ArgumentError(`invalid format of the decoded string '${text}' for ${what}`);
    out.push(byte.toLowerCase().padStart(2, '0'));
  }
  return out.join(':');
};

/**
 * Builds the lease a lease4-add / lease4-update carries, with the checks and texts of Kea 2.2's
 * Lease4Parser. This is the one parse step of the lease commands: swap it for a shared wire parser
 * without touching the handlers.
 */
export const parseLease4Arguments = (args: JsonValue | undefined, subnets: SubnetCatalog, nowS: number): Lease4Arguments => {
  try {
    if (!isJsonMap(args)) throw new ArgumentError('lease information missing');
    const address = fieldOfType(args, 'ip-address', isString, true) as string;
    if (ipv4ToNumber(address) === undefined) {
      throw new ArgumentError(address.includes(':') ? `Non-IPv4 address specified: ${address}` : `Failed to convert string to address '${address}': Invalid argument`);
    }
    const hwAddress = normaliseHexIdentifier(fieldOfType(args, 'hw-address', isString, true) as string, 'hw-address');
    const requestedSubnetId = uint(args, 'subnet-id', 0xffffffff) ?? 0;
    let subnet;
    if (requestedSubnetId !== 0) {
      subnet = subnets.byId(requestedSubnetId);
      if (subnet === undefined) {
        throw new ArgumentError(`Invalid subnet-id: No IPv4 subnet with subnet-id=${requestedSubnetId} currently configured.`);
      }
      if (!subnet.contains(address)) {
        throw new ArgumentError(`The address ${address} does not belong to subnet ${subnet.prefix}, subnet-id=${requestedSubnetId}`);
      }
    } else {
      subnet = subnets.containing(address);
      if (subnet === undefined) throw new ArgumentError(`subnet-id not specified and failed to find a subnet for address ${address}`);
    }
    const clientIdText = fieldOfType(args, 'client-id', isString, false);
    const clientId = clientIdText === undefined ? undefined : normaliseHexIdentifier(clientIdText, 'client-id');
    if (clientId !== undefined && clientId.split(':').length < 2) {
      throw new ArgumentError('identifier is too short (1), at least 2 is required');
    }
    const validLifetime = uint(args, 'valid-lft', 0xffffffff) ?? subnet.validLifetimeS;
    const expire = fieldOfType(args, 'expire', isInteger, false);
    let cltt = nowS;
    if (expire !== undefined) {
      if (expire <= 0) throw new ArgumentError(`expiration time must be positive for address ${address}`);
      if (expire < validLifetime) throw new ArgumentError(`expiration time must be greater than valid lifetime for address ${address}`);
      cltt = expire - validLifetime;
    }
    const fqdnFwd = fieldOfType(args, 'fqdn-fwd', isBoolean, false) ?? false;
    const fqdnRev = fieldOfType(args, 'fqdn-rev', isBoolean, false) ?? false;
    const hostname = fieldOfType(args, 'hostname', isString, false) ?? '';
    if (hostname === '' && (fqdnFwd || fqdnRev)) {
      throw new ArgumentError('No hostname specified and either forward or reverse fqdn was set to true.');
    }
    const state = uint(args, 'state', 255) ?? 0;
    if (state > 2) {
      throw new ArgumentError(`Invalid state value: ${state}, supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)`);
    }
    let userContext = args['user-context'];
    if (userContext !== undefined && !isJsonMap(userContext)) {
      throw new ArgumentError(`Invalid user context '${JSON.stringify(userContext)}' is not a JSON map.`);
    }
    const comment = args.comment;
    if (comment !== undefined) {
      if (userContext !== undefined && 'comment' in userContext) {
        throw new ArgumentError(`Duplicated comment entry '${JSON.stringify(comment)}' in user context '${JSON.stringify(userContext)}'`);
      }
      userContext = { ...(userContext ?? {}), comment };
    }
    const forceCreate = fieldOfType(args, 'force-create', isBoolean, false) ?? false;
    const lease: Lease4 = {
      address,
      hwAddress,
      ...(clientId !== undefined ? { clientId } : {}),
      validLifetime,
      cltt,
      subnetId: subnet.id,
      fqdnFwd,
      fqdnRev,
      hostname,
      state: state as LeaseState,
      ...(userContext !== undefined ? { userContext: userContext as Record<string, unknown> } : {}),
    };
    return { kind: 'lease', lease, forceCreate };
  } catch (error) {
    if (error instanceof ArgumentError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
};
