/**
 * The scripted two-peer run behind `npm start`: start-up, synchronisation, normal operation with
 * DHCP clients, the crash of one server, partner-down, and recovery after its restart. Load
 * balancing crashes the secondary; hot standby crashes the primary, so the standby takes over.
 */
import { Cluster } from './cluster.js';
import { hotStandbyPair, loadBalancingPair, type ClusterSpec } from './cluster-spec.js';
import { DEFAULT_POPULATION, holdsLease } from './clients.js';
import { formatGlobal } from './clock.js';
import { InvariantChecker, livenessBoundMs, type Violation } from './invariants.js';
import { CLEAN_CONTROL_LINK } from './network.js';
import { haState } from './peer.js';
import { Trace, formatLine, type TraceCategory, type TraceLine } from './trace.js';

export type DemoMode = 'load-balancing' | 'hot-standby';

export interface DemoOptions {
  readonly mode: DemoMode;
  readonly seed: number;
  /** Categories printed as they happen. */
  readonly show: ReadonlySet<TraceCategory>;
  readonly print?: (line: string) => void;
}

export interface DemoResult {
  readonly spec: ClusterSpec;
  readonly trace: Trace;
  /** Every state each peer went through, in order, starting with waiting. */
  readonly timeline: ReadonlyMap<string, readonly string[]>;
  readonly violations: readonly Violation[];
  readonly cluster: Cluster;
  readonly summary: string;
  /** The scenario reached its expected end: both servers in their normal state. */
  readonly ok: boolean;
}

/** When each phase of the script begins (seconds of simulated time). */
export const DEMO_SCRIPT_S = { clientsBoot: 40, crash: 300, restart: 720, end: 1_020 } as const;

export function runDemo(options: DemoOptions): DemoResult {
  const spec = options.mode === 'load-balancing' ? loadBalancingPair({ validLifetimeS: 120, poolSize: 32 }) : hotStandbyPair({ validLifetimeS: 120, poolSize: 32 });
  const print = options.print ?? (() => undefined);
  const echo = (line: TraceLine): void => {
    if (options.show.has(line.category)) print(formatLine(line));
  };
  const trace = new Trace(new Set<TraceCategory>(['state', 'fault', 'check', ...options.show]), echo);
  const cluster = new Cluster({
    spec,
    seed: options.seed,
    clients: DEFAULT_POPULATION,
    clientsBootAtMs: DEMO_SCRIPT_S.clientsBoot * 1000,
    trace,
  });
  const checker = new InvariantChecker(spec, { livenessBoundMs: livenessBoundMs(spec, 2 * CLEAN_CONTROL_LINK.maxDelayMs) });
  const violations: Violation[] = [];
  const timeline = new Map<string, string[]>(spec.peers.map((p) => [p.name, ['waiting']]));
  const afterStep = (): void => {
    for (const o of cluster.observations) {
      if (o.kind === 'transition') timeline.get(o.peer)?.push(o.to);
      if (o.kind === 'start' && o.restart) timeline.get(o.peer)?.push('(restart) waiting');
    }
    for (const v of checker.check(cluster)) {
      violations.push(v);
      cluster.trace('check', `check ${v.invariant} violated: ${v.detail}`);
    }
  };
  const victim = options.mode === 'load-balancing' ? 'server2' : 'server1';
  const survivor = victim === 'server1' ? 'server2' : 'server1';

  print(`Tandem cluster model — ${spec.mode}, seed ${options.seed}`);
  print(
    `  ${spec.peers.map((p) => `${p.name} ${p.role}`).join(', ')}; heartbeat-delay ${spec.heartbeatDelayMs / 1000}s, ` +
      `max-response-delay ${spec.maxResponseDelayMs / 1000}s, max-unacked-clients ${spec.maxUnackedClients}; ` +
      `${DEFAULT_POPULATION.count} DHCP clients from t=${DEMO_SCRIPT_S.clientsBoot}s, lease ${spec.validLifetimeS}s`,
  );
  print(`  script: start both; crash ${victim} at t=${DEMO_SCRIPT_S.crash}s; restart it at t=${DEMO_SCRIPT_S.restart}s; stop at t=${DEMO_SCRIPT_S.end}s`);
  cluster.start('server1');
  cluster.start('server2');
  afterStep();
  checker.faultsStopped(0);
  cluster.runUntil(DEMO_SCRIPT_S.crash * 1000, afterStep);
  cluster.crash(victim);
  checker.faultInjected();
  afterStep();
  cluster.runUntil(DEMO_SCRIPT_S.restart * 1000, afterStep);
  cluster.start(victim, true);
  afterStep();
  checker.faultsStopped(cluster.nowMs);
  cluster.runUntil(DEMO_SCRIPT_S.end * 1000, afterStep);

  const normal = spec.mode;
  const ok = cluster.peers.every((peer) => peer.up && haState(peer) === normal) && violations.length === 0;
  const summary = summarise(cluster, checker, violations, timeline, survivor, ok);
  for (const line of summary.split('\n')) print(line);
  return { spec, trace, timeline, violations, cluster, summary, ok };
}

function summarise(
  cluster: Cluster,
  checker: InvariantChecker,
  violations: readonly Violation[],
  timeline: ReadonlyMap<string, readonly string[]>,
  survivor: string,
  ok: boolean,
): string {
  const bound = cluster.clients.filter((client) => holdsLease(client, cluster.nowMs)).length;
  const s = cluster.stats;
  const lines = [
    `summary at ${formatGlobal(cluster.nowMs)}`,
    ...cluster.peers.map((peer) => `  ${peer.name}: ${cluster.stateOf(peer.name).padEnd(15)} ${timeline.get(peer.name)?.join(' → ') ?? ''}`),
    `  leases: ${cluster.peers.map((peer) => `${peer.name} store ${peer.store.size}`).join(', ')}; clients holding a lease ${bound}/${cluster.clients.length}`,
    `  ${survivor} served alone while its partner was down; recovery ended with both in their normal state: ${ok ? 'yes' : 'NO'}`,
    `  messages: control ${s.controlSent} (lost ${s.controlLost}), dhcp ${s.dhcpSent}; steps ${s.steps}`,
    `  invariants checked after every step (${checker.steps} checks): ${violations.length === 0 ? 'no violation' : `${violations.length} violation(s)`}`,
  ];
  return lines.join('\n');
}
