/**
 * One object of the `high-availability` list (spec §5.1), read in the order Kea reads it so
 * that a configuration with several problems reports the same first one Kea would.
 */
import { UINT32_MAX, type CompatProfile } from './compat.js';
import { fail } from './errors.js';
import type { ReadFile } from './file-reader.js';
import { childPath } from './json-path.js';
import { hasMember, isJsonMap, member, readBoolean, readString, readUnsigned, rejectUnknownKeys } from './json-reader.js';
import { keaTrim } from './kea-trim.js';
import { isHaMode, unsupportedModeText } from './labels.js';
import { readMultiThreading } from './multi-threading.js';
import { readPeerEntry, type PeerEntry } from './peer-entry.js';
import { checkRelationship } from './relationship-checks.js';
import { locateStates, readPauseSettings } from './state-machine.js';
import { completeTls, readTlsSources } from './tls.js';
import type { HaConfig, PeerConfig, PeerRole } from './types.js';

const RELATIONSHIP_KEYS: ReadonlySet<string> = new Set([
  'this-server-name',
  'mode',
  'peers',
  'send-lease-updates',
  'sync-leases',
  'sync-timeout',
  'sync-page-limit',
  'delayed-updates-limit',
  'heartbeat-delay',
  'max-response-delay',
  'max-ack-delay',
  'max-unacked-clients',
  'max-rejected-lease-updates',
  'wait-backup-ack',
  'trust-anchor',
  'cert-file',
  'key-file',
  'require-client-certs',
  'restrict-commands',
  'multi-threading',
  'state-machine',
]);

export interface ParsedRelationship {
  readonly config: HaConfig;
  /** JSON path of each peer's `name`, for the cross-relationship uniqueness check. */
  readonly peerNamePaths: ReadonlyMap<string, string>;
}

export function readRelationship(
  raw: unknown,
  path: string,
  profile: CompatProfile,
  readFile: ReadFile | undefined,
): ParsedRelationship {
  if (!isJsonMap(raw)) fail(path, 'relationship-not-map', profile.relationshipNotMapText);
  rejectUnknownKeys(raw, RELATIONSHIP_KEYS, path, 'HA relationship configuration');

  // Mode first: the delayed-updates-limit default depends on it.
  const mode = readString(raw, 'mode', path);
  if (!isHaMode(mode)) fail(childPath(path, 'mode'), 'mode-value', unsupportedModeText(mode));

  const peersPath = childPath(path, 'peers');
  if (!hasMember(raw, 'peers')) fail(peersPath, 'peers-missing', "'peers' parameter missing in HA configuration");
  const rawPeers = member(raw, 'peers');
  if (!Array.isArray(rawPeers)) fail(peersPath, 'peers-not-list', "'peers' parameter must be a list");
  const states = locateStates(raw, path);

  const thisServerName = keaTrim(readString(raw, 'this-server-name', path));
  if (thisServerName === '') {
    fail(childPath(path, 'this-server-name'), 'this-server-name-empty', "'this-server-name' value must not be empty");
  }

  const sendLeaseUpdates = readBoolean(raw, 'send-lease-updates', path, true);
  const syncLeases = readBoolean(raw, 'sync-leases', path, true);
  const syncTimeoutMs = readUnsigned(raw, 'sync-timeout', path, 60_000, UINT32_MAX);
  const syncPageLimit = readUnsigned(raw, 'sync-page-limit', path, 10_000, UINT32_MAX);
  const delayedUpdatesLimit = readUnsigned(raw, 'delayed-updates-limit', path, mode === 'load-balancing' ? 100 : 0, UINT32_MAX);
  const heartbeatDelayMs = readUnsigned(raw, 'heartbeat-delay', path, 10_000, profile.timingMaxMs);
  const maxResponseDelayMs = readUnsigned(raw, 'max-response-delay', path, 60_000, profile.timingMaxMs);
  const maxAckDelayMs = readUnsigned(raw, 'max-ack-delay', path, 10_000, profile.timingMaxMs);
  const maxUnackedClients = readUnsigned(raw, 'max-unacked-clients', path, 10, UINT32_MAX);
  const maxRejectedLeaseUpdates = readUnsigned(
    raw,
    'max-rejected-lease-updates',
    path,
    profile.defaultMaxRejectedLeaseUpdates,
    UINT32_MAX,
  );
  const waitBackupAck = readBoolean(raw, 'wait-backup-ack', path, false);
  const multiThreading = readMultiThreading(raw, path, profile);
  const tls = readTlsSources(raw, path);
  const requireClientCerts = readBoolean(raw, 'require-client-certs', path, true);
  const restrictCommands = readBoolean(raw, 'restrict-commands', path, profile.defaultRestrictCommands);

  const entries: PeerEntry[] = [];
  const names = new Set<string>();
  rawPeers.forEach((rawPeer: unknown, index) => {
    const entry = readPeerEntry(rawPeer, childPath(peersPath, index), index, names, readFile);
    names.add(entry.name);
    entries.push(entry);
  });
  const stateMachine = readPauseSettings(states.states, states.path);

  const checkedPeers = checkRelationship(
    { path, mode, thisServerName, peers: entries, waitBackupAck, delayedUpdatesLimit, tls },
    readFile,
  );
  const peers = orderPeers(checkedPeers);
  // checkRelationship has refused a configuration without this server already; this only narrows the type.
  const thisServer =
    peers.find((peer) => peer.name === thisServerName) ??
    fail(childPath(path, 'this-server-name'), 'this-server-not-in-peers', `no peer configuration specified for the '${thisServerName}'`);
  const partner =
    mode === 'passive-backup' ? undefined : peers.find((peer) => peer.name !== thisServerName && peer.role !== 'backup');
  const relationshipTls = completeTls(tls);

  const config: HaConfig = {
    thisServerName,
    mode,
    peers,
    thisServer,
    ...(partner === undefined ? {} : { partner }),
    sendLeaseUpdates,
    syncLeases,
    syncTimeoutMs,
    syncPageLimit,
    delayedUpdatesLimit,
    heartbeatDelayMs,
    maxResponseDelayMs,
    maxAckDelayMs,
    maxUnackedClients,
    maxRejectedLeaseUpdates,
    waitBackupAck,
    requireClientCerts,
    restrictCommands,
    ...(relationshipTls === undefined ? {} : { tls: relationshipTls }),
    multiThreading,
    stateMachine,
  };
  return {
    config,
    peerNamePaths: new Map(entries.map((entry) => [entry.name, childPath(entry.path, 'name')])),
  };
}

const ROLE_RANK: Readonly<Record<PeerRole, number>> = { primary: 0, secondary: 1, standby: 1, backup: 2 };

/** Primary, then secondary or standby, then backups in config order (spec §7.1); sort is stable. */
function orderPeers(peers: readonly PeerConfig[]): readonly PeerConfig[] {
  return [...peers].sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role]);
}
