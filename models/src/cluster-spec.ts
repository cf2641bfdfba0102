/**
 * What a modelled cluster is made of: the HA relationship every peer runs (turned into each
 * peer's `HaConfig` by the core's own parser, from the JSON an operator would write), the
 * address pools per scope, and the lease time the pools hand out.
 */
import {
  parseHaConfigOrThrow,
  type HaConfig,
  type HaMode,
  type KeaCompat,
  type PauseMode,
  type PeerRole,
  type StateLabel,
} from '@tandem/core';

export interface PeerSpec {
  readonly name: string;
  readonly role: PeerRole;
  readonly autoFailover?: boolean;
}

export interface ClusterSpec {
  readonly mode: HaMode;
  readonly peers: readonly PeerSpec[];
  readonly heartbeatDelayMs: number;
  readonly maxResponseDelayMs: number;
  readonly maxAckDelayMs: number;
  readonly maxUnackedClients: number;
  /** Kea's default applies when absent (100 in load balancing, 0 otherwise). */
  readonly delayedUpdatesLimit?: number;
  readonly syncTimeoutMs?: number;
  readonly syncPageLimit?: number;
  readonly syncLeases?: boolean;
  readonly pause?: Readonly<Partial<Record<StateLabel, PauseMode>>>;
  readonly compat?: KeaCompat;
  /** Addresses per scope pool. */
  readonly poolSize: number;
  /** valid-lft of every lease, seconds. */
  readonly validLifetimeS: number;
}

export const SUBNET_ID = 1;

/** The relationship as it would appear in the `high-availability` list of every peer's Kea config. */
export function haParameters(spec: ClusterSpec, thisServerName: string): unknown {
  const relationship: Record<string, unknown> = {
    'this-server-name': thisServerName,
    mode: spec.mode,
    'heartbeat-delay': spec.heartbeatDelayMs,
    'max-response-delay': spec.maxResponseDelayMs,
    'max-ack-delay': spec.maxAckDelayMs,
    'max-unacked-clients': spec.maxUnackedClients,
    peers: spec.peers.map((peer, index) => ({
      name: peer.name,
      url: `http://192.0.2.${11 + index}:8000/`,
      role: peer.role,
      ...(peer.autoFailover === undefined ? {} : { 'auto-failover': peer.autoFailover }),
    })),
  };
  if (spec.delayedUpdatesLimit !== undefined) relationship['delayed-updates-limit'] = spec.delayedUpdatesLimit;
  if (spec.syncTimeoutMs !== undefined) relationship['sync-timeout'] = spec.syncTimeoutMs;
  if (spec.syncPageLimit !== undefined) relationship['sync-page-limit'] = spec.syncPageLimit;
  if (spec.syncLeases !== undefined) relationship['sync-leases'] = spec.syncLeases;
  if (spec.pause !== undefined) {
    relationship['state-machine'] = {
      states: Object.entries(spec.pause).map(([state, pause]) => ({ state, pause })),
    };
  }
  return [relationship];
}

export function haConfigFor(spec: ClusterSpec, thisServerName: string): HaConfig {
  return parseHaConfigOrThrow(haParameters(spec, thisServerName), { compat: spec.compat ?? '2.2' });
}

/** Scopes that own addresses: primary and secondary (a standby's and a backup's scopes are empty). */
export function poolScopes(spec: ClusterSpec): readonly string[] {
  const owners = spec.peers.filter((peer) => peer.role === 'primary' || (peer.role === 'secondary' && spec.mode === 'load-balancing'));
  return owners.map((peer) => peer.name);
}

/**
 * Each scope's pool, the way an operator splits a subnet between HA_<scope> client classes:
 * 10.0.<k>.10, 10.0.<k>.11, ... for the k-th owning scope.
 */
export function scopePools(spec: ClusterSpec): ReadonlyMap<string, readonly string[]> {
  return new Map(
    poolScopes(spec).map((scope, k) => [scope, Array.from({ length: spec.poolSize }, (_, i) => `10.0.${k + 1}.${10 + i}`)] as const),
  );
}

/** Two peers with the settings of Kea's defaults and the brief's example. */
export function loadBalancingPair(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    mode: 'load-balancing',
    peers: [
      { name: 'server1', role: 'primary' },
      { name: 'server2', role: 'secondary' },
    ],
    heartbeatDelayMs: 10_000,
    maxResponseDelayMs: 60_000,
    maxAckDelayMs: 10_000,
    maxUnackedClients: 10,
    poolSize: 24,
    validLifetimeS: 300,
    ...overrides,
  };
}

export function hotStandbyPair(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    ...loadBalancingPair(),
    mode: 'hot-standby',
    peers: [
      { name: 'server1', role: 'primary' },
      { name: 'server2', role: 'standby' },
    ],
    ...overrides,
  };
}
