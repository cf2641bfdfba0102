/**
 * Golden scenario scripts (models/scenarios/*.txt), in the style of etcd/raft's data-driven
 * tests: a directive per block, followed by `----` and the trace lines it produced. The runner
 * replays the directives on a fresh cluster and compares; with UPDATE_GOLDEN=1 the test rewrites
 * the expected lines instead. Directives (docs/formal-model.md lists them with examples):
 *
 *   cluster <mode> [key=value ...]       first block: the relationship, clients, seed, links
 *   show <category ...> | show +<category>
 *   start <peer ...>  kill <peer>  restart <peer> [lose-store]
 *   partition <a> <b>  split <a> <b>  cut <from> <to>  restore <from> <to>  isolate-clients <peer>  heal
 *   clock <peer> <±duration>
 *   admin <peer> <command> [argument]
 *   tick <duration>  run-until <time>  wait-for <peer> <state> within <duration>
 *   expect <peer> <state>  expect-violation <invariant>  quiet
 *   leases  clients
 */
import type { HaEvent, PauseMode, StateLabel } from '@tandem/core';
import { Cluster } from './cluster.js';
import { type ClusterSpec, type PeerSpec } from './cluster-spec.js';
import { DEFAULT_POPULATION, holdsLease, type ClientPopulation } from './clients.js';
import { formatGlobal } from './clock.js';
import { formatDuration, parseDuration } from './duration.js';
import { InvariantChecker, INVARIANTS, livenessBoundMs, type InvariantId, type Violation } from './invariants.js';
import { CLEAN_CONTROL_LINK, CLEAN_DHCP_LINK, type LinkProfile } from './network.js';
import { Trace, formatLine, type TraceCategory } from './trace.js';
import type { HaLogic } from './machine-host.js';
import { SHELLS, type DriverVariant } from './variants.js';

export interface ScenarioBlock {
  /** Comment and blank lines before the directive, kept as written. */
  readonly preamble: readonly string[];
  readonly directive: string;
  /** The expected output; undefined when the block has no `----` section yet. */
  readonly expected?: readonly string[];
}

export interface ScenarioResult {
  readonly blocks: readonly ScenarioBlock[];
  /** The output each directive produced. */
  readonly outputs: readonly (readonly string[])[];
  /** Failed expectations, with the directive they belong to. */
  readonly errors: readonly string[];
  readonly violations: readonly Violation[];
  readonly cluster?: Cluster;
}

const SEPARATOR = '----';

export function parseScenario(text: string): ScenarioBlock[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const blocks: ScenarioBlock[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.startsWith('#')) {
      preamble.push(line);
      i += 1;
      continue;
    }
    const directive = line.trim();
    i += 1;
    let expected: string[] | undefined;
    if (lines[i]?.trim() === SEPARATOR) {
      expected = [];
      i += 1;
      while (i < lines.length && (lines[i] as string).trim() !== '') {
        expected.push(lines[i] as string);
        i += 1;
      }
    }
    blocks.push({ preamble, directive, ...(expected === undefined ? {} : { expected }) });
    preamble = [];
  }
  if (preamble.some((line) => line.trim() !== '')) blocks.push({ preamble, directive: '' });
  return blocks;
}

/** The script with every block's expected output replaced by what the run produced. */
export function renderScenario(result: ScenarioResult): string {
  const out: string[] = [];
  result.blocks.forEach((block, index) => {
    out.push(...block.preamble);
    if (block.directive === '') return;
    out.push(block.directive, SEPARATOR, ...(result.outputs[index] ?? []));
  });
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

const DEFAULT_SHOW: readonly TraceCategory[] = ['state', 'fault', 'check'];

export interface ScenarioOptions {
  /** Run the script on a broken machine or shell (variants.ts) instead of the real ones. */
  readonly logic?: HaLogic;
  readonly variant?: DriverVariant;
}

export function runScenario(text: string, options: ScenarioOptions = {}): ScenarioResult {
  const blocks = parseScenario(text);
  const outputs: string[][] = [];
  const errors: string[] = [];
  const violations: Violation[] = [];
  const acknowledged = new Set<InvariantId>();
  let show = new Set<TraceCategory>(DEFAULT_SHOW);
  let cluster: Cluster | undefined;
  let checker: InvariantChecker | undefined;
  let output: string[] = [];
  const trace = new Trace(undefined, (line) => {
    if (show.has(line.category)) output.push(formatLine(line));
  });

  /** Transitions seen during the current directive: `wait-for` also counts states passed through in one step. */
  let entered: string[] = [];
  const afterStep = (): void => {
    if (cluster === undefined || checker === undefined) return;
    for (const o of cluster.observations) if (o.kind === 'transition') entered.push(`${o.peer} ${o.to}`);
    for (const v of checker.check(cluster)) {
      violations.push(v);
      cluster.trace('check', `check ${v.invariant} violated: ${v.detail}`);
    }
  };
  const need = (): Cluster => {
    if (cluster === undefined) throw new Error('the first directive must be `cluster <mode> ...`');
    return cluster;
  };
  const faulted = (): void => checker?.faultInjected();

  for (const block of blocks) {
    output = [];
    entered = [];
    const words = block.directive.split(/\s+/).filter((w) => w !== '');
    const [verb, ...args] = words;
    try {
      switch (verb) {
        case undefined:
          break;
        case 'cluster': {
          const built = buildCluster(args, trace, options);
          cluster = built.cluster;
          checker = new InvariantChecker(built.cluster.spec, { livenessBoundMs: livenessBoundMs(built.cluster.spec, 2 * built.control.maxDelayMs) });
          break;
        }
        case 'show':
          if (args.every((a) => a.startsWith('+'))) show = new Set([...show, ...args.map((a) => a.slice(1) as TraceCategory)]);
          else show = new Set(args as TraceCategory[]);
          break;
        case 'start':
          for (const name of args) need().start(name);
          afterStep();
          break;
        case 'kill':
          faulted();
          need().crash(arg(args, 0, 'peer'));
          afterStep();
          break;
        case 'restart':
          faulted();
          need().start(arg(args, 0, 'peer'), args[1] !== 'lose-store');
          afterStep();
          break;
        case 'partition':
          faulted();
          need().partition(arg(args, 0, 'peer'), arg(args, 1, 'peer'));
          break;
        case 'cut':
          faulted();
          need().cut(arg(args, 0, 'from'), arg(args, 1, 'to'));
          break;
        case 'restore':
          need().restore(arg(args, 0, 'from'), arg(args, 1, 'to'));
          break;
        case 'split': {
          // split <peer> <peer>: the control channel is cut and each server keeps half the clients.
          faulted();
          const c = need();
          const a = arg(args, 0, 'peer');
          const b = arg(args, 1, 'peer');
          const half = Math.ceil(c.clients.length / 2);
          const names = c.clients.map((client) => client.name);
          c.split([a, ...names.slice(0, half)], [b, ...names.slice(half)]);
          break;
        }
        case 'isolate-clients': {
          faulted();
          const peer = arg(args, 0, 'peer');
          need().cut('*', peer);
          need().cut(peer, '*');
          break;
        }
        case 'heal':
          need().heal();
          break;
        case 'clock':
          faulted();
          need().jumpClock(arg(args, 0, 'peer'), parseDuration(arg(args, 1, 'offset')));
          break;
        case 'admin':
          need().admin(arg(args, 0, 'peer'), adminCommand(args.slice(1)));
          afterStep();
          break;
        case 'quiet':
          checker?.faultsStopped(need().nowMs);
          break;
        case 'tick': {
          const c = need();
          c.runUntil(c.nowMs + parseDuration(arg(args, 0, 'duration')), afterStep);
          break;
        }
        case 'run-until':
          need().runUntil(parseDuration(arg(args, 0, 'time')), afterStep);
          break;
        case 'wait-for': {
          const c = need();
          const peer = arg(args, 0, 'peer');
          const state = arg(args, 1, 'state');
          if (args[2] !== 'within') throw new Error('write `wait-for <peer> <state> within <duration>`');
          const deadline = c.nowMs + parseDuration(arg(args, 3, 'duration'));
          const reached = (): boolean => c.stateOf(peer) === state || entered.includes(`${peer} ${state}`);
          while (!reached()) {
            const due = c.nextDue();
            if (due === undefined || due.atMs > deadline) break;
            c.fire(due);
            afterStep();
          }
          if (!reached()) {
            errors.push(`${block.directive}: ${peer} is ${c.stateOf(peer)} at ${formatGlobal(deadline)}`);
            c.runUntil(deadline, afterStep);
          }
          break;
        }
        case 'expect': {
          const c = need();
          const peer = arg(args, 0, 'peer');
          const state = arg(args, 1, 'state');
          if (c.stateOf(peer) !== state) errors.push(`${block.directive}: ${peer} is ${c.stateOf(peer)} at ${formatGlobal(c.nowMs)}`);
          break;
        }
        case 'expect-violation': {
          const id = INVARIANTS.find((inv) => inv === arg(args, 0, 'invariant') || inv.startsWith(`${args[0]}-`));
          if (id === undefined) throw new Error(`unknown invariant '${args[0]}' (one of ${INVARIANTS.join(', ')})`);
          acknowledged.add(id);
          if (!violations.some((v) => v.invariant === id)) errors.push(`${block.directive}: ${id} was not violated`);
          break;
        }
        case 'leases': {
          const c = need();
          const names = new Map(c.clients.map((client) => [client.mac, client.name]));
          for (const peer of c.peers) {
            const entries = [...peer.store.values()].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
            output.push(`${peer.name} store: ${entries.map((l) => `${l.address}=${names.get(l.hwAddress) ?? l.hwAddress}`).join(' ') || '(empty)'}`);
          }
          break;
        }
        case 'clients': {
          const c = need();
          for (const client of c.clients) {
            output.push(
              holdsLease(client, c.nowMs) && client.lease !== undefined
                ? `${client.name} ${client.phase} ${client.lease.address} from ${client.lease.server} (${client.lease.ackedInState})`
                : `${client.name} ${client.phase}`,
            );
          }
          break;
        }
        default:
          throw new Error(`unknown directive '${verb}'`);
      }
    } catch (error) {
      errors.push(`${block.directive}: ${(error as Error).message}`);
    }
    outputs.push(output);
  }
  for (const id of new Set(violations.map((v) => v.invariant))) {
    if (!acknowledged.has(id)) errors.push(`${id} was violated and the script does not say expect-violation ${id}`);
  }
  return { blocks, outputs, errors, violations, ...(cluster === undefined ? {} : { cluster }) };
}

function arg(args: readonly string[], index: number, what: string): string {
  const value = args[index];
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
}

function adminCommand(words: readonly string[]): (nowMs: number, requestId: string) => HaEvent {
  const [name, argument] = words;
  switch (name) {
    case 'ha-reset':
      return (nowMs, requestId) => ({ type: 'command.ha-reset', nowMs, requestId });
    case 'ha-continue':
      return (nowMs, requestId) => ({ type: 'command.ha-continue', nowMs, requestId });
    case 'ha-maintenance-start':
      return (nowMs, requestId) => ({ type: 'command.ha-maintenance-start', nowMs, requestId });
    case 'ha-maintenance-cancel':
      return (nowMs, requestId) => ({ type: 'command.ha-maintenance-cancel', nowMs, requestId });
    case 'ha-scopes':
      return (nowMs, requestId) => ({ type: 'command.ha-scopes', nowMs, requestId, scopes: argument === undefined || argument === '-' ? [] : argument.split(',') });
    case 'dhcp-disable':
      return (nowMs, requestId) => ({ type: 'command.dhcp-disable', nowMs, requestId, origin: 'user' });
    case 'dhcp-enable':
      return (nowMs, requestId) => ({ type: 'command.dhcp-enable', nowMs, requestId, origin: 'user' });
    default:
      throw new Error(`unknown admin command '${name}'`);
  }
}

interface BuiltCluster {
  readonly cluster: Cluster;
  readonly control: LinkProfile;
}

/**
 * `cluster <mode> key=value ...`. Keys: peers (`server1:primary,server2:secondary,...`),
 * heartbeat-delay, max-response-delay, max-ack-delay, max-unacked-clients,
 * delayed-updates-limit, sync-page-limit, sync-timeout, lease, pool, clients, clients-from,
 * release, seed, auto-failover-<peer>=false, pause-<state>=always|once|never,
 * control-delay=<min>..<max>, control-loss, control-dup, control-ordered=false, shell=<name> (variants.ts SHELLS, e.g.
 * kea-2.2-blocking-sync), blocking-sync=true (the same as shell=kea-2.2-blocking-sync).
 */
function buildCluster(args: readonly string[], trace: Trace, variants: ScenarioOptions): BuiltCluster {
  const [mode, ...pairs] = args;
  if (mode !== 'load-balancing' && mode !== 'hot-standby' && mode !== 'passive-backup') {
    throw new Error(`cluster mode must be load-balancing, hot-standby or passive-backup, not '${mode}'`);
  }
  const options = new Map(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 0) throw new Error(`'${pair}' is not key=value`);
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    }),
  );
  const take = (key: string): string | undefined => {
    const value = options.get(key);
    options.delete(key);
    return value;
  };
  const second = mode === 'load-balancing' ? 'secondary' : 'standby';
  const peersText = take('peers') ?? (mode === 'passive-backup' ? 'server1:primary,server3:backup' : `server1:primary,server2:${second}`);
  const autoFailover = new Map<string, boolean>();
  const pause: Partial<Record<StateLabel, PauseMode>> = {};
  for (const [key, value] of [...options]) {
    if (key.startsWith('auto-failover-')) {
      autoFailover.set(key.slice('auto-failover-'.length), value !== 'false');
      options.delete(key);
    } else if (key.startsWith('pause-')) {
      pause[key.slice('pause-'.length) as StateLabel] = value as PauseMode;
      options.delete(key);
    }
  }
  const peers: PeerSpec[] = peersText.split(',').map((entry) => {
    const [name, role] = entry.split(':');
    if (name === undefined || role === undefined) throw new Error(`peer '${entry}' must be written name:role`);
    const af = autoFailover.get(name);
    return { name, role: role as PeerSpec['role'], ...(af === undefined ? {} : { autoFailover: af }) };
  });
  const duration = (key: string, fallback: number): number => {
    const value = take(key);
    return value === undefined ? fallback : parseDuration(value);
  };
  const count = (key: string, fallback: number): number => {
    const value = take(key);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${key} must be a non-negative number, not '${value}'`);
    return n;
  };
  const delayedUpdates = take('delayed-updates-limit');
  const pageLimit = take('sync-page-limit');
  const syncTimeout = take('sync-timeout');
  const spec: ClusterSpec = {
    mode,
    peers,
    heartbeatDelayMs: duration('heartbeat-delay', 10_000),
    maxResponseDelayMs: duration('max-response-delay', 60_000),
    maxAckDelayMs: duration('max-ack-delay', 10_000),
    maxUnackedClients: count('max-unacked-clients', 10),
    ...(delayedUpdates === undefined ? {} : { delayedUpdatesLimit: Number(delayedUpdates) }),
    ...(pageLimit === undefined ? {} : { syncPageLimit: Number(pageLimit) }),
    ...(syncTimeout === undefined ? {} : { syncTimeoutMs: parseDuration(syncTimeout) }),
    ...(Object.keys(pause).length === 0 ? {} : { pause }),
    poolSize: count('pool', 16),
    validLifetimeS: duration('lease', 120_000) / 1000,
  };
  const clients: ClientPopulation = {
    ...DEFAULT_POPULATION,
    count: count('clients', 0),
    releaseProbability: count('release', 0),
  };
  const [minDelay, maxDelay] = (take('control-delay') ?? `${CLEAN_CONTROL_LINK.minDelayMs}ms..${CLEAN_CONTROL_LINK.maxDelayMs}ms`).split('..').map(parseDuration);
  const control: LinkProfile = {
    minDelayMs: minDelay ?? CLEAN_CONTROL_LINK.minDelayMs,
    maxDelayMs: maxDelay ?? CLEAN_CONTROL_LINK.maxDelayMs,
    loss: count('control-loss', 0),
    duplicate: count('control-dup', 0),
    ordered: take('control-ordered') !== 'false',
  };
  const seed = count('seed', 1);
  const shellName = take('shell') ?? (take('blocking-sync') === 'true' ? 'kea-2.2-blocking-sync' : undefined);
  const shell = shellName === undefined ? undefined : SHELLS[shellName];
  if (shellName !== undefined && shell === undefined) throw new Error(`unknown shell '${shellName}' (one of ${Object.keys(SHELLS).join(', ')})`);
  const clientsFrom = duration('clients-from', 0);
  if (options.size > 0) throw new Error(`unknown cluster option(s): ${[...options.keys()].join(', ')}`);
  const cluster = new Cluster({
    spec,
    seed,
    clients,
    clientsBootAtMs: clientsFrom,
    control,
    dhcp: CLEAN_DHCP_LINK,
    trace,
    ...(variants.logic === undefined ? {} : { logic: variants.logic }),
    ...(variants.variant !== undefined ? { variant: variants.variant } : shell !== undefined ? { variant: shell } : {}),
  });
  cluster.trace('fault', `cluster ${mode} ${peers.map((p) => `${p.name}:${p.role}`).join(',')} heartbeat-delay=${formatDuration(spec.heartbeatDelayMs)} max-response-delay=${formatDuration(spec.maxResponseDelayMs)} max-unacked-clients=${spec.maxUnackedClients} clients=${clients.count}`);
  return { cluster, control };
}
