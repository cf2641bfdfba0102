/**
 * Exhaustive breadth-first exploration of a small cluster: from a start state, every enabled
 * action — fire the next timer or timeout, deliver or lose a message in flight, crash or restart
 * a server, cut or heal the control channel — is tried in every reachable state, states are
 * merged by their fingerprint (fingerprint.ts), and every invariant is checked after every
 * action. Breadth first means the first violation found of each invariant comes with a shortest
 * trace (a minimal counterexample, in actions).
 *
 * The network runs in async mode: a message has no due time, the explorer decides when it
 * arrives (any delay) or whether it is lost. Messages on one directed link arrive in order (one
 * HTTP connection per peer, as Kea 2.2's client keeps); reordering across links is explored.
 */
import { Cluster } from './cluster.js';
import type { ClusterSpec } from './cluster-spec.js';
import type { ClientPopulation } from './clients.js';
import { formatGlobal } from './clock.js';
import { fingerprint, hash53 } from './fingerprint.js';
import { InvariantChecker, INVARIANTS, type InvariantId, type Violation } from './invariants.js';
import type { HaLogic } from './machine-host.js';
import type { Message } from './network.js';
import { haState } from './peer.js';
import { Trace, formatLine, silentTrace, type TraceCategory } from './trace.js';
import type { DriverVariant } from './variants.js';

export type ExploreAction =
  | { readonly kind: 'tick' }
  | { readonly kind: 'deliver'; readonly seq: number; readonly label: string }
  | { readonly kind: 'lose'; readonly seq: number; readonly label: string }
  | { readonly kind: 'crash'; readonly peer: string }
  | { readonly kind: 'restart'; readonly peer: string }
  | { readonly kind: 'partition' }
  | { readonly kind: 'split' }
  | { readonly kind: 'heal' };

export interface ExploreFaults {
  /** Control messages may be lost, at most this many times along a path. */
  readonly losses: number;
  /** Server crashes along a path (each crashed server may be restarted, store kept). */
  readonly crashes: number;
  /** Control-channel partitions along a path (each may heal). */
  readonly partitions: number;
  /** A partition also splits the clients: the first half hear only the first server. */
  readonly split: boolean;
}

export interface ExploreOptions {
  readonly spec: ClusterSpec;
  readonly population: ClientPopulation;
  readonly seed: number;
  readonly faults: ExploreFaults;
  /** Run this long in timed mode before exploring (0: explore the cold start itself). */
  readonly prefixMs: number;
  /** When the clients boot (they may boot inside the explored part). */
  readonly clientsBootAtMs?: number;
  /** Ticks never move time further than this past the start state. */
  readonly horizonMs: number;
  /**
   * A message is delivered (or lost) within this time of its send: time does not advance past a
   * message still in flight for longer (a bounded-delay network; loss is a separate, budgeted
   * fault). Undefined: any delay, a message may overtake timeouts.
   */
  readonly maxDelayMs?: number;
  readonly maxDepth: number;
  readonly timeLimitMs: number;
  /** Give up a level when the next frontier would exceed this many states (memory bound). */
  readonly maxFrontier?: number;
  readonly logic?: HaLogic;
  readonly variant?: DriverVariant;
  readonly check?: ReadonlySet<InvariantId>;
  /** Stop at the first violation found (any invariant). */
  readonly stopAtFirstViolation?: boolean;
}

export interface Counterexample {
  readonly violation: Violation;
  readonly actions: readonly ExploreAction[];
}

export interface ExploreResult {
  /** Distinct states (by fingerprint) reached, the start state included. */
  readonly states: number;
  /** Actions applied (edges of the state graph). */
  readonly transitions: number;
  /** The deepest level explored completely. */
  readonly depth: number;
  readonly elapsedMs: number;
  readonly counterexamples: ReadonlyMap<InvariantId, Counterexample>;
  /** Why it stopped: every state explored, the depth bound, the time limit, the memory bound, or a violation. */
  readonly stoppedBy: 'exhausted' | 'depth' | 'time' | 'frontier' | 'violation';
  readonly start: Cluster;
}

interface Node {
  readonly cluster: Cluster;
  readonly checker: InvariantChecker;
  readonly budget: Budget;
  readonly path: PathLink | undefined;
}

interface PathLink {
  readonly action: ExploreAction;
  readonly parent: PathLink | undefined;
}

interface Budget {
  readonly losses: number;
  readonly crashes: number;
  readonly partitions: number;
}

/** The start state: a cluster after `prefixMs` of ordinary (timed) running, switched to async delivery. */
export function startState(options: Omit<ExploreOptions, 'timeLimitMs' | 'maxDepth'>, trace: Trace = silentTrace()): Cluster {
  const cluster = new Cluster({
    spec: options.spec,
    seed: options.seed,
    clients: options.population,
    clientsBootAtMs: options.clientsBootAtMs ?? 0,
    timing: options.prefixMs > 0 ? 'timed' : 'async',
    trace,
    ...(options.logic === undefined ? {} : { logic: options.logic }),
    ...(options.variant === undefined ? {} : { variant: options.variant }),
  });
  for (const peer of options.spec.peers) cluster.start(peer.name);
  if (options.prefixMs > 0) cluster.runUntil(options.prefixMs);
  cluster.network = {
    ...cluster.network,
    mode: 'async',
    inFlight: cluster.network.inFlight.map(({ dueMs: _due, ...message }) => message),
  };
  cluster.observations = [];
  return cluster;
}

export function explore(options: ExploreOptions): ExploreResult {
  const started = Date.now();
  const check = options.check ?? new Set(INVARIANTS.filter((i) => i !== 'I7-liveness'));
  const start = startState(options);
  const rootChecker = new InvariantChecker(options.spec, { only: check });
  rootChecker.check(start);
  const seen = new Set<number>();
  const budget: Budget = { losses: options.faults.losses, crashes: options.faults.crashes, partitions: options.faults.partitions };
  const key = (cluster: Cluster, b: Budget): number => hash53(fingerprint(cluster, `${b.losses}/${b.crashes}/${b.partitions}`));
  seen.add(key(start, budget));
  let frontier: Node[] = [{ cluster: start, checker: rootChecker, budget, path: undefined }];
  const counterexamples = new Map<InvariantId, Counterexample>();
  let transitions = 0;
  let depth = 0;
  let stoppedBy: ExploreResult['stoppedBy'] = 'exhausted';
  const horizon = start.nowMs + options.horizonMs;
  const maxFrontier = options.maxFrontier ?? 400_000;

  outer: while (frontier.length > 0) {
    if (depth >= options.maxDepth) {
      stoppedBy = 'depth';
      break;
    }
    const next: Node[] = [];
    for (const node of frontier) {
      if (Date.now() - started > options.timeLimitMs) {
        stoppedBy = 'time';
        break outer;
      }
      for (const action of enabledActions(node.cluster, node.budget, options.faults, horizon, options.maxDelayMs)) {
        const cluster = node.cluster.clone(silentTrace());
        const childBudget = apply(cluster, action, node.budget, options.faults);
        const checker = node.checker.clone();
        const violations = checker.check(cluster);
        transitions += 1;
        const k = key(cluster, childBudget);
        if (seen.has(k)) continue;
        seen.add(k);
        const path: PathLink = { action, parent: node.path };
        if (violations.length > 0) {
          for (const violation of violations) {
            if (!counterexamples.has(violation.invariant)) counterexamples.set(violation.invariant, { violation, actions: unwind(path) });
          }
          if (options.stopAtFirstViolation === true) {
            stoppedBy = 'violation';
            depth += 1;
            break outer;
          }
          continue;
        }
        next.push({ cluster, checker, budget: childBudget, path });
        if (next.length > maxFrontier) {
          stoppedBy = 'frontier';
          break outer;
        }
      }
    }
    frontier = next;
    depth += 1;
  }
  return { states: seen.size, transitions, depth, elapsedMs: Date.now() - started, counterexamples, stoppedBy, start };
}

function unwind(link: PathLink | undefined): ExploreAction[] {
  const actions: ExploreAction[] = [];
  for (let l = link; l !== undefined; l = l.parent) actions.push(l.action);
  return actions.reverse();
}

/** The message at the head of each directed link (links deliver in order). */
function headsOfLinks(inFlight: readonly Message[]): Message[] {
  const heads = new Map<string, Message>();
  for (const m of inFlight) {
    const link = `${m.channel} ${m.from}>${m.to}`;
    const head = heads.get(link);
    if (head === undefined || m.seq < head.seq) heads.set(link, m);
  }
  return [...heads.values()].sort((a, b) => a.seq - b.seq);
}

export function enabledActions(cluster: Cluster, budget: Budget, faults: ExploreFaults, horizonMs: number, maxDelayMs?: number): ExploreAction[] {
  const actions: ExploreAction[] = [];
  const due = cluster.nextDue();
  let latest = horizonMs;
  if (maxDelayMs !== undefined) for (const m of cluster.network.inFlight) latest = Math.min(latest, m.sentAtMs + maxDelayMs);
  if (due !== undefined && due.atMs <= latest) actions.push({ kind: 'tick' });
  for (const m of headsOfLinks(cluster.network.inFlight)) {
    const label = `${m.from}→${m.to} ${m.label}`;
    actions.push({ kind: 'deliver', seq: m.seq, label });
    if (m.channel === 'control' && budget.losses > 0) actions.push({ kind: 'lose', seq: m.seq, label });
  }
  for (const peer of cluster.peers) {
    if (peer.up && budget.crashes > 0 && haState(peer) !== 'backup') actions.push({ kind: 'crash', peer: peer.name });
    if (!peer.up) actions.push({ kind: 'restart', peer: peer.name });
  }
  if (cluster.network.cut.size > 0) actions.push({ kind: 'heal' });
  else if (budget.partitions > 0) actions.push(faults.split ? { kind: 'split' } : { kind: 'partition' });
  return actions;
}

export function apply(cluster: Cluster, action: ExploreAction, budget: Budget, _faults?: ExploreFaults): Budget {
  switch (action.kind) {
    case 'tick': {
      const due = cluster.nextDue();
      if (due !== undefined) cluster.fire(due);
      return budget;
    }
    case 'deliver':
    case 'lose': {
      const message = cluster.network.inFlight.find((m) => m.seq === action.seq);
      if (message === undefined) throw new Error(`no message ${action.seq} in flight (${action.label})`);
      if (action.kind === 'deliver') cluster.deliver(message);
      else cluster.drop(message);
      return action.kind === 'lose' ? { ...budget, losses: budget.losses - 1 } : budget;
    }
    case 'crash':
      cluster.crash(action.peer);
      return { ...budget, crashes: budget.crashes - 1 };
    case 'restart':
      cluster.start(action.peer, true);
      return budget;
    case 'partition': {
      const [a, b] = cluster.peers;
      if (a !== undefined && b !== undefined) cluster.partition(a.name, b.name);
      return { ...budget, partitions: budget.partitions - 1 };
    }
    case 'split': {
      const [a, b] = cluster.peers;
      if (a !== undefined && b !== undefined) {
        const names = cluster.clients.map((c) => c.name);
        const half = Math.ceil(names.length / 2);
        cluster.split([a.name, ...names.slice(0, half)], [b.name, ...names.slice(half)]);
      }
      return { ...budget, partitions: budget.partitions - 1 };
    }
    case 'heal':
      cluster.heal();
      return budget;
  }
}

export const describeAction = (action: ExploreAction): string => {
  switch (action.kind) {
    case 'tick':
      return 'tick';
    case 'deliver':
      return `deliver ${action.label}`;
    case 'lose':
      return `lose ${action.label}`;
    case 'crash':
      return `crash ${action.peer}`;
    case 'restart':
      return `restart ${action.peer}`;
    default:
      return action.kind;
  }
};

/** Replays a counterexample from the start state with a full trace: the readable minimal trace. */
export function replayCounterexample(options: Omit<ExploreOptions, 'timeLimitMs' | 'maxDepth'>, example: Counterexample, categories: ReadonlySet<TraceCategory>): string {
  const lines: string[] = [];
  const trace = new Trace(new Set(categories), (line) => lines.push(`    ${formatLine(line)}`));
  const cluster = startState(options, silentTrace()).clone(trace);
  const checker = new InvariantChecker(options.spec, { only: new Set([example.violation.invariant]) });
  let budget: Budget = { losses: options.faults.losses, crashes: options.faults.crashes, partitions: options.faults.partitions };
  lines.push(`  start: ${cluster.describe()}`);
  example.actions.forEach((action, index) => {
    lines.push(`  ${String(index + 1).padStart(2)}. ${describeAction(action)}`);
    budget = apply(cluster, action, budget, options.faults);
    for (const v of checker.check(cluster)) lines.push(`    ${formatGlobal(cluster.nowMs)} check ${v.invariant} violated: ${v.detail}`);
  });
  lines.push(`  end: ${cluster.describe()}`);
  return lines.join('\n');
}
