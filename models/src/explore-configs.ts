/**
 * The explorations the model runs (CI bounded, `npm run models` long): each a small cluster, a
 * start state and a fault budget. Settings are scaled down so that the interesting events happen
 * within few actions: heartbeat-delay 10 s, max-response-delay 20 s, max-ack-delay 5 s, two
 * DHCP clients booting just after the start state, 60 s leases, two addresses per scope.
 */
import { hotStandbyPair, loadBalancingPair, type ClusterSpec } from './cluster-spec.js';
import { DEFAULT_POPULATION } from './clients.js';
import type { ExploreOptions } from './explore.js';
import { INVARIANTS, type InvariantId } from './invariants.js';

const SMALL = { heartbeatDelayMs: 10_000, maxResponseDelayMs: 20_000, maxAckDelayMs: 5_000, poolSize: 2, validLifetimeS: 60 } as const;
const TWO_CLIENTS = { ...DEFAULT_POPULATION, count: 2, bootWithinMs: 0, releaseProbability: 0 };
const SAFETY: ReadonlySet<InvariantId> = new Set(INVARIANTS.filter((i) => i !== 'I7-liveness'));

export interface ExploreConfig {
  readonly name: string;
  readonly description: string;
  /** The violation this configuration is meant to find (a protocol finding), if any. */
  readonly expects?: InvariantId;
  readonly options: Omit<ExploreOptions, 'timeLimitMs' | 'maxDepth'>;
}

const base = (spec: ClusterSpec): Omit<ExploreOptions, 'timeLimitMs' | 'maxDepth' | 'faults' | 'prefixMs'> => ({
  spec,
  population: TWO_CLIENTS,
  clientsBootAtMs: 65_000,
  seed: 1,
  horizonMs: 600_000,
  maxDelayMs: 1_000,
  check: SAFETY,
});

export const EXPLORE_CONFIGS: readonly ExploreConfig[] = [
  {
    name: 'cold-start',
    description: 'load balancing from power-on: the start-up negotiation and syncs under one crash and one lost control message',
    options: { ...base(loadBalancingPair({ ...SMALL, maxUnackedClients: 1 })), prefixMs: 0, clientsBootAtMs: 5_000, faults: { losses: 1, crashes: 1, partitions: 0, split: false } },
  },
  {
    name: 'steady-lb',
    description: 'load balancing from the normal state with clients booting: one crash, one lost control message, one control-channel partition (clients reach both servers)',
    options: { ...base(loadBalancingPair({ ...SMALL, maxUnackedClients: 1 })), prefixMs: 60_000, faults: { losses: 1, crashes: 1, partitions: 1, split: false } },
  },
  {
    name: 'steady-hs',
    description: 'hot standby from the normal state with clients booting: one crash, one lost control message, one control-channel partition',
    options: { ...base(hotStandbyPair({ ...SMALL, maxUnackedClients: 1 })), prefixMs: 60_000, faults: { losses: 1, crashes: 1, partitions: 1, split: false } },
  },
  {
    name: 'split-brain',
    description: 'load balancing with max-unacked-clients=0: a partition that splits the clients, one per side (finding: both reach partner-down and lease one address twice)',
    expects: 'I1-no-double-lease',
    options: { ...base(loadBalancingPair({ ...SMALL, maxUnackedClients: 0 })), prefixMs: 60_000, faults: { losses: 0, crashes: 0, partitions: 1, split: true } },
  },
  {
    name: 'split-guarded',
    description: 'the same split with max-unacked-clients=1: a side never sees more than one unacked client of its partner, so neither takes over',
    options: { ...base(loadBalancingPair({ ...SMALL, maxUnackedClients: 1 })), prefixMs: 60_000, faults: { losses: 0, crashes: 0, partitions: 1, split: true } },
  },
];

export function exploreConfig(name: string): ExploreConfig {
  const config = EXPLORE_CONFIGS.find((c) => c.name === name);
  if (config === undefined) throw new Error(`unknown exploration '${name}' (one of ${EXPLORE_CONFIGS.map((c) => c.name).join(', ')})`);
  return config;
}
