/**
 * Seeded random simulation: a cluster with DHCP clients runs through episodes of random faults
 * followed by a quiet period, with every invariant of the chosen fault model checked after every
 * step. Everything is drawn from one PRNG, so a failing run is replayed exactly from its seed
 * (`node models/dist/scripts/models.js replay --model <m> --seed <n>`).
 */
import { Cluster } from './cluster.js';
import { loadBalancingPair, type ClusterSpec } from './cluster-spec.js';
import { DEFAULT_POPULATION, type ClientPopulation } from './clients.js';
import { formatDuration } from './duration.js';
import { InvariantChecker, INVARIANTS, livenessBoundMs, normalStateOf, type InvariantId, type Violation } from './invariants.js';
import type { HaLogic } from './machine-host.js';
import { CLEAN_CONTROL_LINK, CLEAN_DHCP_LINK } from './network.js';
import { haState } from './peer.js';
import { wallMs } from './clock.js';
import { Prng } from './prng.js';
import { Trace, type TraceCategory } from './trace.js';
import type { DriverVariant } from './variants.js';

/** The kinds of fault a run may inject. */
export type FaultKind =
  /**
   * A peer's process dies while every peer is up and in its normal state (a single failure,
   * repaired before the next); the next crash fault restarts it with its lease store.
   */
  | 'crash'
  /** A peer dies even when its partner is already down (a double failure). */
  | 'double-crash'
  /** A restart finds the lease store empty (disk lost). */
  | 'lose-store'
  /** The control channel between the servers is cut both ways; clients still reach both. */
  | 'partition'
  /** One direction of the control channel is cut. */
  | 'asymmetric'
  /** The network splits in two halves, each with one server and half the clients. */
  | 'split'
  /** Control messages are lost (a loss rate is drawn per fault). */
  | 'loss'
  /** Control messages are duplicated. */
  | 'duplicate'
  /** Control delays vary widely and each message travels on its own: messages overtake each other. */
  | 'reorder'
  /** A peer's wall clock jumps by up to ±25 s (below Kea's 30 s warning). */
  | 'clock-small'
  /** A peer's wall clock jumps by up to ±120 s (terminates the pair beyond 60 s). */
  | 'clock-large';

export interface FaultModel {
  readonly name: string;
  readonly faults: readonly FaultKind[];
  /** The invariants that must hold under these faults; the others are recorded as findings. */
  readonly holds: readonly InvariantId[];
  readonly description: string;
}

/**
 * The fault models of docs/formal-model.md. Which invariant holds under which model was found by
 * running them (figures in the doc); a violation outside a model is a property of the protocol.
 */
export const FAULT_MODELS: readonly FaultModel[] = [
  {
    name: 'crash',
    faults: ['crash'],
    holds: INVARIANTS,
    description: 'servers crash and restart with their lease store; the network is clean',
  },
  {
    name: 'double-crash',
    faults: ['crash', 'double-crash'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I6-acked-lease-on-partner', 'I7-liveness'],
    description: 'both servers may be down at once; each restarts with its lease store',
  },
  {
    name: 'loss',
    faults: ['crash', 'loss'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I6-acked-lease-on-partner', 'I7-liveness'],
    description: 'crash model plus control-message loss',
  },
  {
    name: 'partition',
    faults: ['crash', 'partition', 'asymmetric'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I6-acked-lease-on-partner', 'I7-liveness'],
    description: 'crash model plus symmetric and asymmetric partitions of the control channel (clients reach both servers)',
  },
  {
    name: 'split',
    faults: ['crash', 'partition', 'split'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I6-acked-lease-on-partner', 'I7-liveness'],
    description: 'partitions that also split the clients, so each server hears only its half',
  },
  {
    name: 'lose-store',
    faults: ['crash', 'lose-store'],
    holds: INVARIANTS,
    description: 'crashes whose restart may find the lease store empty',
  },
  {
    name: 'reorder',
    faults: ['crash', 'reorder'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I7-liveness'],
    description: 'crash model plus control messages that overtake each other (each request on its own connection)',
  },
  {
    name: 'duplicate',
    faults: ['crash', 'duplicate'],
    holds: INVARIANTS,
    description: 'crash model plus duplicated control messages',
  },
  {
    name: 'clock',
    faults: ['crash', 'clock-small', 'clock-large'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I7-liveness'],
    description: 'clock jumps, small (below the 30 s warning) and large (beyond the 60 s termination)',
  },
  {
    name: 'all',
    faults: ['crash', 'double-crash', 'lose-store', 'partition', 'asymmetric', 'split', 'loss', 'duplicate', 'reorder', 'clock-small', 'clock-large'],
    holds: ['I2-one-server-per-scope', 'I3-idle-serves-nothing', 'I4-partner-down-justified', 'I5-pause-and-terminated', 'I7-liveness'],
    description: 'every fault type',
  },
];

export function faultModel(name: string): FaultModel {
  const model = FAULT_MODELS.find((m) => m.name === name);
  if (model === undefined) throw new Error(`unknown fault model '${name}' (one of ${FAULT_MODELS.map((m) => m.name).join(', ')})`);
  return model;
}

export interface RandomRunOptions {
  readonly seed: number;
  readonly model: FaultModel;
  readonly spec?: ClusterSpec;
  readonly population?: ClientPopulation;
  /** Simulated time to run. */
  readonly durationMs: number;
  /** Each episode: faults for `faultyMs`, then quiet for `quietMs`. */
  readonly faultyMs?: number;
  readonly quietMs?: number;
  /** Mean time between two faults. */
  readonly faultEveryMs?: number;
  readonly logic?: HaLogic;
  readonly variant?: DriverVariant;
  /** Check only these invariants (default: those the model says hold). */
  readonly check?: ReadonlySet<InvariantId>;
  readonly stopAtFirstViolation?: boolean;
  /** Keep a trace of these categories (replay); nothing by default. */
  readonly trace?: Trace;
}

export interface RandomRunResult {
  readonly seed: number;
  readonly model: string;
  readonly simulatedMs: number;
  readonly steps: number;
  readonly faults: number;
  readonly violations: readonly Violation[];
  readonly maxConvergenceMs: number;
  readonly livenessBoundMs: number;
}

export const RANDOM_SPEC: ClusterSpec = loadBalancingPair({ validLifetimeS: 120, poolSize: 24, syncTimeoutMs: 20_000 });

export function runRandom(options: RandomRunOptions): RandomRunResult {
  const spec = options.spec ?? RANDOM_SPEC;
  const faultyMs = options.faultyMs ?? 20 * 60_000;
  const quietMs = options.quietMs ?? 10 * 60_000;
  const faultEveryMs = options.faultEveryMs ?? 60_000;
  // The fault plan has its own stream: the same seed gives the same faults whatever the cluster draws.
  const plan = new Prng(options.seed ^ 0x5eed);
  const trace = options.trace ?? new Trace(new Set<TraceCategory>());
  const cluster = new Cluster({
    spec,
    seed: options.seed,
    clients: options.population ?? DEFAULT_POPULATION,
    clientsBootAtMs: 30_000,
    trace,
    ...(options.logic === undefined ? {} : { logic: options.logic }),
    ...(options.variant === undefined ? {} : { variant: options.variant }),
  });
  const bound = livenessBoundMs(spec, 2 * 500);
  const checker = new InvariantChecker(spec, { only: options.check ?? new Set(options.model.holds), livenessBoundMs: bound });
  const violations: Violation[] = [];
  let faults = 0;
  let stop = false;
  const afterStep = (): void => {
    for (const v of checker.check(cluster)) {
      violations.push(v);
      cluster.trace('check', `check ${v.invariant} violated: ${v.detail}`);
      if (options.stopAtFirstViolation === true) stop = true;
    }
  };
  const runTo = (untilMs: number): void => {
    while (!stop) {
      const due = cluster.nextDue();
      if (due === undefined || due.atMs > untilMs) break;
      cluster.fire(due);
      afterStep();
    }
    if (!stop && untilMs > cluster.nowMs) cluster.nowMs = untilMs;
  };

  for (const peer of spec.peers) cluster.start(peer.name);
  afterStep();
  checker.faultsStopped(0);
  runTo(5 * 60_000);
  while (!stop && cluster.nowMs < options.durationMs) {
    const episodeEnd = Math.min(options.durationMs, cluster.nowMs + faultyMs);
    let next = cluster.nowMs + 1 + plan.int(2 * faultEveryMs);
    while (!stop && next < episodeEnd) {
      runTo(next);
      if (stop) break;
      if (injectFault(cluster, options.model, plan)) {
        faults += 1;
        checker.faultInjected();
      }
      afterStep();
      next = cluster.nowMs + 1 + plan.int(2 * faultEveryMs);
    }
    runTo(episodeEnd);
    if (stop || cluster.nowMs >= options.durationMs) break;
    settle(cluster);
    afterStep();
    checker.faultsStopped(cluster.nowMs);
    runTo(Math.min(options.durationMs, cluster.nowMs + quietMs));
  }
  return {
    seed: options.seed,
    model: options.model.name,
    simulatedMs: cluster.nowMs,
    steps: cluster.stats.steps,
    faults,
    violations,
    maxConvergenceMs: checker.maxConvergenceMs,
    livenessBoundMs: bound,
  };
}

/** One random fault of the model, applied now; false when the drawn fault had nothing to act on. */
function injectFault(cluster: Cluster, model: FaultModel, plan: Prng): boolean {
  const kind = plan.pick(model.faults);
  const peers = cluster.peers;
  const up = peers.filter((p) => p.up);
  const down = peers.filter((p) => !p.up);
  const [a, b] = [peers[0]?.name as string, peers[1]?.name as string];
  switch (kind) {
    case 'crash':
    case 'lose-store':
    case 'double-crash': {
      // A single failure at a time unless the model allows double failures: a crash fault while
      // a peer is down restarts it (losing its store only under 'lose-store').
      const double = model.faults.includes('double-crash') && up.length > 0 && plan.chance(0.5);
      if (down.length > 0 && !double) {
        const peer = plan.pick(down);
        cluster.start(peer.name, !(model.faults.includes('lose-store') && plan.chance(0.5)));
        return true;
      }
      if (up.length === 0) return false;
      // A single failure waits for the repair of the previous one: everybody back in its normal state.
      const normal = normalStateOf(cluster.spec);
      if (!double && !peers.every((p) => p.up && (haState(p) === normal || haState(p) === 'backup'))) return false;
      cluster.crash(plan.pick(up).name);
      return true;
    }
    case 'partition':
      if (cluster.network.cut.size > 0) cluster.heal();
      else cluster.partition(a, b);
      return true;
    case 'asymmetric':
      if (cluster.network.cut.size > 0) cluster.heal();
      else if (plan.chance(0.5)) cluster.cut(a, b);
      else cluster.cut(b, a);
      return true;
    case 'split': {
      if (cluster.network.cut.size > 0) {
        cluster.heal();
        return true;
      }
      const names = cluster.clients.map((c) => c.name);
      const half = Math.ceil(names.length / 2);
      cluster.split([a, ...names.slice(0, half)], [b, ...names.slice(half)]);
      return true;
    }
    case 'loss':
      cluster.setLinks({ ...cluster.network.control, loss: plan.chance(0.3) ? 0 : plan.between(5, 60) / 100 });
      return true;
    case 'duplicate':
      cluster.setLinks({ ...cluster.network.control, duplicate: plan.chance(0.3) ? 0 : plan.between(5, 40) / 100 });
      return true;
    case 'reorder':
      cluster.setLinks(
        plan.chance(0.3)
          ? CLEAN_CONTROL_LINK
          : { ...cluster.network.control, minDelayMs: 1, maxDelayMs: plan.between(100, 3_000), ordered: false },
      );
      return true;
    case 'clock-small':
      cluster.jumpClock(plan.pick(peers).name, plan.between(-25, 25) * 1000);
      return true;
    case 'clock-large':
      cluster.jumpClock(plan.pick(peers).name, (plan.chance(0.5) ? -1 : 1) * plan.between(40, 120) * 1000);
      return true;
  }
}

/**
 * The end of an episode's faults, as an operator would restore service: the network heals,
 * clocks are set right, and every server that is down or terminated is (re)started.
 */
function settle(cluster: Cluster): void {
  cluster.trace('fault', 'faults stop');
  cluster.heal();
  cluster.setLinks(CLEAN_CONTROL_LINK, CLEAN_DHCP_LINK);
  for (const peer of cluster.peers) {
    if (peer.clock.skewMs !== 0) cluster.jumpClock(peer.name, -peer.clock.skewMs);
  }
  // A server whose clock was stepped back holds its machine time still until the wall clock
  // catches up (contract rule 5); like a terminated one, the operator restarts it.
  for (const peer of cluster.peers) {
    if (peer.up && (haState(peer) === 'terminated' || peer.clock.lastNowMs > wallMs(peer.clock, cluster.nowMs))) cluster.crash(peer.name);
  }
  for (const peer of cluster.peers) if (!peer.up) cluster.start(peer.name, true);
}

export const describeRun = (r: RandomRunResult): string =>
  `model ${r.model} seed ${r.seed}: ${formatDuration(Math.round(r.simulatedMs / 1000) * 1000)} simulated, ${r.steps} steps, ${r.faults} faults, ` +
  `${r.violations.length} violation(s), slowest convergence ${(r.maxConvergenceMs / 1000).toFixed(1)} s (bound ${(r.livenessBoundMs / 1000).toFixed(1)} s)`;

export const replayCommand = (r: Pick<RandomRunResult, 'model' | 'seed' | 'simulatedMs'>): string =>
  `npm run build -w @tandem/models && node models/dist/scripts/models.js replay --model ${r.model} --seed ${r.seed} --duration ${Math.ceil(r.simulatedMs / 60_000)}m`;
