import { ConfigError, expectBoolean, expectInteger, expectObject, type ConfigWarning, type JsonObject } from './config-error.js';

/** Dhcp4 keys the daemon itself parses (the rest belong to @tandem/dhcp4's server configuration). */
export const DAEMON_SECTIONS = ['interfaces-config', 'lease-database', 'control-socket', 'hooks-libraries', 'loggers', 'parked-packet-limit'] as const;

/**
 * Kea keys that tune how Kea does something Tandem does its own way: accepted so one file runs under both
 * daemons, each with one warning saying what Tandem does instead.
 */
export const TUNING_KEYS: Readonly<Record<string, string>> = {
  'multi-threading': 'Tandem processes queries on one event loop (allocation serialised, HA parking concurrent); thread settings are ignored',
  'dhcp-queue-control': 'Tandem has no packet queue setting: it processes datagrams as they arrive and drops beyond a fixed backlog of 1024',
  'sanity-checks': 'Tandem loads lease file rows as stored, without checking them against the configured subnets',
  'statistic-default-sample-count': 'Tandem keeps no statistics samples',
  'statistic-default-sample-age': 'Tandem keeps no statistics samples',
  'server-tag': 'the server tag only selects configuration from a config backend, which Tandem does not have',
  compatibility: "Tandem's option parser has fixed leniency; compatibility flags are ignored",
};

/** Keys accepted silently: they carry no behaviour in Kea either. */
const INERT_KEYS = ['user-context', 'comment'] as const;

/** Kea features Tandem does not have: a file that uses them is refused rather than half-served. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  'hosts-database': 'host reservations come from the configuration file only',
  'hosts-databases': 'host reservations come from the configuration file only',
  'config-control': 'configuration comes from the file given with -c only',
};

/** Every top-level Dhcp4 key the daemon handles; @tandem/dhcp4 skips these and rejects other unknown keys. */
export const DAEMON_KEYS: ReadonlySet<string> = new Set<string>([
  ...DAEMON_SECTIONS,
  ...Object.keys(TUNING_KEYS),
  ...INERT_KEYS,
  ...Object.keys(UNSUPPORTED),
  'dhcp-ddns',
  'dhcp4o6-port',
]);

/** Warnings for tuning keys, refusals for unsupported features; `dhcp-ddns`/`dhcp4o6-port` only when off. */
export const checkDaemonOnlyKeys = (dhcp4: JsonObject, path: string, warnings: ConfigWarning[]): void => {
  for (const [key, reason] of Object.entries(UNSUPPORTED)) {
    if (dhcp4[key] !== undefined) throw new ConfigError(`${path}.${key} is not supported: ${reason}`);
  }
  for (const [key, text] of Object.entries(TUNING_KEYS)) {
    if (dhcp4[key] !== undefined) warnings.push({ path: `${path}.${key}`, text: `accepted: ${text}` });
  }
  const ddns = dhcp4['dhcp-ddns'];
  if (ddns !== undefined) {
    const section = expectObject(ddns, `${path}.dhcp-ddns`);
    const enabled = section['enable-updates'] === undefined ? false : expectBoolean(section['enable-updates'], `${path}.dhcp-ddns/enable-updates`);
    if (enabled) throw new ConfigError(`${path}.dhcp-ddns/enable-updates true is not supported: Tandem sends no DNS updates`);
    warnings.push({ path: `${path}.dhcp-ddns`, text: 'accepted because enable-updates is false: Tandem sends no DNS updates' });
  }
  const port = dhcp4['dhcp4o6-port'];
  if (port !== undefined && expectInteger(port, `${path}.dhcp4o6-port`, 0, 65535) !== 0) {
    throw new ConfigError(`${path}.dhcp4o6-port is not supported: Tandem does not do DHCPv4-over-DHCPv6`);
  }
};
