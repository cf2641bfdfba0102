/**
 * DHCPv4 leases on the wire (spec §8.13, §8.14, §9, §10.4): the lease map Kea's lease
 * commands exchange, the `lease4-update` / `lease4-del` requests HA sends for every change,
 * the `lease4-get-page` requests and answers of a synchronisation, and the receiver-side
 * checks the lease_cmds hook applies.
 *
 * Two map forms exist. The *stored* form (`lease4-get-page`, `lease4-get-all` answers) carries
 * `cltt` and is read strictly: every field present. The *command* form (`lease4-update`,
 * `lease4-del`, `lease4-add`) carries `expire` = cltt + valid-lft instead and is read the
 * lease_cmds way, with optional fields defaulted.
 */

import { match } from 'ts-pattern';
import type { KeaCompat } from '../config/types.js';
import { type ControlAnswer, ControlResult, type ControlRequest, answer, parsePeerAnswer, request } from './envelope.js';
import { isIpv4Text, parseClientIdText, parseHwAddressText } from './identifiers.js';
import {
  type JsonMap,
  type Parsed,
  getKey,
  hasKey,
  isJsonInteger,
  isJsonMap,
  parsedError,
  parsedOk,
} from './json-value.js';
import { serializeKea } from './kea-json.js';

/** 0 default, 1 declined, 2 expired-reclaimed; 3 released exists only in HEAD ≥2.7.0 (soft release). */
export type Lease4State = 0 | 1 | 2 | 3;
export const LEASE4_STATE = { DEFAULT: 0, DECLINED: 1, EXPIRED_RECLAIMED: 2, RELEASED: 3 } as const;

/** Core's neutral lease: what a lease store holds, independent of any wire form. */
export interface Lease4Record {
  /** Dotted-quad IPv4 address. */
  readonly address: string;
  /** Lowercase colon hex; empty for a declined lease. */
  readonly hwAddress: string;
  /** Lowercase colon hex of option 61's payload, type octet included; absent when the client sent none. */
  readonly clientId?: string;
  readonly validLifetimeS: number;
  /** Client last transaction time, Unix seconds. */
  readonly clttS: number;
  readonly subnetId: number;
  readonly fqdnFwd: boolean;
  readonly fqdnRev: boolean;
  readonly hostname: string;
  readonly state: Lease4State;
  readonly userContext?: JsonMap;
  /** HEAD ≥2.3.8 pool identifier; absent or 0 means none. */
  readonly poolId?: number;
}

interface Lease4WireFields {
  readonly 'ip-address': string;
  readonly 'hw-address': string;
  readonly 'client-id'?: string;
  readonly 'valid-lft': number;
  readonly 'subnet-id': number;
  readonly 'fqdn-fwd': boolean;
  readonly 'fqdn-rev': boolean;
  readonly hostname: string;
  readonly state: number;
  readonly 'user-context'?: JsonMap;
  readonly 'pool-id'?: number;
}

/** Stored form, as a lease page or `lease4-get-all` lists it. */
export interface Lease4Element extends Lease4WireFields {
  readonly cltt: number;
}

/** Command form, as `lease4-update` / `lease4-del` carry it. */
export interface Lease4CommandArgs extends Lease4WireFields {
  readonly expire: number;
  readonly 'force-create'?: boolean;
  readonly origin?: string;
}

export type Lease4Wire = Lease4Element | Lease4CommandArgs;

export const LEASE4_ADDED_TEXT = 'IPv4 lease added.';
export const LEASE4_UPDATED_TEXT = 'IPv4 lease updated.';
export const LEASE4_DELETED_TEXT = 'IPv4 lease deleted.';
/** Answered with result 3 (empty), which HA counts as success. */
export const LEASE4_NOT_FOUND_TEXT = 'IPv4 lease not found.';
export const lease4AddedText = (address: string, subnetId: number): string =>
  `Lease for address ${address}, subnet-id ${subnetId} added.`;
export const lease4FoundText = (count: number): string => `${count} IPv4 lease(s) found.`;

const UINT32_MAX = 0xffff_ffff;

/** The stored form of a lease, as Kea's `Lease4::toElement` writes it; `pool-id` only in HEAD. */
export function lease4ToElement(lease: Lease4Record, compat: KeaCompat): Lease4Element {
  return {
    'ip-address': lease.address,
    'subnet-id': lease.subnetId,
    ...(compat === 'head' && lease.poolId !== undefined && lease.poolId !== 0 ? { 'pool-id': lease.poolId } : {}),
    'hw-address': lease.hwAddress,
    ...(lease.clientId === undefined ? {} : { 'client-id': lease.clientId }),
    cltt: lease.clttS,
    'valid-lft': lease.validLifetimeS,
    'fqdn-fwd': lease.fqdnFwd,
    'fqdn-rev': lease.fqdnRev,
    hostname: lease.hostname,
    state: lease.state,
    ...(lease.userContext === undefined ? {} : { 'user-context': lease.userContext }),
  };
}

/** The command form: `cltt` replaced by `expire`; HEAD adds `origin` so the receiver can log who sent it. */
function lease4ToCommandArgs(lease: Lease4Record, compat: KeaCompat): Parsed<Lease4CommandArgs> {
  if (compat === '2.2' && lease.state > LEASE4_STATE.EXPIRED_RECLAIMED) {
    return parsedError(
      `lease ${lease.address} is in state ${lease.state} (released), which a Kea 2.2 peer rejects; ` +
        'released leases are not sent in 2.2 compatibility',
    );
  }
  const { cltt, ...fields } = lease4ToElement(lease, compat);
  return parsedOk({
    ...fields,
    expire: cltt + lease.validLifetimeS,
    ...(compat === 'head' ? { origin: 'ha-partner' } : {}),
  });
}

/** `lease4-update` as HA sends it for an allocated, renewed or declined lease (LU-17). */
export function buildLease4Update(lease: Lease4Record, opts: { readonly compat: KeaCompat }): Parsed<ControlRequest> {
  const args = lease4ToCommandArgs(lease, opts.compat);
  if (!args.ok) return args;
  return parsedOk(request('lease4-update', 'dhcp4', { ...args.value, 'force-create': true }));
}

/** `lease4-del` as HA sends it for a released or replaced lease: the update map without `force-create`. */
export function buildLease4Del(lease: Lease4Record, opts: { readonly compat: KeaCompat }): Parsed<ControlRequest> {
  const args = lease4ToCommandArgs(lease, opts.compat);
  if (!args.ok) return args;
  return parsedOk(request('lease4-del', 'dhcp4', { ...args.value }));
}

/**
 * One page request of a synchronisation: `from` is `start` or the last address of the
 * previous page (exclusive). A zero limit would ask for nothing and is refused (CMD-16).
 */
export function buildLease4GetPage(from: 'start' | string, limit: number): Parsed<ControlRequest> {
  if (limit === 0) return parsedError('limit value for lease4-get-page command must not be 0');
  if (!Number.isInteger(limit) || limit < 0 || limit > UINT32_MAX) {
    return parsedError(`limit value for lease4-get-page command must be an integer from 1 to ${UINT32_MAX}, not ${limit}`);
  }
  if (from !== 'start' && !isIpv4Text(from)) {
    return parsedError(`'from' value for lease4-get-page command must be 'start' or an IPv4 address, not '${from}'`);
  }
  return parsedOk(request('lease4-get-page', 'dhcp4', { from, limit }));
}

export const buildLease4GetAll = (): ControlRequest => request('lease4-get-all', 'dhcp4');

/** Answer to `lease4-get-page`: result 3 with an empty list when nothing is left. */
export function buildLease4PageAnswer(leases: readonly Lease4Record[], compat: KeaCompat = '2.2'): ControlAnswer {
  return answer(leases.length > 0 ? ControlResult.SUCCESS : ControlResult.EMPTY, lease4FoundText(leases.length), {
    count: leases.length,
    leases: leases.map((lease) => lease4ToElement(lease, compat)),
  });
}

/** Answer to `lease4-get-all`: like a page but without `count`. */
export function buildLease4GetAllAnswer(leases: readonly Lease4Record[], compat: KeaCompat = '2.2'): ControlAnswer {
  return answer(leases.length > 0 ? ControlResult.SUCCESS : ControlResult.EMPTY, lease4FoundText(leases.length), {
    leases: leases.map((lease) => lease4ToElement(lease, compat)),
  });
}

const maxLeaseState = (compat: KeaCompat): Lease4State =>
  match(compat)
    .with('2.2', () => LEASE4_STATE.EXPIRED_RECLAIMED)
    .with('head', () => LEASE4_STATE.RELEASED)
    .exhaustive();

const invalidStateText = (state: number, compat: KeaCompat): string =>
  match(compat)
    .with(
      '2.2',
      () => `Invalid state value: ${state}, supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)`,
    )
    .with(
      'head',
      () =>
        `Invalid state value: ${state}, supported values are: 0 (default), 1 (declined), 2 (expired-reclaimed) and 3 (released)`,
    )
    .exhaustive();

/** A lease received in a lease command, and whether a missing lease may be created. */
export interface ReceivedLease4 {
  readonly lease: Lease4Record;
  readonly forceCreate: boolean;
  /** HEAD senders name themselves (`ha-partner`); only used for logging. */
  readonly origin?: string;
}

export interface ParseLease4WireOptions {
  readonly compat: KeaCompat;
  /** The receiver's clock, used as cltt when the map has neither `expire` nor `cltt` (admin `lease4-add`). */
  readonly nowS?: number;
}

/**
 * Reads the command form of a lease (`lease4-update`, `lease4-add`) with the checks and
 * texts of Kea's lease_cmds. Core knows no subnets, so unlike Kea it needs `subnet-id` and
 * `valid-lft` given instead of derived from the subnet; whether the subnet exists and holds
 * the address is for the lease store to check. `cltt` is accepted in place of `expire`.
 */
export function parseLease4Wire(obj: unknown, opts: ParseLease4WireOptions): Parsed<ReceivedLease4> {
  if (obj === undefined || obj === null) return parsedError('lease information missing');
  if (!isJsonMap(obj)) return parsedError('lease information is not a map');

  const addressText = requiredString(obj, 'ip-address');
  if (!addressText.ok) return addressText;
  const address = addressText.value;
  if (!isIpv4Text(address)) {
    return parsedError(
      address.includes(':') ? `Non-IPv4 address specified: ${address}` : `Failed to convert '${address}' to address`,
    );
  }

  const hwText = requiredString(obj, 'hw-address');
  if (!hwText.ok) return hwText;
  const hwAddress = parseHwAddressText(hwText.value);
  if (!hwAddress.ok) return hwAddress;

  const subnetId = requiredUint32(obj, 'subnet-id');
  if (!subnetId.ok) return subnetId;
  if (subnetId.value === 0) {
    return parsedError(`subnet-id must be given and not 0 for address ${address}: Tandem does not select a subnet by address`);
  }

  let poolId: number | undefined;
  if (opts.compat === 'head' && hasKey(obj, 'pool-id')) {
    const parsedPool = requiredUint32(obj, 'pool-id');
    if (!parsedPool.ok) return parsedPool;
    poolId = parsedPool.value;
  }

  let clientId: string | undefined;
  if (hasKey(obj, 'client-id')) {
    const clientText = requiredString(obj, 'client-id');
    if (!clientText.ok) return clientText;
    const parsedClient = parseClientIdText(clientText.value);
    if (!parsedClient.ok) return parsedClient;
    clientId = parsedClient.value;
  }

  const validLifetime = requiredUint32(obj, 'valid-lft');
  if (!validLifetime.ok) return validLifetime;
  const validLifetimeS = validLifetime.value;

  const cltt = clttOf(obj, address, validLifetimeS, opts.nowS);
  if (!cltt.ok) return cltt;

  const fqdnFwd = optionalBoolean(obj, 'fqdn-fwd');
  if (!fqdnFwd.ok) return fqdnFwd;
  const fqdnRev = optionalBoolean(obj, 'fqdn-rev');
  if (!fqdnRev.ok) return fqdnRev;
  let hostname = '';
  if (hasKey(obj, 'hostname')) {
    const parsedHostname = requiredString(obj, 'hostname');
    if (!parsedHostname.ok) return parsedHostname;
    hostname = parsedHostname.value;
  }
  if (hostname === '' && (fqdnFwd.value || fqdnRev.value)) {
    return parsedError('No hostname specified and either forward or reverse fqdn was set to true.');
  }

  let state = 0;
  if (hasKey(obj, 'state')) {
    const parsedState = requiredInteger(obj, 'state', 0, 255);
    if (!parsedState.ok) return parsedState;
    state = parsedState.value;
  }
  if (state > maxLeaseState(opts.compat)) return parsedError(invalidStateText(state, opts.compat));

  const userContext = userContextOf(obj);
  if (!userContext.ok) return userContext;

  const forceCreate = optionalBoolean(obj, 'force-create');
  if (!forceCreate.ok) return forceCreate;
  const origin = getKey(obj, 'origin');

  return parsedOk({
    lease: {
      address,
      hwAddress: hwAddress.value,
      ...(clientId === undefined ? {} : { clientId }),
      validLifetimeS,
      clttS: cltt.value,
      subnetId: subnetId.value,
      fqdnFwd: fqdnFwd.value,
      fqdnRev: fqdnRev.value,
      hostname,
      state: state as Lease4State,
      ...(userContext.value === undefined ? {} : { userContext: userContext.value }),
      ...(poolId === undefined ? {} : { poolId }),
    },
    forceCreate: forceCreate.value,
    ...(typeof origin === 'string' ? { origin } : {}),
  });
}

function clttOf(obj: JsonMap, address: string, validLifetimeS: number, nowS: number | undefined): Parsed<number> {
  if (hasKey(obj, 'expire')) {
    const expire = getKey(obj, 'expire');
    if (!isJsonInteger(expire)) return parsedError("invalid type specified for parameter 'expire'");
    if (expire <= 0) return parsedError(`expiration time must be positive for address ${address}`);
    if (expire < validLifetimeS) {
      return parsedError(`expiration time must be greater than valid lifetime for address ${address}`);
    }
    return parsedOk(expire - validLifetimeS);
  }
  if (hasKey(obj, 'cltt')) {
    const cltt = getKey(obj, 'cltt');
    if (!isJsonInteger(cltt)) return parsedError("invalid type specified for parameter 'cltt'");
    if (cltt <= 0) return parsedError(`cltt must be positive for address ${address}`);
    return parsedOk(cltt);
  }
  if (nowS !== undefined) return parsedOk(nowS);
  return parsedError(`missing parameter 'expire' for address ${address}`);
}

/** `user-context`, with a top-level `comment` folded into it the way lease_cmds does. */
function userContextOf(obj: JsonMap): Parsed<JsonMap | undefined> {
  const context = getKey(obj, 'user-context');
  if (context !== undefined && !isJsonMap(context)) {
    return parsedError(`Invalid user context '${serializeKea(context)}' is not a JSON map.`);
  }
  const comment = getKey(obj, 'comment');
  if (comment === undefined) return parsedOk(context);
  if (context !== undefined && hasKey(context, 'comment')) {
    return parsedError(
      `Duplicated comment entry '${serializeKea(comment)}' in user context '${serializeKea(context)}'`,
    );
  }
  return parsedOk({ ...(context ?? {}), comment });
}

function requiredString(obj: JsonMap, key: string): Parsed<string> {
  const value = getKey(obj, key);
  if (value === undefined) return parsedError(`missing parameter '${key}'`);
  if (typeof value !== 'string') return parsedError(`invalid type specified for parameter '${key}'`);
  return parsedOk(value);
}

function requiredInteger(obj: JsonMap, key: string, min: number, max: number): Parsed<number> {
  const value = getKey(obj, key);
  if (value === undefined) return parsedError(`missing parameter '${key}'`);
  if (!isJsonInteger(value)) return parsedError(`invalid type specified for parameter '${key}'`);
  if (value < min || value > max) {
    return parsedError(`The '${key}' value (${value}) is not within expected range: (${min} - ${max})`);
  }
  return parsedOk(value);
}

const requiredUint32 = (obj: JsonMap, key: string): Parsed<number> => requiredInteger(obj, key, 0, UINT32_MAX);

function optionalBoolean(obj: JsonMap, key: string): Parsed<boolean> {
  const value = getKey(obj, key);
  if (value === undefined) return parsedOk(false);
  if (typeof value !== 'boolean') return parsedError(`invalid type specified for parameter '${key}'`);
  return parsedOk(value);
}

/**
 * Reads the stored form of a lease (a lease page entry) with the strictness of Kea's
 * `Lease4::fromElement`: every field present and typed, `cltt` positive, hostname lowercased.
 */
export function parseLease4Element(obj: unknown, compat: KeaCompat): Parsed<Lease4Record> {
  if (!isJsonMap(obj)) return parsedError('parsed lease data is not a JSON map');

  const address = getKey(obj, 'ip-address');
  if (typeof address !== 'string') {
    return parsedError('ip-address not present in the parsed lease or it is not a string');
  }
  if (!isIpv4Text(address)) {
    return parsedError(
      address.includes(':')
        ? `address ${address} is not an IPv4 address`
        : `invalid IP address ${address} in the parsed lease`,
    );
  }

  const subnetId = getKey(obj, 'subnet-id');
  if (!isJsonInteger(subnetId)) return parsedError('subnet-id not present in the parsed lease or it is not a number');
  if (subnetId <= 0) return parsedError(`subnet-id ${subnetId} is not a positive integer`);
  if (subnetId > UINT32_MAX) return parsedError(`subnet-id ${subnetId} is not a 32 bit unsigned integer`);

  let poolId: number | undefined;
  const pool = getKey(obj, 'pool-id');
  if (compat === 'head' && pool !== undefined) {
    if (!isJsonInteger(pool)) return parsedError('pool-id is not an integer');
    if (pool <= 0) return parsedError(`pool-id ${pool} is not a positive integer`);
    if (pool > UINT32_MAX) return parsedError(`pool-id ${pool} is not a 32 bit unsigned integer`);
    poolId = pool;
  }

  const hwText = getKey(obj, 'hw-address');
  if (hwText === undefined) return parsedError('hw-address not present in the parsed lease');
  if (typeof hwText !== 'string') return parsedError('hw-address is not a string in the parsed lease');
  const hwAddress = parseHwAddressText(hwText);
  if (!hwAddress.ok) return parsedError(`invalid hardware address ${hwText} in the parsed lease`);

  const cltt = getKey(obj, 'cltt');
  if (!isJsonInteger(cltt)) return parsedError('cltt is not present in the parsed lease or it is not a number');
  if (cltt <= 0) return parsedError(`cltt ${cltt} is not a positive integer in the parsed lease`);

  const validLifetime = getKey(obj, 'valid-lft');
  if (!isJsonInteger(validLifetime)) {
    return parsedError('valid-lft is not present in the parsed lease or it is not a number');
  }
  if (validLifetime < 0) return parsedError(`valid-lft ${validLifetime} is negative in the parsed lease`);
  if (validLifetime > UINT32_MAX) {
    return parsedError(`valid-lft ${validLifetime} is not a 32 bit unsigned integer in the parsed lease`);
  }

  const fqdnFwd = getKey(obj, 'fqdn-fwd');
  if (typeof fqdnFwd !== 'boolean') {
    return parsedError('fqdn-fwd is not present in the parsed lease or it is not a boolean value');
  }
  const fqdnRev = getKey(obj, 'fqdn-rev');
  if (typeof fqdnRev !== 'boolean') {
    return parsedError('fqdn-rev is not present in the parsed lease or it is not a boolean value');
  }
  const hostname = getKey(obj, 'hostname');
  if (typeof hostname !== 'string') {
    return parsedError('hostname is not present in the parsed lease or it is not a string value');
  }

  const state = getKey(obj, 'state');
  if (!isJsonInteger(state)) return parsedError('state is not present in the parsed lease or it is not a number');
  const maxState = maxLeaseState(compat);
  if (state < 0 || state > maxState) return parsedError(`state ${state} must be in range [0..${maxState}]`);

  const userContext = getKey(obj, 'user-context');
  if (userContext !== undefined && !isJsonMap(userContext)) return parsedError('user context is not a map');

  let clientId: string | undefined;
  const clientText = getKey(obj, 'client-id');
  if (clientText !== undefined) {
    if (typeof clientText !== 'string') return parsedError('client identifier is not a string in the parsed lease');
    const parsedClient = parseClientIdText(clientText);
    if (!parsedClient.ok) return parsedError(`invalid client identifier ${clientText} in the parsed lease`);
    clientId = parsedClient.value;
  }

  return parsedOk({
    address,
    hwAddress: hwAddress.value,
    ...(clientId === undefined ? {} : { clientId }),
    validLifetimeS: validLifetime,
    clttS: cltt,
    subnetId,
    fqdnFwd,
    fqdnRev,
    hostname: hostname.toLowerCase(),
    state: state as Lease4State,
    ...(userContext === undefined ? {} : { userContext }),
    ...(poolId === undefined ? {} : { poolId }),
  });
}

export interface Lease4GetPageArgs {
  /** `start`, or the address after which the page begins. */
  readonly from: 'start' | string;
  readonly limit: number;
}

/** Receiver-side check of `lease4-get-page` arguments, with lease_cmds' texts. */
export function parseLease4GetPageArgs(args: unknown): Parsed<Lease4GetPageArgs> {
  if (args === undefined) return parsedError('no parameters specified for the lease4-get-page command');
  if (!isJsonMap(args)) return parsedError('arguments in the lease4-get-page command are not a map');
  const from = getKey(args, 'from');
  if (from === undefined) return parsedError("'from' parameter not specified");
  if (typeof from !== 'string') return parsedError("'from' parameter must be a string");
  if (from !== 'start' && !isIpv4Text(from)) {
    return parsedError(
      from.includes(':')
        ? `'from' parameter value ${from} is not an IPv4 address`
        : "'from' parameter value is neither 'start' keyword nor a valid IPv4 address",
    );
  }
  const limit = getKey(args, 'limit');
  if (limit === undefined) return parsedError("'limit' parameter not specified");
  if (!isJsonInteger(limit)) return parsedError("'limit' parameter must be a number");
  if (limit === 0) return parsedError('page size of retrieved leases must not be 0');
  if (limit < 0 || limit > UINT32_MAX) {
    return parsedError(`page size of retrieved leases must not be greater than ${UINT32_MAX}`);
  }
  return parsedOk({ from, limit });
}

/** Receiver-side check of `lease4-del` arguments; Tandem deletes by address only. */
export function parseLease4DelArgs(args: unknown): Parsed<{ readonly address: string }> {
  if (!isJsonMap(args)) return parsedError('Parameters missing or are not a map.');
  const address = getKey(args, 'ip-address');
  if (address === undefined) {
    return parsedError("Mandatory 'ip-address' parameter missing: deleting a lease by identifier is not supported");
  }
  if (typeof address !== 'string') return parsedError("'ip-address' is not a string.");
  if (!isIpv4Text(address)) return parsedError(`Invalid IPv4 address specified: ${address}`);
  return parsedOk({ address });
}

/** One lease of a received page: unparsable leases are skipped by the sync, not fatal to it (§9 step 4). */
export type Lease4PageEntry = Parsed<Lease4Record>;

export interface Lease4Page {
  readonly result: 0 | 3;
  /** Every entry of the page in the order received; the page size for the "last page" rule is `entries.length`. */
  readonly entries: readonly Lease4PageEntry[];
}

/**
 * The syncing side's check of a `lease4-get-page` answer (§9 step 3, SY-03): the peer answer
 * check, then `arguments` a map with a `leases` list. `count` is not consulted, as Kea does not.
 */
export function parseLease4GetPageAnswer(body: unknown, compat: KeaCompat = '2.2'): Parsed<Lease4Page> {
  const peer = parsePeerAnswer(body, compat);
  if (peer.kind !== 'ok') return parsedError(peer.text);
  if (!isJsonMap(peer.arguments)) return parsedError('arguments in the received response must be a map');
  const leases = getKey(peer.arguments, 'leases');
  if (!Array.isArray(leases)) {
    return parsedError('server response does not contain leases argument or this argument is not a list');
  }
  return parsedOk({ result: peer.result, entries: leases.map((lease) => parseLease4Element(lease, compat)) });
}
