/**
 * `parseDhcp4ServerConfig`: the allocation-relevant part of a Kea `Dhcp4` map. Keys the daemon
 * reads itself are skipped; any other key Tandem does not implement is refused with its JSON
 * path, so a configuration never means something different here than it would in Kea.
 */
import { toColonHex, parseHexBytes } from '../hex.js';
import {
  formatIpv4,
  parseIpv4,
  parseIpv4Prefix,
  prefixContains,
  prefixLast,
  type Ipv4Prefix,
} from '../ipv4-address.js';
import { isBuiltInClass, parseClassExpression, referencedClasses } from './class-expression.js';
import {
  checkKeys,
  childPath,
  ConfigProblem,
  deepFreeze,
  fail,
  has,
  member,
  readBoolean,
  readList,
  readNumber,
  readString,
  readStringList,
  readUnsigned,
  requireMap,
  UINT32_MAX,
  type JsonMap,
} from './json.js';
import { parseOptionDataList } from './option-data.js';
import type {
  ClientClass4,
  Dhcp4ServerConfig,
  ExpiredLeasesProcessing,
  HostIdentifierType,
  Lifetimes,
  Pool4,
  Reservation4,
  Subnet4,
} from './types.js';

export interface Dhcp4ConfigParseOptions {
  /** Top-level keys the daemon parses (interfaces-config, lease-database, hooks-libraries, ...). */
  readonly daemonKeys: ReadonlySet<string>;
  /** JSON path of the map, for messages; `$.Dhcp4` by default. */
  readonly path?: string;
}

export interface Dhcp4ConfigError {
  /** Where the problem is, e.g. `$.Dhcp4.subnet4[0].pools[1].foo`. */
  readonly path: string;
  /** The path followed by what is wrong, e.g. `$.Dhcp4.subnet4[0].pools[1].foo: unsupported key 'foo'`. */
  readonly message: string;
}

export type Dhcp4ConfigResult =
  | { readonly ok: true; readonly value: Dhcp4ServerConfig }
  | { readonly ok: false; readonly error: Dhcp4ConfigError };

// Kea's defaults (Kea 2.2 ARM, DHCPv4 chapter).
const DEFAULT_VALID_LIFETIME_S = 7200;
const DEFAULT_T1_PERCENT = 0.5;
const DEFAULT_T2_PERCENT = 0.875;
const DEFAULT_DECLINE_PROBATION_PERIOD_S = 86400;
// Kea's CfgExpiration limits: timers are kept in milliseconds internally.
const TIMER_LIMIT_S = Math.floor(UINT32_MAX / 1000);
const MAX_RECLAIM_TIME_LIMIT_MS = 10000;

const LIFETIME_KEYS = [
  'valid-lifetime',
  'min-valid-lifetime',
  'max-valid-lifetime',
  'renew-timer',
  'rebind-timer',
  'calculate-tee-times',
  't1-percent',
  't2-percent',
] as const;
const RESERVATION_FLAG_KEYS = [
  'reservation-mode',
  'reservations-global',
  'reservations-in-subnet',
  'reservations-out-of-pool',
] as const;
const BOOT_KEYS = ['next-server', 'server-hostname', 'boot-file-name'] as const;
const INHERITED_KEYS = [...LIFETIME_KEYS, ...RESERVATION_FLAG_KEYS, ...BOOT_KEYS, 'match-client-id', 'authoritative'];

const GLOBAL_KEYS = new Set<string>([
  ...INHERITED_KEYS,
  'subnet4',
  'option-data',
  'client-classes',
  'reservations',
  'echo-client-id',
  'decline-probation-period',
  'expired-leases-processing',
  'host-reservation-identifiers',
]);
const SUBNET_KEYS = new Set<string>([
  ...INHERITED_KEYS,
  'id',
  'subnet',
  'pools',
  'option-data',
  'relay',
  'interface',
  'client-class',
  'require-client-classes',
  'reservations',
]);
const POOL_KEYS = new Set(['pool', 'client-class', 'require-client-classes', 'option-data']);
const RELAY_KEYS = new Set(['ip-addresses', 'ip-address']);
const CLASS_KEYS = new Set([
  'name',
  'test',
  'only-if-required',
  'option-data',
  'valid-lifetime',
  'min-valid-lifetime',
  'max-valid-lifetime',
]);
const RESERVATION_KEYS = new Set(['hw-address', 'client-id', 'ip-address', 'hostname', 'client-classes', 'option-data']);
const UNSUPPORTED_HOST_IDENTIFIERS = new Set(['duid', 'circuit-id', 'flex-id']);
const EXPIRATION_KEYS = new Set([
  'reclaim-timer-wait-time',
  'flush-reclaimed-timer-wait-time',
  'hold-reclaimed-time',
  'max-reclaim-leases',
  'max-reclaim-time',
  'unwarned-reclaim-cycles',
]);

export function parseDhcp4ServerConfig(dhcp4: unknown, opts: Dhcp4ConfigParseOptions): Dhcp4ConfigResult {
  try {
    return { ok: true, value: deepFreeze(parseRoot(dhcp4, opts.path ?? '$.Dhcp4', opts.daemonKeys)) };
  } catch (error) {
    if (error instanceof ConfigProblem) return { ok: false, error: { path: error.path, message: error.message } };
    throw error;
  }
}

/** Values a subnet takes from the global level unless it sets its own. */
interface Inheritable {
  readonly map: JsonMap;
  readonly path: string;
}

function parseRoot(value: unknown, path: string, daemonKeys: ReadonlySet<string>): Dhcp4ServerConfig {
  const root = requireMap(value, path);
  checkKeys(root, path, GLOBAL_KEYS, daemonKeys);
  const global: Inheritable = { map: root, path };
  // Global values are checked even when every subnet overrides them.
  resolveLifetimes([global], path);
  resolveReservationFlags([global]);
  resolveBootFields([global]);

  const clientClasses = parseClientClasses(readList(root, 'client-classes', path) ?? [], childPath(path, 'client-classes'));
  const reservations = parseReservations(
    readList(root, 'reservations', path) ?? [],
    childPath(path, 'reservations'),
    undefined,
  );
  const subnets = parseSubnets(readList(root, 'subnet4', path) ?? [], childPath(path, 'subnet4'), global);
  return {
    subnets,
    clientClasses,
    options: has(root, 'option-data') ? parseOptionDataList(member(root, 'option-data'), childPath(path, 'option-data')) : [],
    reservations,
    hostReservationIdentifiers: parseHostIdentifiers(root, path),
    authoritative: readBoolean(root, 'authoritative', path) ?? false,
    echoClientId: readBoolean(root, 'echo-client-id', path) ?? true,
    declineProbationPeriodS: readUnsigned(root, 'decline-probation-period', path) ?? DEFAULT_DECLINE_PROBATION_PERIOD_S,
    expiredLeasesProcessing: parseExpiration(root, path),
  };
}

/** The innermost level that sets `key` wins. */
function inherited<T>(
  levels: readonly Inheritable[],
  key: string,
  read: (map: JsonMap, key: string, path: string) => T | undefined,
): T | undefined {
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i]!;
    const value = read(level.map, key, level.path);
    if (value !== undefined) return value;
  }
  return undefined;
}

function resolveLifetimes(levels: readonly Inheritable[], path: string): Lifetimes {
  const valid = inherited(levels, 'valid-lifetime', readUnsigned) ?? DEFAULT_VALID_LIFETIME_S;
  const min = inherited(levels, 'min-valid-lifetime', readUnsigned) ?? valid;
  const max = inherited(levels, 'max-valid-lifetime', readUnsigned) ?? valid;
  if (valid < min || valid > max) {
    fail(path, `valid-lifetime (${valid}) must be between min-valid-lifetime (${min}) and max-valid-lifetime (${max})`);
  }
  const t1Percent = inherited(levels, 't1-percent', readPercent) ?? DEFAULT_T1_PERCENT;
  const t2Percent = inherited(levels, 't2-percent', readPercent) ?? DEFAULT_T2_PERCENT;
  const calculateTeeTimes = inherited(levels, 'calculate-tee-times', readBoolean) ?? false;
  if (calculateTeeTimes && t1Percent >= t2Percent) {
    fail(path, `t1-percent (${t1Percent}) must be less than t2-percent (${t2Percent})`);
  }
  const renew = inherited(levels, 'renew-timer', readUnsigned);
  const rebind = inherited(levels, 'rebind-timer', readUnsigned);
  return {
    validLifetimeS: valid,
    minValidLifetimeS: min,
    maxValidLifetimeS: max,
    ...(renew !== undefined && { renewTimerS: renew }),
    ...(rebind !== undefined && { rebindTimerS: rebind }),
    calculateTeeTimes,
    t1Percent,
    t2Percent,
  };
}

function readPercent(map: JsonMap, key: string, path: string): number | undefined {
  const value = readNumber(map, key, path);
  if (value !== undefined && (value <= 0 || value >= 1)) {
    fail(childPath(path, key), `'${key}' must be greater than 0 and less than 1, is ${value}`);
  }
  return value;
}

interface ReservationFlags {
  readonly reservationsGlobal: boolean;
  readonly reservationsInSubnet: boolean;
  readonly reservationsOutOfPool: boolean;
}

const RESERVATION_MODES: Readonly<Record<string, ReservationFlags>> = {
  all: { reservationsGlobal: false, reservationsInSubnet: true, reservationsOutOfPool: false },
  'out-of-pool': { reservationsGlobal: false, reservationsInSubnet: true, reservationsOutOfPool: true },
  global: { reservationsGlobal: true, reservationsInSubnet: false, reservationsOutOfPool: false },
  disabled: { reservationsGlobal: false, reservationsInSubnet: false, reservationsOutOfPool: false },
};

/** One level's flags: the deprecated `reservation-mode` or the three booleans that replaced it, not both. */
function levelReservationFlags(level: Inheritable): Partial<ReservationFlags> {
  const mode = readString(level.map, 'reservation-mode', level.path);
  const flags = {
    reservationsGlobal: readBoolean(level.map, 'reservations-global', level.path),
    reservationsInSubnet: readBoolean(level.map, 'reservations-in-subnet', level.path),
    reservationsOutOfPool: readBoolean(level.map, 'reservations-out-of-pool', level.path),
  };
  if (mode === undefined) {
    return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  }
  if (Object.values(flags).some((v) => v !== undefined)) {
    fail(
      childPath(level.path, 'reservation-mode'),
      "'reservation-mode' cannot be used together with 'reservations-global', 'reservations-in-subnet' or 'reservations-out-of-pool'",
    );
  }
  const fromMode = Object.hasOwn(RESERVATION_MODES, mode) ? RESERVATION_MODES[mode] : undefined;
  if (fromMode === undefined) {
    fail(
      childPath(level.path, 'reservation-mode'),
      `invalid reservation-mode '${mode}' (expected all, out-of-pool, global or disabled)`,
    );
  }
  return fromMode;
}

function resolveReservationFlags(levels: readonly Inheritable[]): ReservationFlags {
  let flags: ReservationFlags = RESERVATION_MODES['all']!;
  for (const level of levels) flags = { ...flags, ...levelReservationFlags(level) };
  return flags;
}

interface BootFields {
  readonly nextServer?: string;
  readonly serverHostname?: string;
  readonly bootFileName?: string;
}

function resolveBootFields(levels: readonly Inheritable[]): BootFields {
  const nextServer = inherited(levels, 'next-server', readAddressString);
  const serverHostname = inherited(levels, 'server-hostname', (m, k, p) => readBoundedString(m, k, p, 63));
  const bootFileName = inherited(levels, 'boot-file-name', (m, k, p) => readBoundedString(m, k, p, 127));
  return {
    ...(nextServer !== undefined && nextServer !== '0.0.0.0' && { nextServer }),
    ...(serverHostname !== undefined && serverHostname !== '' && { serverHostname }),
    ...(bootFileName !== undefined && bootFileName !== '' && { bootFileName }),
  };
}

function readAddressString(map: JsonMap, key: string, path: string): string | undefined {
  const text = readString(map, key, path);
  if (text !== undefined && parseIpv4(text) === undefined) {
    fail(childPath(path, key), `'${text}' is not an IPv4 address`);
  }
  return text;
}

/** The BOOTP fields keep a terminating zero, so `sname` holds 63 bytes of text and `file` 127. */
function readBoundedString(map: JsonMap, key: string, path: string, maxBytes: number): string | undefined {
  const text = readString(map, key, path);
  if (text !== undefined && new TextEncoder().encode(text).length > maxBytes) {
    fail(childPath(path, key), `'${key}' must not be longer than ${maxBytes} bytes`);
  }
  return text;
}

function parseSubnets(list: readonly unknown[], path: string, global: Inheritable): Subnet4[] {
  const explicitIds = new Map<number, number>();
  const parsed = list.map((item, i) => {
    const subnetPath = childPath(path, i);
    const map = requireMap(item, subnetPath);
    checkKeys(map, subnetPath, SUBNET_KEYS);
    const id = readUnsigned(map, 'id', subnetPath, UINT32_MAX - 1);
    if (id === 0) fail(childPath(subnetPath, 'id'), "subnet 'id' must be greater than 0");
    if (id !== undefined) {
      const other = explicitIds.get(id);
      if (other !== undefined) fail(childPath(subnetPath, 'id'), `subnet id ${id} is already used by ${childPath(path, other)}`);
      explicitIds.set(id, i);
    }
    return { id, subnet: parseSubnet(map, subnetPath, global) };
  });

  // Kea numbers subnets without an id from 1 upwards, skipping ids already taken.
  let nextId = 1;
  const subnets = parsed.map(({ id, subnet }) => {
    if (id !== undefined) return { ...subnet, id };
    while (explicitIds.has(nextId)) nextId++;
    explicitIds.set(nextId, -1);
    return { ...subnet, id: nextId };
  });

  subnets.forEach((subnet, i) => {
    const clash = subnets.findIndex((other, j) => j < i && overlaps(other.prefix, subnet.prefix));
    if (clash >= 0) {
      fail(childPath(childPath(path, i), 'subnet'), `subnet ${subnet.subnet} overlaps ${subnets[clash]!.subnet} at ${childPath(path, clash)}`);
    }
  });
  return subnets;
}

function overlaps(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return a.network <= prefixLast(b) && b.network <= prefixLast(a);
}

function parseSubnet(map: JsonMap, path: string, global: Inheritable): Omit<Subnet4, 'id'> {
  const levels = [global, { map, path }];
  const subnetText = readString(map, 'subnet', path);
  if (subnetText === undefined) fail(path, "missing parameter 'subnet'");
  const prefix = parseIpv4Prefix(subnetText.trim());
  if (prefix === undefined) {
    fail(childPath(path, 'subnet'), `'${subnetText}' is not an IPv4 prefix such as 192.0.2.0/24 (host bits must be zero)`);
  }
  const pools = parsePools(readList(map, 'pools', path) ?? [], childPath(path, 'pools'), prefix, subnetText);
  const interfaceName = readString(map, 'interface', path);
  if (interfaceName === '') fail(childPath(path, 'interface'), "'interface' must not be empty");
  const clientClass = readString(map, 'client-class', path);
  const flags = resolveReservationFlags(levels);
  return {
    subnet: subnetText.trim(),
    prefix,
    pools,
    options: has(map, 'option-data') ? parseOptionDataList(member(map, 'option-data'), childPath(path, 'option-data')) : [],
    relayAddresses: parseRelay(map, path),
    ...(interfaceName !== undefined && { interfaceName }),
    ...(clientClass !== undefined && clientClass !== '' && { clientClass }),
    requireClientClasses: readStringList(map, 'require-client-classes', path) ?? [],
    lifetimes: resolveLifetimes(levels, path),
    matchClientId: inherited(levels, 'match-client-id', readBoolean) ?? true,
    authoritative: inherited(levels, 'authoritative', readBoolean) ?? false,
    reservations: parseReservations(readList(map, 'reservations', path) ?? [], childPath(path, 'reservations'), prefix),
    ...flags,
    ...resolveBootFields(levels),
  };
}

function parseRelay(subnet: JsonMap, subnetPath: string): readonly string[] {
  if (!has(subnet, 'relay')) return [];
  const path = childPath(subnetPath, 'relay');
  const relay = requireMap(member(subnet, 'relay'), path);
  checkKeys(relay, path, RELAY_KEYS);
  if (has(relay, 'ip-addresses') && has(relay, 'ip-address')) {
    fail(path, "specify either 'ip-address' or 'ip-addresses', not both");
  }
  const single = readString(relay, 'ip-address', path);
  const addresses = single !== undefined ? [single] : (readStringList(relay, 'ip-addresses', path) ?? []);
  const listPath = single !== undefined ? childPath(path, 'ip-address') : childPath(path, 'ip-addresses');
  addresses.forEach((address, i) => {
    if (parseIpv4(address) === undefined) {
      fail(single !== undefined ? listPath : childPath(listPath, i), `'${address}' is not an IPv4 address`);
    }
  });
  return addresses;
}

function parsePools(list: readonly unknown[], path: string, prefix: Ipv4Prefix, subnetText: string): Pool4[] {
  const pools = list.map((item, i) => parsePool(item, childPath(path, i), prefix, subnetText));
  pools.forEach((pool, i) => {
    const clash = pools.findIndex((other, j) => j < i && other.first <= pool.last && pool.first <= other.last);
    if (clash >= 0) {
      fail(childPath(childPath(path, i), 'pool'), `pool ${pool.text} overlaps pool ${pools[clash]!.text} at ${childPath(path, clash)}`);
    }
  });
  return pools;
}

function parsePool(item: unknown, path: string, prefix: Ipv4Prefix, subnetText: string): Pool4 {
  const map = requireMap(item, path);
  checkKeys(map, path, POOL_KEYS);
  const text = readString(map, 'pool', path);
  if (text === undefined) fail(path, "missing parameter 'pool'");
  const poolPath = childPath(path, 'pool');
  const range = parsePoolRange(text);
  if (range === undefined) {
    fail(poolPath, `'${text}' is not a pool: expected 'first - last' or a prefix such as 192.0.2.0/26`);
  }
  const [first, last] = range;
  if (first > last) fail(poolPath, `pool '${text}' ends before it starts`);
  if (!prefixContains(prefix, first) || !prefixContains(prefix, last)) {
    fail(poolPath, `pool '${text}' is not inside subnet ${subnetText}`);
  }
  const clientClass = readString(map, 'client-class', path);
  return {
    text: text.trim(),
    first,
    last,
    ...(clientClass !== undefined && clientClass !== '' && { clientClass }),
    requireClientClasses: readStringList(map, 'require-client-classes', path) ?? [],
    options: has(map, 'option-data') ? parseOptionDataList(member(map, 'option-data'), childPath(path, 'option-data')) : [],
  };
}

function parsePoolRange(text: string): readonly [number, number] | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    const prefix = parseIpv4Prefix(trimmed);
    return prefix === undefined ? undefined : [prefix.network, prefixLast(prefix)];
  }
  const dash = trimmed.indexOf('-');
  if (dash < 0) return undefined;
  const first = parseIpv4(trimmed.slice(0, dash).trim());
  const last = parseIpv4(trimmed.slice(dash + 1).trim());
  return first === undefined || last === undefined ? undefined : [first, last];
}

function parseClientClasses(list: readonly unknown[], path: string): ClientClass4[] {
  const defined = new Map<string, ClientClass4>();
  return list.map((item, i) => {
    const classPath = childPath(path, i);
    const map = requireMap(item, classPath);
    checkKeys(map, classPath, CLASS_KEYS);
    const name = readString(map, 'name', classPath);
    if (name === undefined) fail(classPath, "missing parameter 'name'");
    if (name.trim() === '') fail(childPath(classPath, 'name'), 'client class name must not be empty');
    if (defined.has(name)) fail(childPath(classPath, 'name'), `client class '${name}' is already defined`);

    const testText = readString(map, 'test', classPath);
    const testPath = childPath(classPath, 'test');
    let test: ClientClass4['test'];
    let dependsOnKnown = false;
    if (testText !== undefined && testText.trim() !== '') {
      test = parseClassExpression(testText);
      if (test === undefined) {
        fail(
          testPath,
          `test '${testText}' of class '${name}' is not supported: Tandem evaluates only member('<class>') combined with not, and, or and parentheses`,
        );
      }
      for (const referenced of referencedClasses(test)) {
        const earlier = defined.get(referenced);
        if (earlier === undefined && !isBuiltInClass(referenced)) {
          fail(testPath, `class '${name}' refers to class '${referenced}', which is not defined before it`);
        }
        if (referenced === 'KNOWN' || referenced === 'UNKNOWN' || earlier?.dependsOnKnown === true) dependsOnKnown = true;
      }
    }
    const valid = readUnsigned(map, 'valid-lifetime', classPath);
    const min = readUnsigned(map, 'min-valid-lifetime', classPath);
    const max = readUnsigned(map, 'max-valid-lifetime', classPath);
    const clientClass: ClientClass4 = {
      name,
      ...(test !== undefined && { test, testText: testText! }),
      onlyIfRequired: readBoolean(map, 'only-if-required', classPath) ?? false,
      dependsOnKnown,
      options: has(map, 'option-data') ? parseOptionDataList(member(map, 'option-data'), childPath(classPath, 'option-data')) : [],
      ...(valid !== undefined && { validLifetimeS: valid }),
      ...(min !== undefined && { minValidLifetimeS: min }),
      ...(max !== undefined && { maxValidLifetimeS: max }),
    };
    defined.set(name, clientClass);
    return clientClass;
  });
}

/** `prefix` is the subnet's for subnet reservations, undefined for global ones. */
function parseReservations(list: readonly unknown[], path: string, prefix: Ipv4Prefix | undefined): Reservation4[] {
  const byIdentifier = new Map<string, number>();
  const byAddress = new Map<string, number>();
  return list.map((item, i) => {
    const reservationPath = childPath(path, i);
    const reservation = parseReservation(item, reservationPath, prefix);
    const key = `${reservation.identifierType} ${reservation.identifier}`;
    const sameIdentifier = byIdentifier.get(key);
    if (sameIdentifier !== undefined) {
      fail(reservationPath, `${reservation.identifierType} ${reservation.identifier} is already reserved at ${childPath(path, sameIdentifier)}`);
    }
    byIdentifier.set(key, i);
    if (reservation.ipAddress !== undefined) {
      const sameAddress = byAddress.get(reservation.ipAddress);
      if (sameAddress !== undefined) {
        fail(childPath(reservationPath, 'ip-address'), `address ${reservation.ipAddress} is already reserved at ${childPath(path, sameAddress)}`);
      }
      byAddress.set(reservation.ipAddress, i);
    }
    return reservation;
  });
}

function parseReservation(item: unknown, path: string, prefix: Ipv4Prefix | undefined): Reservation4 {
  const map = requireMap(item, path);
  for (const key of UNSUPPORTED_HOST_IDENTIFIERS) {
    if (has(map, key)) fail(childPath(path, key), `host identifier '${key}' is not supported (only 'hw-address' and 'client-id')`);
  }
  checkKeys(map, path, RESERVATION_KEYS);
  const identifiers = (['hw-address', 'client-id'] as const).filter((key) => has(map, key));
  if (identifiers.length !== 1) fail(path, "a reservation needs exactly one of 'hw-address' or 'client-id'");
  const identifierType: HostIdentifierType = identifiers[0]!;
  const identifierText = readString(map, identifierType, path)!;
  const bytes = parseHexBytes(identifierText);
  const minBytes = identifierType === 'client-id' ? 2 : 1;
  const maxBytes = identifierType === 'client-id' ? 128 : 20;
  if (bytes === undefined || bytes.length < minBytes || bytes.length > maxBytes) {
    fail(childPath(path, identifierType), `'${identifierText}' is not a ${identifierType} (${minBytes} to ${maxBytes} bytes of hex)`);
  }
  const ipAddress = readString(map, 'ip-address', path);
  if (ipAddress !== undefined) {
    const address = parseIpv4(ipAddress);
    if (address === undefined) fail(childPath(path, 'ip-address'), `'${ipAddress}' is not an IPv4 address`);
    if (prefix !== undefined && !prefixContains(prefix, address)) {
      fail(childPath(path, 'ip-address'), `reserved address ${ipAddress} is not in the subnet ${formatIpv4(prefix.network)}/${prefix.length}`);
    }
  }
  const hostname = readString(map, 'hostname', path);
  return {
    identifierType,
    identifier: toColonHex(bytes),
    ...(ipAddress !== undefined && { ipAddress }),
    ...(hostname !== undefined && hostname !== '' && { hostname }),
    clientClasses: readStringList(map, 'client-classes', path) ?? [],
    options: has(map, 'option-data') ? parseOptionDataList(member(map, 'option-data'), childPath(path, 'option-data')) : [],
  };
}

function parseHostIdentifiers(root: JsonMap, path: string): readonly HostIdentifierType[] {
  const list = readStringList(root, 'host-reservation-identifiers', path);
  if (list === undefined) return ['hw-address', 'client-id'];
  const listPath = childPath(path, 'host-reservation-identifiers');
  if (list.length === 0) fail(listPath, "'host-reservation-identifiers' must not be empty");
  const seen = new Set<string>();
  return list.map((name, i) => {
    if (UNSUPPORTED_HOST_IDENTIFIERS.has(name)) {
      fail(childPath(listPath, i), `host identifier '${name}' is not supported (only 'hw-address' and 'client-id')`);
    }
    if (name !== 'hw-address' && name !== 'client-id') fail(childPath(listPath, i), `invalid host identifier '${name}'`);
    if (seen.has(name)) fail(childPath(listPath, i), `host identifier '${name}' is listed twice`);
    seen.add(name);
    return name;
  });
}

function parseExpiration(root: JsonMap, rootPath: string): ExpiredLeasesProcessing {
  const path = childPath(rootPath, 'expired-leases-processing');
  const map = has(root, 'expired-leases-processing') ? requireMap(member(root, 'expired-leases-processing'), path) : {};
  checkKeys(map, path, EXPIRATION_KEYS);
  return {
    reclaimTimerWaitTimeS: readUnsigned(map, 'reclaim-timer-wait-time', path, TIMER_LIMIT_S) ?? 10,
    flushReclaimedTimerWaitTimeS: readUnsigned(map, 'flush-reclaimed-timer-wait-time', path, TIMER_LIMIT_S) ?? 25,
    holdReclaimedTimeS: readUnsigned(map, 'hold-reclaimed-time', path) ?? 3600,
    maxReclaimLeases: readUnsigned(map, 'max-reclaim-leases', path) ?? 100,
    maxReclaimTimeMs: readUnsigned(map, 'max-reclaim-time', path, MAX_RECLAIM_TIME_LIMIT_MS) ?? 250,
    unwarnedReclaimCycles: readUnsigned(map, 'unwarned-reclaim-cycles', path) ?? 5,
  };
}
