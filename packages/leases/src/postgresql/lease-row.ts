import { formatIpv4, parseIpv4 } from '../ipv4.js';
import { parseKeaJson, renderKeaJson } from '../kea-json.js';
import { describeLeaseProblem, isColonHex } from '../lease-validation.js';
import type { Lease4, LeaseState } from '../lease.js';

/**
 * A lease as a row of Kea's `lease4` table, in the representation Kea 2.2's PostgreSQL backend
 * (PgSqlLease4Exchange) writes and reads, so Kea and Tandem can share one database:
 *
 * - `address` is the uint32 value of the IPv4 address;
 * - a missing hw-address or client-id is an empty bytea (Kea binds ""), and NULL reads as missing;
 * - `expire` is cltt + valid lifetime, except for an infinite lifetime (0xffffffff), where Kea stores
 *   cltt itself to stay below its time limit and recovers cltt = expire on reading;
 * - no user context is an empty text, a context is Kea's `Element::str()` text.
 */

export const INFINITE_LIFETIME = 0xffff_ffff;

/**
 * Kea's DatabaseConnection::MAX_DB_TIME: Kea refuses to write an expiry after 2038-01-19T03:14:07Z to
 * its SQL backends, so a lease past it could not be written by a partner either.
 */
export const MAX_DB_TIME_S = 2_147_483_647;

/** Kea's schema: `hostname VARCHAR(255)`. */
export const HOSTNAME_MAX_CHARACTERS = 255;

/** The columns every query selects, in this order; the expiry travels as Unix seconds. */
export const LEASE4_SELECT_LIST =
  'address, hwaddr, client_id, valid_lifetime, extract(epoch FROM expire)::bigint AS expire, subnet_id, ' +
  'fqdn_fwd, fqdn_rev, hostname, state, user_context';

/** What `pg` hands back for one row of LEASE4_SELECT_LIST: int8 arrives as text, bytea as a Buffer. */
export interface Lease4Row {
  readonly address: string | number | null;
  readonly hwaddr: Buffer | null;
  readonly client_id: Buffer | null;
  readonly valid_lifetime: string | number | null;
  readonly expire: string | number | null;
  readonly subnet_id: string | number | null;
  readonly fqdn_fwd: boolean | null;
  readonly fqdn_rev: boolean | null;
  readonly hostname: string | null;
  readonly state: string | number | null;
  readonly user_context: string | null;
}

/** Parameters $1..$11 of the insert and update statements, in column order. */
export type Lease4Parameters = [
  address: number,
  hwaddr: Buffer,
  clientId: Buffer,
  validLifetime: number,
  expireS: number,
  subnetId: number,
  fqdnFwd: boolean,
  fqdnRev: boolean,
  hostname: string,
  state: number,
  userContext: string,
];

/** Lowercase colon hex (already validated) to bytes; '' is zero bytes. */
export const colonHexBytes = (text: string): Buffer => Buffer.from(text.replaceAll(':', ''), 'hex');

const bytesColonHex = (bytes: Buffer): string => {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) text += ':';
    text += bytes[i]!.toString(16).padStart(2, '0');
  }
  return text;
};

/** The client-id key for a lookup, or undefined when no stored lease can have it (it is not Kea's text). */
export const clientIdLookupKey = (clientId: string): Buffer | undefined =>
  typeof clientId === 'string' && isColonHex(clientId, 2, 128) ? colonHexBytes(clientId) : undefined;

/** The hw-address key for a lookup, or undefined when no stored lease can have it. */
export const hwAddressLookupKey = (hwAddress: string): Buffer | undefined =>
  typeof hwAddress === 'string' && hwAddress !== '' && isColonHex(hwAddress, 1, 20) ? colonHexBytes(hwAddress) : undefined;

/** Kea's stored expiry for a lease (see the module comment for the infinite lifetime). */
export const storedExpireS = (lease: Lease4): number =>
  lease.validLifetime === INFINITE_LIFETIME ? lease.cltt : lease.cltt + lease.validLifetime;

/**
 * What the lease4 table (and Kea reading it) cannot hold beyond what every store refuses, as a
 * sentence naming the lease and the field, or undefined.
 */
export const describeRowProblem = (lease: Lease4): string | undefined => {
  const problem = describeLeaseProblem(lease);
  if (problem !== undefined) return problem;
  const where = `lease ${JSON.stringify(lease.address)}`;
  const expireS = storedExpireS(lease);
  if (expireS > MAX_DB_TIME_S) {
    return `${where}: expiry ${expireS} (cltt ${lease.cltt} + valid lifetime ${lease.validLifetime}) is after ${MAX_DB_TIME_S} (2038-01-19), the latest Kea's PostgreSQL backend writes`;
  }
  // PostgreSQL counts VARCHAR length in characters (code points), not UTF-16 units.
  const hostnameCharacters = [...lease.hostname].length;
  if (hostnameCharacters > HOSTNAME_MAX_CHARACTERS) {
    return `${where}: hostname of ${hostnameCharacters} characters is longer than the ${HOSTNAME_MAX_CHARACTERS} the lease4 table holds`;
  }
  if (lease.hostname.includes('\u0000')) {
    return `${where}: hostname holds a NUL character, which PostgreSQL text cannot store`;
  }
  return undefined;
};

export const leaseParameters = (lease: Lease4): Lease4Parameters => [
  parseIpv4(lease.address)!,
  colonHexBytes(lease.hwAddress),
  lease.clientId === undefined ? Buffer.alloc(0) : colonHexBytes(lease.clientId),
  lease.validLifetime,
  storedExpireS(lease),
  lease.subnetId,
  lease.fqdnFwd,
  lease.fqdnRev,
  lease.hostname,
  lease.state,
  lease.userContext === undefined ? '' : renderKeaJson(lease.userContext),
];

/** Thrown for a stored row Kea itself could not turn into a lease; names the row. */
export class Lease4RowError extends Error {
  override readonly name = 'Lease4RowError';
}

const integerColumn = (row: Lease4Row, column: keyof Lease4Row, where: () => string): number => {
  const raw = row[column];
  if (raw === null || raw === undefined) throw new Lease4RowError(`${where()}: column ${column} is NULL`);
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(value)) throw new Lease4RowError(`${where()}: column ${column} holds ${String(raw)}, not an integer`);
  return value;
};

const booleanColumn = (row: Lease4Row, column: 'fqdn_fwd' | 'fqdn_rev', where: () => string): boolean => {
  const value = row[column];
  if (value === null || value === undefined) throw new Lease4RowError(`${where()}: column ${column} is NULL`);
  return value;
};

/** A stored row as a `Lease4`; refuses (Lease4RowError) a row Kea 2.2 would refuse to read. */
export const rowLease = (row: Lease4Row): Lease4 => {
  const addressValue = integerColumn(row, 'address', () => 'lease4 row');
  if (addressValue < 0 || addressValue > 0xffff_ffff) {
    throw new Lease4RowError(`lease4 row: address ${addressValue} is not an IPv4 address value`);
  }
  const address = formatIpv4(addressValue);
  const where = (): string => `lease4 row for ${address}`;
  const validLifetime = integerColumn(row, 'valid_lifetime', where);
  const expireS = integerColumn(row, 'expire', where);
  let userContext: Record<string, unknown> | undefined;
  if (row.user_context !== null && row.user_context !== '') {
    let parsed: unknown;
    try {
      parsed = parseKeaJson(row.user_context);
    } catch (error) {
      throw new Lease4RowError(`${where()}: user_context is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Lease4RowError(`${where()}: user_context is not a JSON map`);
    }
    userContext = parsed as Record<string, unknown>;
  }
  const clientId = row.client_id === null || row.client_id.length === 0 ? undefined : bytesColonHex(row.client_id);
  const lease: Lease4 = {
    address,
    hwAddress: row.hwaddr === null ? '' : bytesColonHex(row.hwaddr),
    ...(clientId === undefined ? {} : { clientId }),
    validLifetime,
    cltt: validLifetime === INFINITE_LIFETIME ? expireS : expireS - validLifetime,
    subnetId: integerColumn(row, 'subnet_id', where),
    fqdnFwd: booleanColumn(row, 'fqdn_fwd', where),
    fqdnRev: booleanColumn(row, 'fqdn_rev', where),
    hostname: row.hostname ?? '',
    state: integerColumn(row, 'state', where) as LeaseState,
    ...(userContext === undefined ? {} : { userContext }),
  };
  const problem = describeLeaseProblem(lease);
  if (problem !== undefined) throw new Lease4RowError(`${where()} cannot be read: ${problem}`);
  return lease;
};
