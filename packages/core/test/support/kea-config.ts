/**
 * HA configurations for the state-machine tests, written the way an operator writes them: a
 * Kea `Dhcp4` document that loads libdhcp_ha.so, parsed by the real parser. The fixture is
 * Kea's own (spec §14): server1 primary, server2 secondary (standby in hot-standby), server3
 * backup, all on 127.0.0.1.
 */
import { parseHaConfigOrThrow, type HaConfig, type HaMode, type KeaCompat, type PausableLabel, type PauseMode } from '../../src/config/index.js';

export type JsonMap = { [key: string]: unknown };

export type ServerName = 'server1' | 'server2' | 'server3';

export interface RelationshipOptions {
  readonly mode: HaMode;
  /** Default server1 (the primary). */
  readonly thisServer?: ServerName;
  /** Relationship-level parameters in Kea's spelling, e.g. `{ 'sync-leases': false }`. */
  readonly parameters?: JsonMap;
  /** `state-machine` pause settings. */
  readonly pause?: Partial<Record<PausableLabel, PauseMode>>;
  /** `auto-failover` of a peer entry (only this server's own entry matters, §5.2). */
  readonly autoFailover?: Partial<Record<ServerName, boolean>>;
  /** Leave out the backup server3. */
  readonly withoutBackup?: boolean;
}

const peerUrl: Record<ServerName, string> = {
  server1: 'http://127.0.0.1:8080/',
  server2: 'http://127.0.0.1:8081/',
  server3: 'http://127.0.0.1:8082/',
};

/** The `high-availability` list entry. */
export function relationship(options: RelationshipOptions): JsonMap {
  const secondRole = options.mode === 'load-balancing' ? 'secondary' : options.mode === 'hot-standby' ? 'standby' : 'backup';
  const peer = (name: ServerName, role: string): JsonMap => {
    const autoFailover = options.autoFailover?.[name];
    return { name, url: peerUrl[name], role, ...(autoFailover === undefined ? {} : { 'auto-failover': autoFailover }) };
  };
  const peers = [peer('server1', 'primary'), peer('server2', secondRole)];
  if (options.withoutBackup !== true) peers.push(peer('server3', 'backup'));
  const pause = Object.entries(options.pause ?? {});
  return {
    'this-server-name': options.thisServer ?? 'server1',
    mode: options.mode,
    peers,
    ...(pause.length === 0 ? {} : { 'state-machine': { states: pause.map(([state, mode]) => ({ state, pause: mode })) } }),
    ...options.parameters,
  };
}

/** A whole kea-dhcp4 configuration document loading the HA hook with `relationship`. */
export function keaDocument(ha: JsonMap): JsonMap {
  return {
    Dhcp4: {
      'hooks-libraries': [
        { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so' },
        { library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so', parameters: { 'high-availability': [ha] } },
      ],
    },
  };
}

export function haConfig(options: RelationshipOptions, compat: KeaCompat = '2.2'): HaConfig {
  return parseHaConfigOrThrow(keaDocument(relationship(options)), { compat });
}

/** The fixture's usual cast, by the name the spec's tables use. */
export const lbPrimary = (o: Omit<RelationshipOptions, 'mode' | 'thisServer'> = {}, compat: KeaCompat = '2.2'): HaConfig =>
  haConfig({ ...o, mode: 'load-balancing', thisServer: 'server1' }, compat);
export const lbSecondary = (o: Omit<RelationshipOptions, 'mode' | 'thisServer'> = {}, compat: KeaCompat = '2.2'): HaConfig =>
  haConfig({ ...o, mode: 'load-balancing', thisServer: 'server2' }, compat);
export const hsPrimary = (o: Omit<RelationshipOptions, 'mode' | 'thisServer'> = {}, compat: KeaCompat = '2.2'): HaConfig =>
  haConfig({ ...o, mode: 'hot-standby', thisServer: 'server1' }, compat);
export const hsStandby = (o: Omit<RelationshipOptions, 'mode' | 'thisServer'> = {}, compat: KeaCompat = '2.2'): HaConfig =>
  haConfig({ ...o, mode: 'hot-standby', thisServer: 'server2' }, compat);
export const pbPrimary = (o: Omit<RelationshipOptions, 'mode' | 'thisServer'> = {}, compat: KeaCompat = '2.2'): HaConfig =>
  haConfig({ ...o, mode: 'passive-backup', thisServer: 'server1' }, compat);
export const lbBackup = (o: Omit<RelationshipOptions, 'mode' | 'thisServer'> = {}, compat: KeaCompat = '2.2'): HaConfig =>
  haConfig({ ...o, mode: 'load-balancing', thisServer: 'server3' }, compat);
