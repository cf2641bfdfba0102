/**
 * The cluster model: N peers running the real `haMachine`, the network between them, a DHCP
 * client population, all on one simulated time line and one seeded PRNG.
 *
 * Everything that can happen is an agenda item due at a time — a machine timer, an HTTP timeout,
 * a message arrival, a client's own timer. `step()` fires the earliest (ties: creation order),
 * so a seed replays a run exactly. Faults and admin commands are applied between steps by the
 * caller (a scripted scenario, the random fault plan, the explorer).
 *
 * The cluster copies cheaply (`clone()`): peers and clients are records whose fields are
 * replaced, never mutated, and machine snapshots are immutable, so a copy shares them.
 */
import type { HaEvent } from '@tandem/core';
import { formatGlobal, jumpClock } from './clock.js';
import { scopePools, type ClusterSpec, haConfigFor } from './cluster-spec.js';
import { clientReceive, clientTimer, createClients, DEFAULT_POPULATION, type ClientEnv, type ClientPopulation, type DhcpClient } from './clients.js';
import { receiveRequest } from './control-channel.js';
import type { ServerMessage } from './dhcp-messages.js';
import { receiveDhcp } from './dhcp-server.js';
import { haMachine } from '@tandem/core';
import type { HaLogic } from './machine-host.js';
import {
  cutLink,
  earliestMessage,
  healAll,
  isCut,
  launch,
  newNetwork,
  restoreLink,
  withoutMessage,
  type LinkProfile,
  type Message,
  type NetworkState,
  type TimingMode,
} from './network.js';
import { bootPeer, crashPeer, createPeer, feedTimed, fireTimer, haState, resumeTask, taskAwaiting, type MutablePeer, type PeerState } from './peer.js';
import { Prng } from './prng.js';
import { TIMEOUT, type Task } from './tasks.js';
import { earliestTimer, type MachineTimer } from './timers.js';
import { Trace, type TraceCategory } from './trace.js';
import { CORRECT_SHELL, type DriverVariant } from './variants.js';
import type { Observation, Outgoing, World } from './world.js';

export interface ClusterOptions {
  readonly spec: ClusterSpec;
  readonly seed: number;
  readonly timing?: TimingMode;
  /** The machine each peer runs; the real `haMachine` unless a variant is under test. */
  readonly logic?: HaLogic | ((peer: string) => HaLogic);
  readonly variant?: DriverVariant;
  readonly control?: LinkProfile;
  readonly dhcp?: LinkProfile;
  /** The DHCP clients; none when absent. */
  readonly clients?: ClientPopulation;
  readonly clientsBootAtMs?: number;
  readonly trace?: Trace;
}

export interface ClusterStats {
  steps: number;
  controlSent: number;
  controlLost: number;
  dhcpSent: number;
  dhcpLost: number;
}

export type Due =
  | { readonly kind: 'timer'; readonly atMs: number; readonly seq: number; readonly peer: string; readonly timer: MachineTimer }
  | { readonly kind: 'timeout'; readonly atMs: number; readonly seq: number; readonly peer: string; readonly task: Task }
  | { readonly kind: 'message'; readonly atMs: number; readonly seq: number; readonly message: Message }
  | { readonly kind: 'client'; readonly atMs: number; readonly seq: number; readonly client: string };

/** `server1 c01..c15` for a peer and a run of consecutively named clients. */
function describeGroup(names: readonly string[]): string {
  const peers = names.filter((n) => !/^c\d+$/.test(n));
  const clients = names.filter((n) => /^c\d+$/.test(n));
  const run = clients.length === 0 ? [] : clients.length === 1 ? clients : [`${clients[0]}..${clients[clients.length - 1]}`];
  return [...peers, ...run].join(' ');
}

export class Cluster implements World {
  nowMs = 0;
  private seqCounter = 0;
  prng: Prng;
  readonly spec: ClusterSpec;
  readonly pools: ReadonlyMap<string, readonly string[]>;
  readonly variant: DriverVariant;
  readonly population: ClientPopulation;
  peers: MutablePeer[];
  network: NetworkState;
  clients: DhcpClient[];
  trace_: Trace;
  /** What the last step did that the end state does not show (for the invariant checker). */
  observations: Observation[] = [];
  private adminCount = 0;
  stats: ClusterStats = { steps: 0, controlSent: 0, controlLost: 0, dhcpSent: 0, dhcpLost: 0 };

  constructor(options: ClusterOptions) {
    this.spec = options.spec;
    this.prng = new Prng(options.seed);
    this.pools = scopePools(options.spec);
    this.variant = options.variant ?? CORRECT_SHELL;
    this.population = options.clients ?? { ...DEFAULT_POPULATION, count: 0 };
    this.trace_ = options.trace ?? new Trace();
    const logicFor = (name: string): HaLogic =>
      options.logic === undefined ? haMachine : typeof options.logic === 'function' ? (options.logic as (peer: string) => HaLogic)(name) : options.logic;
    this.peers = options.spec.peers.map((peer) => createPeer(peer.name, haConfigFor(options.spec, peer.name), logicFor(peer.name), options.spec.compat ?? '2.2'));
    this.network = newNetwork(options.timing ?? 'timed', options.control, options.dhcp);
    this.clients = createClients(this.population, this.prng, () => this.nextSeq(), options.clientsBootAtMs ?? 0);
  }

  clone(trace?: Trace): Cluster {
    const copy = Object.create(Cluster.prototype) as Cluster;
    Object.assign(copy, this);
    copy.prng = this.prng.clone();
    copy.peers = this.peers.map((peer) => ({ ...peer }));
    copy.clients = [...this.clients];
    copy.trace_ = trace ?? this.trace_.fork();
    copy.observations = [];
    copy.stats = { ...this.stats };
    return copy;
  }

  // ---- World -------------------------------------------------------------------------------

  nextSeq(): number {
    this.seqCounter += 1;
    return this.seqCounter;
  }

  send(outgoing: Outgoing): number {
    const seq = this.nextSeq();
    const message: Omit<Message, 'dueMs'> = { ...outgoing, id: seq, seq, sentAtMs: this.nowMs };
    if (message.channel === 'control') this.stats.controlSent += 1;
    else this.stats.dhcpSent += 1;
    if (message.channel === 'control') {
      if (this.trace_.wants('net')) this.trace('net', `net ${message.from}→${message.to} ${message.label}`);
    } else if (this.trace_.wants('dhcp')) this.trace('dhcp', `dhcp ${message.from}→${message.to} ${message.label}`);
    if (isCut(this.network, message.from, message.to, (name) => this.isClient(name))) {
      this.lost(message, 'lost (partition)');
      return seq;
    }
    const copies = launch(this.network, message, this.prng, () => this.nextSeq());
    if (copies.length === 0) this.lost(message, 'lost');
    if (copies.length > 1) {
      const channel = message.channel === 'control' ? 'net' : 'dhcp';
      this.trace(channel, `${channel} ${message.from}→${message.to} ${message.label} duplicated`);
    }
    this.network = { ...this.network, inFlight: [...this.network.inFlight, ...copies] };
    return seq;
  }

  trace(category: TraceCategory, text: string): void {
    this.trace_.add(this.nowMs, category, text);
  }

  tracing(category: TraceCategory): boolean {
    return this.trace_.wants(category);
  }

  observe(observation: Observation): void {
    this.observations.push(observation);
  }

  // ---- Lookups -----------------------------------------------------------------------------

  peer(name: string): MutablePeer {
    const peer = this.peers.find((p) => p.name === name);
    if (peer === undefined) throw new Error(`no peer named '${name}' in this cluster (peers: ${this.peers.map((p) => p.name).join(', ')})`);
    return peer;
  }

  isClient(name: string): boolean {
    return !this.peers.some((peer) => peer.name === name);
  }

  get serverNames(): readonly string[] {
    return this.peers.map((peer) => peer.name);
  }

  stateOf(name: string): string {
    const peer = this.peer(name);
    return peer.up ? (haState(peer) ?? 'down') : 'down';
  }

  // ---- Faults and operator actions ---------------------------------------------------------

  start(name: string, keepStore = true): void {
    const peer = this.peer(name);
    if (peer.up) return;
    this.trace('fault', `${name} ${peer.incarnation === 0 ? 'starts' : `restarts (store ${keepStore ? 'kept' : 'lost'})`}`);
    this.observe({ kind: 'start', peer: name, restart: peer.incarnation > 0 });
    bootPeer(this, peer, keepStore);
  }

  crash(name: string): void {
    const peer = this.peer(name);
    if (!peer.up) return;
    this.trace('fault', `${name} crashes`);
    crashPeer(peer);
  }

  /** Cut the direction from → to (`*` for all clients). */
  cut(from: string, to: string): void {
    this.trace('fault', `net cut ${from}→${to}`);
    this.network = cutLink(this.network, from, to);
  }

  restore(from: string, to: string): void {
    this.trace('fault', `net restore ${from}→${to}`);
    this.network = restoreLink(this.network, from, to);
  }

  partition(a: string, b: string): void {
    this.trace('fault', `net partition ${a}↔${b}`);
    this.network = cutLink(cutLink(this.network, a, b), b, a);
  }

  /**
   * Split the network in two: nothing passes between a member of `left` and a member of `right`
   * (peers or clients), in either direction.
   */
  split(left: readonly string[], right: readonly string[]): void {
    this.trace('fault', `net split ${describeGroup(left)} | ${describeGroup(right)}`);
    let network = this.network;
    for (const a of left) for (const b of right) network = cutLink(cutLink(network, a, b), b, a);
    this.network = network;
  }

  /** Change the link profiles (loss, duplication, delays) from now on; messages in flight keep their fate. */
  setLinks(control: LinkProfile, dhcp: LinkProfile = this.network.dhcp): void {
    if (control !== this.network.control) {
      this.trace('fault', `net control links: delay ${control.minDelayMs}..${control.maxDelayMs}ms loss ${control.loss} duplicate ${control.duplicate}`);
    }
    this.network = { ...this.network, control, dhcp };
  }

  heal(): void {
    this.trace('fault', 'net heal');
    this.network = healAll(this.network);
  }

  jumpClock(name: string, deltaMs: number): void {
    const peer = this.peer(name);
    this.trace('fault', `${name} clock ${deltaMs >= 0 ? '+' : ''}${deltaMs / 1000}s`);
    peer.clock = jumpClock(peer.clock, deltaMs);
  }

  /** An operator command given to a peer's control channel directly (not through the network). */
  admin(name: string, make: (nowMs: number, requestId: string) => HaEvent): void {
    const peer = this.peer(name);
    this.adminCount += 1;
    const requestId = `admin#${this.adminCount}`;
    this.trace('fault', `${name} ← ${make(0, requestId).type.replace(/^command\./, '')}`);
    feedTimed(this, peer, (nowMs) => make(nowMs, requestId));
  }

  // ---- Time --------------------------------------------------------------------------------

  /** The next thing to happen on its own, if any. Messages without a due time (async mode) are not included. */
  nextDue(): Due | undefined {
    let best: Due | undefined;
    const consider = (due: Due): void => {
      if (best === undefined || due.atMs < best.atMs || (due.atMs === best.atMs && due.seq < best.seq)) best = due;
    };
    for (const peer of this.peers) {
      if (!peer.up) continue;
      const timer = earliestTimer(peer.timers);
      if (timer !== undefined) consider({ kind: 'timer', atMs: timer.dueMs, seq: timer.seq, peer: peer.name, timer });
      for (const task of peer.tasks) {
        if (task.awaiting !== undefined) consider({ kind: 'timeout', atMs: task.awaiting.deadlineMs, seq: task.awaiting.messageId, peer: peer.name, task });
      }
    }
    const message = earliestMessage(this.network);
    if (message !== undefined) consider({ kind: 'message', atMs: message.dueMs as number, seq: message.seq, message });
    for (const client of this.clients) {
      if (client.nextMs !== undefined) consider({ kind: 'client', atMs: client.nextMs, seq: client.nextSeq, client: client.name });
    }
    return best;
  }

  /** Fire one agenda item (time moves to its due time first). */
  fire(due: Due): void {
    if (due.atMs > this.nowMs) this.nowMs = due.atMs;
    this.stats.steps += 1;
    switch (due.kind) {
      case 'timer':
        fireTimer(this, this.peer(due.peer), due.timer);
        return;
      case 'timeout': {
        const peer = this.peer(due.peer);
        const task = peer.tasks.find((t) => t.id === due.task.id);
        if (task === undefined) return;
        this.trace('net', `${peer.name} ${task.awaiting?.command ?? 'request'} to ${task.peer} timed out`);
        resumeTask(this, peer, task, TIMEOUT);
        return;
      }
      case 'message':
        this.deliver(due.message);
        return;
      case 'client':
        this.runClientTimer(due.client);
        return;
    }
  }

  /** Fire the next due item; false when nothing is left. */
  step(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.fire(due);
    return true;
  }

  /** Run every item due up to `untilMs` (inclusive), then set the time to `untilMs`. */
  runUntil(untilMs: number, afterStep?: () => void): void {
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due.atMs > untilMs) break;
      this.fire(due);
      afterStep?.();
    }
    if (untilMs > this.nowMs) this.nowMs = untilMs;
  }

  // ---- Network -----------------------------------------------------------------------------

  /** A message arrives now (timed mode: at its due time; async mode: when the explorer says so). */
  deliver(message: Message): void {
    this.network = withoutMessage(this.network, message.seq);
    if (isCut(this.network, message.from, message.to, (name) => this.isClient(name))) {
      this.lost(message, 'lost (partition)');
      return;
    }
    if (message.channel === 'dhcp') {
      if (this.isClient(message.to)) {
        this.updateClient(message.to, (client, env) => clientReceive(env, client, message.from, message.body as ServerMessage));
        return;
      }
      receiveDhcp(this, this.peer(message.to), message);
      return;
    }
    const target = this.peer(message.to);
    if (message.kind === 'request') {
      if (!target.up) {
        // The host is up, the daemon is not: the connection is refused at once.
        this.trace('net', `net ${message.from}→${message.to} ${message.label} refused`);
        this.send({
          channel: 'control',
          kind: 'response',
          from: message.to,
          to: message.from,
          label: `refusal ${message.label}`,
          body: undefined,
          inReplyTo: message.id,
          transportError: 'Connection refused',
          senderIncarnation: 0,
        });
        return;
      }
      receiveRequest(this, target, message);
      return;
    }
    if (!target.up || message.inReplyTo === undefined) return;
    const task = taskAwaiting(target, message.inReplyTo);
    if (task === undefined) return;
    resumeTask(
      this,
      target,
      task,
      message.transportError === undefined ? { kind: 'body', body: message.body } : { kind: 'transport', reason: message.transportError },
    );
  }

  /** The explorer loses a message in flight. */
  drop(message: Message): void {
    this.network = withoutMessage(this.network, message.seq);
    this.lost(message, 'lost');
  }

  private lost(message: Omit<Message, 'dueMs'>, why: string): void {
    if (message.channel === 'control') this.stats.controlLost += 1;
    else this.stats.dhcpLost += 1;
    const channel = message.channel === 'control' ? 'net' : 'dhcp';
    if (this.trace_.wants(channel)) this.trace(channel, `${channel} ${message.from}→${message.to} ${message.label} ${why}`);
  }

  // ---- Clients -----------------------------------------------------------------------------

  private clientEnv(): ClientEnv {
    return { world: this, population: this.population, servers: this.serverNames, jitter: this.network.mode === 'timed' };
  }

  private runClientTimer(name: string): void {
    this.updateClient(name, (client, env) => clientTimer(env, { ...client, nextMs: undefined }));
  }

  updateClient(name: string, change: (client: DhcpClient, env: ClientEnv) => DhcpClient): void {
    const index = this.clients.findIndex((client) => client.name === name);
    if (index < 0) return;
    this.clients[index] = change(this.clients[index] as DhcpClient, this.clientEnv());
  }

  // ---- Reading -----------------------------------------------------------------------------

  get traceLog(): Trace {
    return this.trace_;
  }

  describe(): string {
    return `${formatGlobal(this.nowMs)} ${this.peers.map((peer) => `${peer.name}=${this.stateOf(peer.name)}`).join(' ')}`;
  }

  peerStates(): readonly PeerState[] {
    return this.peers;
  }
}
