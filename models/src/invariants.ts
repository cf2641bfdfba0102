/**
 * The safety and liveness properties of issue 6, checked after every step of a run. Each holds
 * only under a fault model (docs/formal-model.md, "Invariants"); a violation outside it is a
 * property of the protocol, reported as an operator finding, not a bug.
 */
import { match } from 'ts-pattern';
import type { StateLabel } from '@tandem/core';
import { holdsLease, leaseExpiryMs, type DhcpClient } from './clients.js';
import type { ClusterSpec } from './cluster-spec.js';
import type { Cluster } from './cluster.js';
import { haState } from './peer.js';
import { REQUEST_TIMEOUT_MS } from './tasks.js';
import type { Observation } from './world.js';

export type InvariantId =
  | 'I1-no-double-lease'
  | 'I2-one-server-per-scope'
  | 'I3-idle-serves-nothing'
  | 'I4-partner-down-justified'
  | 'I5-pause-and-terminated'
  | 'I6-acked-lease-on-partner'
  | 'I7-liveness';

export const INVARIANTS: readonly InvariantId[] = [
  'I1-no-double-lease',
  'I2-one-server-per-scope',
  'I3-idle-serves-nothing',
  'I4-partner-down-justified',
  'I5-pause-and-terminated',
  'I6-acked-lease-on-partner',
  'I7-liveness',
];

export interface Violation {
  readonly invariant: InvariantId;
  readonly atMs: number;
  readonly detail: string;
}

/** What a state invariant found wrong, with a key that stays the same while the same problem lasts. */
type Report = (invariant: InvariantId, detail: string, key?: string) => void;

/** States in which a scope may legitimately be served by two servers at once (invariant 2). */
const SHARED_SERVICE: ReadonlySet<StateLabel> = new Set(['partner-down', 'partner-in-maintenance', 'passive-backup']);
/** States that serve no scope (invariant 3). */
const IDLE: ReadonlySet<StateLabel> = new Set(['waiting', 'syncing', 'ready', 'in-maintenance', 'backup']);

export const normalStateOf = (spec: ClusterSpec): StateLabel =>
  match(spec.mode)
    .with('load-balancing', () => 'load-balancing' as const)
    .with('hot-standby', () => 'hot-standby' as const)
    .with('passive-backup', () => 'passive-backup' as const)
    .exhaustive();

/**
 * Invariant 7's bound: after the last fault, every active server is in its normal state within
 * this time. Derivation (docs/formal-model.md, "Liveness bound"): a request sent before the faults
 * stopped may still wait out its timeout (at most sync-timeout, 60 s by default, for a lease
 * page); after that a server learns its partner's current state within one heartbeat period
 * P = heartbeat-delay + the 10 s heartbeat timeout; the longest chain of decisions back to the
 * normal states takes 8 such periods and 3 synchronisations of a few round trips per page.
 */
export function livenessBoundMs(spec: ClusterSpec, maxRoundTripMs: number, pages = 1): number {
  const period = spec.heartbeatDelayMs + REQUEST_TIMEOUT_MS;
  const sync = (pages * 2 + 1) * maxRoundTripMs;
  return Math.max(spec.syncTimeoutMs ?? 60_000, REQUEST_TIMEOUT_MS) + 8 * period + 3 * sync;
}

export interface CheckerOptions {
  /** Which invariants to check; all by default. */
  readonly only?: ReadonlySet<InvariantId>;
  /** Invariant 7's bound; without it liveness is not checked. */
  readonly livenessBoundMs?: number;
}

export class InvariantChecker {
  private readonly only: ReadonlySet<InvariantId>;
  private quietSinceMs: number | undefined;
  private convergedAtMs: number | undefined;
  private livenessReported = false;
  /** Problems of state invariants already reported and still present: reported once, when they begin. */
  private ongoing: ReadonlySet<string> = new Set();
  /** The longest time from "faults stopped" to "all actives normal" seen so far. */
  maxConvergenceMs = 0;
  steps = 0;

  constructor(
    private readonly spec: ClusterSpec,
    private readonly options: CheckerOptions = {},
  ) {
    this.only = options.only ?? new Set(INVARIANTS);
  }

  /** The runner stopped injecting faults at this time (network healed, peers up, clocks sane). */
  faultsStopped(atMs: number): void {
    this.quietSinceMs = atMs;
    this.convergedAtMs = undefined;
    this.livenessReported = false;
  }

  /** A fault happened: the liveness clock is off until the runner says faults stopped again. */
  faultInjected(): void {
    this.quietSinceMs = undefined;
    this.convergedAtMs = undefined;
  }

  clone(): InvariantChecker {
    const copy = new InvariantChecker(this.spec, this.options);
    Object.assign(copy, this);
    return copy;
  }

  /** Everything violated by the last step (whose observations are consumed). */
  check(cluster: Cluster): Violation[] {
    this.steps += 1;
    const violations: Violation[] = [];
    const present = new Set<string>();
    const add: Report = (invariant, detail, key) => {
      if (!this.only.has(invariant)) return;
      if (key !== undefined) {
        const id = `${invariant} ${key}`;
        present.add(id);
        if (this.ongoing.has(id)) return;
      }
      violations.push({ invariant, atMs: cluster.nowMs, detail });
    };
    const observations = cluster.observations;
    cluster.observations = [];
    for (const observation of observations) this.checkObservation(observation, add);
    this.checkLeases(cluster, add);
    this.checkScopes(cluster, add);
    this.checkAckedLeases(cluster, add);
    this.checkLiveness(cluster, add);
    this.ongoing = present;
    return violations;
  }

  private checkObservation(o: Observation, add: Report): void {
    if (o.kind !== 'transition') return;
    const spec = this.spec;
    if (o.to === 'partner-down' && o.from !== 'partner-in-maintenance' && o.cause !== 'maintenance-notify.completed') {
      const role = spec.peers.find((p) => p.name === o.peer)?.role;
      const f = o.failure;
      const interrupted = f.sinceContactMs > spec.maxResponseDelayMs;
      const confirmed =
        spec.maxUnackedClients === 0 || !f.dhcpEnabled || (spec.mode === 'hot-standby' && role === 'primary') || f.unackedClients > spec.maxUnackedClients;
      if (!interrupted || !confirmed) {
        add(
          'I4-partner-down-justified',
          `${o.peer} ${o.from}→partner-down after ${f.sinceContactMs} ms without a heartbeat (max-response-delay ${spec.maxResponseDelayMs}) with ${f.unackedClients} unacked clients (max ${spec.maxUnackedClients}), dhcp ${f.dhcpEnabled ? 'enabled' : 'disabled'}`,
        );
      }
    }
    const byCommand = o.cause.startsWith('command.') || o.cause === 'maintenance-notify.completed';
    if (o.pausedBefore && !byCommand) {
      add('I5-pause-and-terminated', `${o.peer} was paused and went ${o.from}→${o.to} on ${o.cause}`);
    }
    if (o.from === 'terminated' && o.cause !== 'command.ha-reset') {
      add('I5-pause-and-terminated', `${o.peer} left terminated (→${o.to}) on ${o.cause}`);
    }
  }

  /** Invariant 1: no address is held by two clients at once (the clients' view, the one that matters on the wire). */
  private checkLeases(cluster: Cluster, add: Report): void {
    const holder = new Map<string, string>();
    const describe = (client: DhcpClient): string =>
      `${client.name} (by ${client.lease?.server} in ${client.lease?.ackedInState}, until t=${((client.lease === undefined ? 0 : leaseExpiryMs(client.lease)) / 1000).toFixed(3)})`;
    for (const client of cluster.clients) {
      if (!holdsLease(client, cluster.nowMs) || client.lease === undefined) continue;
      const other = holder.get(client.lease.address);
      if (other !== undefined) {
        const first = cluster.clients.find((c) => c.name === other) as DhcpClient;
        add('I1-no-double-lease', `${client.lease.address} is leased to ${describe(first)} and to ${describe(client)}`, `${client.lease.address} ${other} ${client.name}`);
      }
      holder.set(client.lease.address, client.name);
    }
  }

  /** Invariants 2 and 3. */
  private checkScopes(cluster: Cluster, add: Report): void {
    for (const peer of cluster.peers) {
      const state = haState(peer);
      if (!peer.up || state === undefined) continue;
      if (IDLE.has(state) && peer.servedScopes.length > 0) {
        add('I3-idle-serves-nothing', `${peer.name} in ${state} serves [${peer.servedScopes.join(',')}]`, `${peer.name} ${state}`);
      }
    }
    for (const scope of cluster.pools.keys()) {
      const servers = cluster.peers.filter((peer) => {
        const state = haState(peer);
        return peer.up && state !== undefined && !SHARED_SERVICE.has(state) && peer.dhcpEnabled && peer.servedScopes.includes(scope);
      });
      if (servers.length > 1) {
        const who = servers.map((p) => `${p.name} (${haState(p)})`).join(' and ');
        add('I2-one-server-per-scope', `scope ${scope} served by ${who}`, `${scope} ${who}`);
      }
    }
  }

  /** Invariant 6: with both actives in their normal state, every lease a client got in a normal state is on the partner too. */
  private checkAckedLeases(cluster: Cluster, add: Report): void {
    const normal = normalStateOf(this.spec);
    if (normal === 'passive-backup') return;
    const actives = cluster.peers.filter((peer) => this.spec.peers.find((p) => p.name === peer.name)?.role !== 'backup');
    if (actives.length !== 2 || !actives.every((peer) => peer.up && haState(peer) === normal)) return;
    for (const client of cluster.clients) {
      const lease = client.lease;
      if (lease === undefined || !holdsLease(client, cluster.nowMs) || lease.ackedInState !== normal) continue;
      const partner = actives.find((peer) => peer.name !== lease.server);
      if (partner === undefined) continue;
      const stored = partner.store.get(lease.address);
      if (stored === undefined || stored.hwAddress !== client.mac) {
        add(
          'I6-acked-lease-on-partner',
          `${client.name}'s ${lease.address}, acknowledged by ${lease.server} in ${lease.ackedInState}, is ${stored === undefined ? 'missing' : `held by ${stored.hwAddress}`} on ${partner.name}`,
          `${client.name} ${lease.address} ${lease.boundAtMs}`,
        );
      }
    }
  }

  /** Invariant 7. */
  private checkLiveness(cluster: Cluster, add: Report): void {
    const bound = this.options.livenessBoundMs;
    if (bound === undefined || this.quietSinceMs === undefined) return;
    const normal = normalStateOf(this.spec);
    const actives = cluster.peers.filter((peer) => this.spec.peers.find((p) => p.name === peer.name)?.role !== 'backup');
    const converged = actives.every((peer) => peer.up && haState(peer) === normal);
    if (converged) {
      if (this.convergedAtMs === undefined) {
        this.convergedAtMs = cluster.nowMs;
        this.maxConvergenceMs = Math.max(this.maxConvergenceMs, cluster.nowMs - this.quietSinceMs);
      }
      return;
    }
    this.convergedAtMs = undefined;
    if (!this.livenessReported && cluster.nowMs - this.quietSinceMs > bound) {
      this.livenessReported = true;
      add('I7-liveness', `faults stopped at t=${(this.quietSinceMs / 1000).toFixed(3)}; ${bound} ms later ${cluster.describe()}`);
    }
  }
}
