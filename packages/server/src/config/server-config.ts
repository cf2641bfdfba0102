import { readFileSync } from 'node:fs';
import { parseDhcp4ServerConfig, type Dhcp4ServerConfig } from '@tandem/dhcp4';
import type { JsonMap } from '../commands/json.js';
import { ConfigError, expectInteger, expectObject, type ConfigWarning } from './config-error.js';
import { parseControlSocket, type ControlSocketConfig } from './control-socket.js';
import { DAEMON_KEYS, checkDaemonOnlyKeys } from './daemon-keys.js';
import { parseHooksLibraries, type HookLibrary } from './hooks-libraries.js';
import { parseHaHookConfig, type HaHookConfig } from '../ha/ha-config.js';
import { parseInterfacesConfig, type InterfacesConfig } from './interfaces-config.js';
import { parseKeaJson } from './kea-json.js';
import { parseLeaseDatabase, type LeaseDatabaseConfig } from './lease-database.js';
import { parseLoggers, type LoggingConfig } from './loggers.js';

/** The parts of `Dhcp4` that configure the daemon rather than DHCP itself. */
export interface DaemonConfig {
  readonly interfaces: InterfacesConfig;
  readonly leaseDatabase: LeaseDatabaseConfig;
  readonly controlSocket: ControlSocketConfig | undefined;
  readonly hooksLibraries: readonly HookLibrary[];
  readonly logging: LoggingConfig;
  /** Bound on answers parked waiting for HA lease-update acknowledgements (Kea's default 256). */
  readonly parkedPacketLimit: number;
  /** libdhcp_ha.so's relationship, validated by the HA core, and its transport; undefined when the library is not loaded. */
  readonly ha: HaHookConfig | undefined;
}

export interface ServerConfig {
  /** The file (or `<command>`) it came from, for messages. */
  readonly source: string;
  /** `{"Dhcp4": {...}}` as read, comments stripped: what config-get returns. */
  readonly json: JsonMap;
  readonly dhcp: Dhcp4ServerConfig;
  readonly daemon: DaemonConfig;
  readonly warnings: readonly ConfigWarning[];
}

/** Parses a `{"Dhcp4": {...}}` document; throws ConfigError naming what is wrong and where. */
export const parseServerConfig = (root: unknown, source: string): ServerConfig => {
  const top = expectObject(root, source);
  const others = Object.keys(top).filter((k) => k !== 'Dhcp4');
  if (others.length > 0) {
    throw new ConfigError(`${source}: unsupported top-level object${others.length > 1 ? 's' : ''} ${others.map((k) => `'${k}'`).join(', ')}; tandemd reads only 'Dhcp4'`);
  }
  if (top.Dhcp4 === undefined) throw new ConfigError(`${source}: no 'Dhcp4' object`);
  const dhcp4 = expectObject(top.Dhcp4, `${source}: Dhcp4`);
  const path = '$.Dhcp4';
  const warnings: ConfigWarning[] = [];
  checkDaemonOnlyKeys(dhcp4, path, warnings);
  const hooksLibraries = parseHooksLibraries(dhcp4['hooks-libraries'], `${path}.hooks-libraries`);
  if (hooksLibraries.some((l) => l.kind === 'high-availability') && !hooksLibraries.some((l) => l.kind === 'lease-cmds')) {
    throw new ConfigError(`${path}.hooks-libraries: libdhcp_ha.so needs libdhcp_lease_cmds.so (partners send lease updates as lease commands)`);
  }
  const controlSocket = parseControlSocket(dhcp4['control-socket'], `${path}.control-socket`);
  const daemon: DaemonConfig = {
    interfaces: parseInterfacesConfig(dhcp4['interfaces-config'] ?? {}, `${path}.interfaces-config`, warnings),
    leaseDatabase: parseLeaseDatabase(dhcp4['lease-database'], `${path}.lease-database`, warnings),
    controlSocket,
    hooksLibraries,
    logging: parseLoggers(dhcp4.loggers, `${path}.loggers`, warnings),
    parkedPacketLimit:
      dhcp4['parked-packet-limit'] === undefined ? 256 : expectInteger(dhcp4['parked-packet-limit'], `${path}.parked-packet-limit`, 0, 0xffffffff),
    ha: parseHaHookConfig(top, hooksLibraries, controlSocket !== undefined),
  };
  const parsed = parseDhcp4ServerConfig(dhcp4, { daemonKeys: DAEMON_KEYS, path });
  if (!parsed.ok) throw new ConfigError(parsed.error.message);
  return { source, json: top as JsonMap, dhcp: parsed.value, daemon, warnings };
};

export const loadServerConfig = (file: string): ServerConfig => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseServerConfig(parseKeaJson(text, file), file);
};
