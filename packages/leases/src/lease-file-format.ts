import { escapeField, unescapeField } from './csv-escape.js';
import { parseIpv4 } from './ipv4.js';
import { parseKeaJson, renderKeaJson } from './kea-json.js';
import { LEASE_STATE_DECLINED, type Lease4, type LeaseState } from './lease.js';

/**
 * The rows of Kea 2.2's `kea-leases4.csv` (CSVLeaseFile4): one lease per line, no quoting,
 * `expire` (= cltt + valid lifetime, Unix seconds) instead of cltt, fqdn flags as 0/1, hostname and
 * user context escaped. A row with valid lifetime 0 marks the lease at its address deleted.
 */

/** Kea 2.2's columns, in file order. Kea ≥ 2.5 appends `pool_id`; 1.x files stop at hostname or state. */
export const LEASE4_COLUMNS = [
  'address', 'hwaddr', 'client_id', 'valid_lifetime', 'expire', 'subnet_id',
  'fqdn_fwd', 'fqdn_rev', 'hostname', 'state', 'user_context',
] as const;

export const LEASE4_HEADER = `${LEASE4_COLUMNS.join(',')}\n`;

/** Kea refuses a file whose header does not reach `hostname` (setMinimumValidColumns). */
const MINIMUM_COLUMNS = LEASE4_COLUMNS.indexOf('hostname') + 1;

/**
 * One lease as a CSV line (with its newline). A deletion is the stored lease written with valid
 * lifetime 0, exactly as Memfile_LeaseMgr::deleteLease writes it.
 */
export const renderLeaseRow = (lease: Lease4, deleted = false): string => {
  const validLifetime = deleted ? 0 : lease.validLifetime;
  const context = lease.userContext === undefined ? '' : escapeField(renderKeaJson(lease.userContext));
  return `${lease.address},${lease.hwAddress},${lease.clientId ?? ''},${validLifetime},${lease.cltt + validLifetime},` +
    `${lease.subnetId},${lease.fqdnFwd ? 1 : 0},${lease.fqdnRev ? 1 : 0},${escapeField(lease.hostname)},` +
    `${lease.state},${context}\n`;
};

/** How the columns of a file's header line up with Kea 2.2's. */
export interface LeaseFileSchema {
  /** Number of columns the header names. */
  readonly headerColumns: number;
  /** Whether the header is exactly Kea 2.2's (no conversion needed). */
  readonly current: boolean;
}

/**
 * Checks a header the way VersionedCSVFile::validateHeader does: its leading columns must be Kea's,
 * in order, at least up to `hostname`; columns beyond Kea 2.2's (`pool_id` of later Kea) are accepted
 * and their values ignored. Returns the reason when the header is not a lease file's.
 */
export const interpretHeader = (fields: readonly string[]): LeaseFileSchema | string => {
  const compared = Math.min(fields.length, LEASE4_COLUMNS.length);
  for (let i = 0; i < compared; i++) {
    if (fields[i] !== LEASE4_COLUMNS[i]) {
      return `column ${i + 1} is ${JSON.stringify(fields[i])} where a Kea DHCPv4 lease file has ${JSON.stringify(LEASE4_COLUMNS[i])}`;
    }
  }
  if (compared < MINIMUM_COLUMNS) {
    return `the header names ${compared} column(s); a Kea DHCPv4 lease file has at least ${MINIMUM_COLUMNS} (up to "hostname")`;
  }
  return { headerColumns: fields.length, current: fields.length === LEASE4_COLUMNS.length };
};

export type ParsedRow =
  | { readonly ok: true; readonly lease: Lease4 }
  | { readonly ok: false; readonly reason: string };

const UINT32_MAX = 0xffff_ffff;
const DIGITS = /^[0-9]+$/;

const parseUnsigned = (text: string, column: string, max: number): number | string => {
  if (!DIGITS.test(text)) return `${column} ${JSON.stringify(text)} is not an unsigned integer`;
  const value = Number(text);
  if (value > max) return `${column} ${text} is larger than ${max}`;
  return value;
};

const parseFlag = (text: string, column: string): boolean | string => {
  if (text === '1') return true;
  if (text === '0') return false;
  return `${column} ${JSON.stringify(text)} is neither 0 nor 1`;
};

const isHexDigit = (char: string): boolean => /^[0-9a-fA-F]$/.test(char);

/** Octets of separated hex (util::str::decodeSeparatedHexString): one or two digits per octet. */
const decodeSeparatedHex = (text: string, separator: string): number[] | undefined => {
  const parts = text.split(separator);
  const octets: number[] = [];
  for (const part of parts) {
    if (part === '') {
      if (parts.length > 1) return undefined;
      continue;
    }
    if (part.length > 2 || ![...part].every(isHexDigit)) return undefined;
    octets.push(parseInt(part, 16));
  }
  return octets;
};

/** Octets of a client-id in any text Kea accepts (decodeFormattedHexString): colon, space or plain hex. */
const decodeFormattedHex = (text: string): number[] | undefined => {
  if (text.includes(':')) return decodeSeparatedHex(text, ':');
  if (text.includes(' ')) return decodeSeparatedHex(text, ' ');
  let digits = text.length > 2 && text.startsWith('0x') ? text.slice(2) : text;
  if (digits.length % 2 !== 0) digits = `0${digits}`;
  if (![...digits].every(isHexDigit)) return undefined;
  const octets: number[] = [];
  for (let i = 0; i < digits.length; i += 2) octets.push(parseInt(digits.slice(i, i + 2), 16));
  return octets;
};

const colonHex = (octets: readonly number[]): string =>
  octets.map((octet) => octet.toString(16).padStart(2, '0')).join(':');

/**
 * One data row of a file with the given schema, as CSVLeaseFile4::next reads it. A row Kea would
 * skip is reported with the reason rather than thrown.
 */
export const parseLeaseRow = (fields: readonly string[], schema: LeaseFileSchema): ParsedRow => {
  const fail = (reason: string): ParsedRow => ({ ok: false, reason });
  const kea22 = LEASE4_COLUMNS.length;
  // VersionedCSVFile::next: an older file's rows may stop early (missing columns take defaults); a
  // newer file's rows carry extra columns that are dropped.
  const low = Math.min(schema.headerColumns, kea22);
  const high = Math.max(schema.headerColumns, kea22);
  if (fields.length < low || fields.length > high) {
    return fail(`the row has ${fields.length} column(s) where the header has ${schema.headerColumns}`);
  }
  const [addressText, hwText, clientIdText, validText, expireText, subnetText, fwdText, revText, hostnameText] =
    fields as readonly string[];
  const stateText = fields[9] ?? '0';
  const contextText = fields[10] ?? '';

  if (parseIpv4(addressText!) === undefined) return fail(`address ${JSON.stringify(addressText)} is not an IPv4 address`);

  const hwOctets = decodeSeparatedHex(hwText!, ':');
  if (hwOctets === undefined) return fail(`hwaddr ${JSON.stringify(hwText)} is not colon-separated hex`);
  if (hwOctets.length > 20) return fail(`hwaddr ${JSON.stringify(hwText)} is longer than 20 octets`);

  let clientId: string | undefined;
  if (clientIdText !== '') {
    const octets = decodeFormattedHex(clientIdText!);
    if (octets === undefined) return fail(`client_id ${JSON.stringify(clientIdText)} is not hex`);
    if (octets.length < 2 || octets.length > 128) {
      return fail(`client_id ${JSON.stringify(clientIdText)} has ${octets.length} octet(s); Kea needs 2 to 128`);
    }
    clientId = colonHex(octets);
  }

  const validLifetime = parseUnsigned(validText!, 'valid_lifetime', UINT32_MAX);
  if (typeof validLifetime === 'string') return fail(validLifetime);
  const expire = parseUnsigned(expireText!, 'expire', Number.MAX_SAFE_INTEGER);
  if (typeof expire === 'string') return fail(expire);
  if (expire < validLifetime) return fail(`expire ${expire} is earlier than valid_lifetime ${validLifetime} after the epoch`);
  const subnetId = parseUnsigned(subnetText!, 'subnet_id', UINT32_MAX);
  if (typeof subnetId === 'string') return fail(subnetId);
  const fqdnFwd = parseFlag(fwdText!, 'fqdn_fwd');
  if (typeof fqdnFwd === 'string') return fail(fqdnFwd);
  const fqdnRev = parseFlag(revText!, 'fqdn_rev');
  if (typeof fqdnRev === 'string') return fail(fqdnRev);
  const state = parseUnsigned(stateText, 'state', UINT32_MAX);
  if (typeof state === 'string') return fail(state);
  if (state > 2) {
    return fail(`state ${state} is not 0 (default), 1 (declined) or 2 (expired-reclaimed), the states of Kea 2.2`);
  }
  const hwAddress = colonHex(hwOctets);
  if (hwAddress === '' && clientId === undefined && state !== LEASE_STATE_DECLINED) {
    return fail('the lease has neither hwaddr nor client_id and is not declined');
  }

  let userContext: Record<string, unknown> | undefined;
  const contextJson = unescapeField(contextText);
  if (contextJson !== '') {
    let parsed: unknown;
    try {
      parsed = parseKeaJson(contextJson);
    } catch (error) {
      return fail(`user_context is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return fail('user_context is not a JSON map');
    }
    userContext = parsed as Record<string, unknown>;
  }

  const lease: Lease4 = {
    address: addressText!,
    hwAddress,
    ...(clientId === undefined ? {} : { clientId }),
    validLifetime,
    cltt: expire - validLifetime,
    subnetId,
    fqdnFwd,
    fqdnRev,
    hostname: unescapeField(hostnameText!),
    state: state as LeaseState,
    ...(userContext === undefined ? {} : { userContext }),
  };
  return { ok: true, lease };
};
