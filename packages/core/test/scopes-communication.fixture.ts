/**
 * Hand-built HaConfig values for the scopes and communication tests (the parser is written
 * elsewhere). Default relationship, as in Kea's own tests: server1 primary, server2 secondary
 * (standby in hot-standby, backup in passive-backup), server3 backup.
 */
import type { HaConfig, HaMode, PausableLabel, PauseMode, PeerConfig, PeerRole } from '../src/config/types.js';
import { STATE_LABELS } from '../src/config/types.js';

export interface PeerSpec {
  readonly name: string;
  readonly role: PeerRole;
  readonly autoFailover?: boolean;
}

export interface FixtureOptions {
  readonly mode?: HaMode;
  readonly thisServerName?: string;
  readonly peers?: readonly PeerSpec[];
  readonly overrides?: Partial<Omit<HaConfig, 'peers' | 'thisServer' | 'partner' | 'mode' | 'thisServerName'>>;
}

const ROLE_ORDER: Record<PeerRole, number> = { primary: 0, secondary: 1, standby: 1, backup: 2 };

export function defaultPeers(mode: HaMode): readonly PeerSpec[] {
  const second: PeerRole = mode === 'load-balancing' ? 'secondary' : mode === 'hot-standby' ? 'standby' : 'backup';
  return [
    { name: 'server1', role: 'primary' },
    { name: 'server2', role: second },
    { name: 'server3', role: 'backup' },
  ];
}

export function haConfig(options: FixtureOptions = {}): HaConfig {
  const mode = options.mode ?? 'load-balancing';
  const thisServerName = options.thisServerName ?? 'server1';
  const specs = options.peers ?? defaultPeers(mode);
  const peers: PeerConfig[] = specs
    .map((spec, index) => ({ spec, index }))
    .sort((a, b) => ROLE_ORDER[a.spec.role] - ROLE_ORDER[b.spec.role] || a.index - b.index)
    .map(({ spec, index }) => ({
      name: spec.name,
      role: spec.role,
      autoFailover: spec.autoFailover ?? true,
      url: { href: `http://127.0.0.1:${8001 + index}/`, scheme: 'http', host: '127.0.0.1', family: 4, port: 8001 + index },
    }));
  const thisServer = peers.find((peer) => peer.name === thisServerName);
  if (thisServer === undefined) throw new Error(`fixture: no peer named '${thisServerName}'`);
  const partner = mode === 'passive-backup' ? undefined : peers.find((peer) => peer.name !== thisServerName && peer.role !== 'backup');
  const stateMachine = Object.fromEntries(
    [...STATE_LABELS, 'unavailable'].map((label) => [label, 'never' as PauseMode]),
  ) as Record<PausableLabel, PauseMode>;
  return {
    thisServerName,
    mode,
    peers,
    thisServer,
    ...(partner === undefined ? {} : { partner }),
    sendLeaseUpdates: true,
    syncLeases: true,
    syncTimeoutMs: 60_000,
    syncPageLimit: 10_000,
    delayedUpdatesLimit: mode === 'load-balancing' ? 100 : 0,
    heartbeatDelayMs: 10_000,
    maxResponseDelayMs: 60_000,
    maxAckDelayMs: 10_000,
    maxUnackedClients: 10,
    maxRejectedLeaseUpdates: 0,
    waitBackupAck: false,
    requireClientCerts: true,
    restrictCommands: false,
    multiThreading: { enableMultiThreading: false, httpDedicatedListener: false, httpListenerThreads: 0, httpClientThreads: 0 },
    stateMachine,
    ...options.overrides,
  };
}

export function peer(config: HaConfig, name: string): PeerConfig {
  const found = config.peers.find((p) => p.name === name);
  if (found === undefined) throw new Error(`fixture: no peer named '${name}'`);
  return found;
}

/** Deterministic byte source (xorshift32) so distribution tests do not flake. */
export function byteSource(seed: number): (length: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

export const bytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.split(/\s+/).filter((b) => b !== '').map((b) => Number.parseInt(b, 16)));
