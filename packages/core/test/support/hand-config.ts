import type { HaConfig, HaMode, PeerConfig, PeerRole, PausableLabel, PauseMode } from '../../src/config/types.js';
import { STATE_LABELS } from '../../src/config/types.js';

/** A validated config built by hand, for tests that must not depend on the parser. */
export function handConfig(opts: {
  mode: HaMode;
  thisServer: string;
  peers: ReadonlyArray<{ name: string; role: PeerRole; autoFailover?: boolean }>;
  overrides?: Partial<HaConfig>;
  pause?: Partial<Record<PausableLabel, PauseMode>>;
}): HaConfig {
  const order: Record<PeerRole, number> = { primary: 0, secondary: 1, standby: 1, backup: 2 };
  const peers: PeerConfig[] = [...opts.peers]
    .map((p, i) => ({
      name: p.name,
      role: p.role,
      autoFailover: p.autoFailover ?? true,
      url: { href: `http://127.0.0.1:${8001 + i}/`, scheme: 'http' as const, host: '127.0.0.1', family: 4 as const, port: 8001 + i },
    }))
    .sort((a, b) => order[a.role] - order[b.role]);
  const thisServer = peers.find((p) => p.name === opts.thisServer)!;
  const partner = opts.mode === 'passive-backup' ? undefined : peers.find((p) => p.name !== opts.thisServer && p.role !== 'backup');
  const stateMachine = Object.fromEntries([...STATE_LABELS, 'unavailable'].map((l) => [l, opts.pause?.[l as PausableLabel] ?? 'never'])) as Record<PausableLabel, PauseMode>;
  return {
    thisServerName: opts.thisServer,
    mode: opts.mode,
    peers,
    thisServer,
    ...(partner ? { partner } : {}),
    sendLeaseUpdates: true,
    syncLeases: true,
    syncTimeoutMs: 60000,
    syncPageLimit: 10000,
    delayedUpdatesLimit: opts.mode === 'load-balancing' ? 100 : 0,
    heartbeatDelayMs: 10000,
    maxResponseDelayMs: 60000,
    maxAckDelayMs: 10000,
    maxUnackedClients: 10,
    maxRejectedLeaseUpdates: 0,
    waitBackupAck: false,
    requireClientCerts: true,
    restrictCommands: false,
    multiThreading: { enableMultiThreading: false, httpDedicatedListener: false, httpListenerThreads: 0, httpClientThreads: 0 },
    stateMachine,
    ...opts.overrides,
  };
}
