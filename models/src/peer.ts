/**
 * One server of the cluster: the real HA machine, its timers, its clock, its lease store, and the
 * shell around them that performs every effect of the caller contract (docs/architecture.md) the
 * way tandemd must — sending requests, answering commands, holding DHCP answers until released.
 *
 * A peer is a record whose fields are replaced, never mutated in place, so copying the record
 * copies the peer (exploration branches share everything unchanged).
 */
import { match } from 'ts-pattern';
import { answerList, buildHeartbeatAnswer, type HaConfig, type HaEffect, type HaEvent, type KeaCompat, type StateLabel } from '@tandem/core';
import { machineNow, wallMs, freshClock, type PeerClock } from './clock.js';
import { MachineHost, type HaLogic, type HaSnapshot, type MachineInput } from './machine-host.js';
import { applyTimerRequests, timerName, type MachineTimer } from './timers.js';
import { emptyStore, type LeaseStore } from './lease-store-model.js';
import { advance, taskFor, type Answer, type Task, type TaskStep } from './tasks.js';
import type { ServerMessage } from './dhcp-messages.js';
import type { FailureEvidence, World } from './world.js';

/** A DHCP answer waiting for `query.respond` (or thrown away on `query.drop`). */
export interface PendingReply {
  readonly client: string;
  readonly message: Omit<ServerMessage, 'sentInState'>;
}

/** A command received on the control channel, waiting for the machine's `command.answer`. */
export interface InboundCommand {
  readonly from: string;
  readonly messageId: number;
  readonly command: string;
}

/** The driver's own record of what invariant 4 is about, kept apart from the machine's context. */
export interface PeerOracle {
  readonly lastContactMs: number;
  readonly unacked: ReadonlySet<string>;
}

export interface PeerState {
  readonly name: string;
  readonly config: HaConfig;
  readonly compat: KeaCompat;
  readonly logic: HaLogic;
  readonly up: boolean;
  /** Bumped by every start: answers addressed to an earlier life find nobody waiting. */
  readonly incarnation: number;
  readonly snapshot?: HaSnapshot;
  readonly timers: readonly MachineTimer[];
  readonly clock: PeerClock;
  readonly store: LeaseStore;
  /** The shell's DHCP service switch, as `dhcp-service.set` left it. */
  readonly dhcpEnabled: boolean;
  /** The scopes the shell serves, as `scopes.set` left them. */
  readonly servedScopes: readonly string[];
  readonly tasks: readonly Task[];
  readonly replies: ReadonlyMap<string, PendingReply>;
  readonly inbound: ReadonlyMap<string, InboundCommand>;
  /** `ha-heartbeat` requests held until the sync in progress ends (Kea 2.2's blocking sync). */
  readonly heldHeartbeats: readonly InboundCommand[];
  readonly oracle: PeerOracle;
  /** Counter for query and request ids. */
  readonly serial: number;
}

export type MutablePeer = { -readonly [K in keyof PeerState]: PeerState[K] };

export function createPeer(name: string, config: HaConfig, logic: HaLogic, compat: KeaCompat): MutablePeer {
  return {
    name,
    config,
    compat,
    logic,
    up: false,
    incarnation: 0,
    timers: [],
    clock: freshClock(),
    store: emptyStore(),
    dhcpEnabled: false,
    servedScopes: [],
    tasks: [],
    replies: new Map(),
    inbound: new Map(),
    heldHeartbeats: [],
    oracle: { lastContactMs: 0, unacked: new Set() },
    serial: 0,
  };
}

export const haState = (peer: PeerState): StateLabel | undefined => peer.snapshot?.context.state;

/** The machine's `nowMs` for an event fed at the cluster's current time (advances the peer's clock). */
export function peerNow(world: World, peer: MutablePeer): number {
  const read = machineNow(peer.clock, world.nowMs);
  peer.clock = read.clock;
  return read.nowMs;
}

export const peerWallMs = (world: World, peer: PeerState): number => wallMs(peer.clock, world.nowMs);

export function nextId(peer: MutablePeer, prefix: string): string {
  peer.serial += 1;
  return `${prefix}${peer.serial}`;
}

/** Start (or restart) the server: a fresh machine in waiting, Kea's service enabled until waiting's entry disables it. */
export function bootPeer(world: World, peer: MutablePeer, keepStore: boolean): void {
  peer.up = true;
  peer.incarnation += 1;
  if (!keepStore) peer.store = emptyStore();
  peer.dhcpEnabled = true;
  peer.servedScopes = [];
  peer.tasks = [];
  peer.replies = new Map();
  peer.inbound = new Map();
  peer.heldHeartbeats = [];
  peer.timers = [];
  // A new process has no memory of the time its predecessor last saw.
  peer.clock = { ...peer.clock, lastNowMs: Number.NEGATIVE_INFINITY };
  const nowMs = peerNow(world, peer);
  peer.oracle = { lastContactMs: nowMs, unacked: new Set() };
  const step = MachineHost.for(peer.logic, peer.config).start(peer.config, nowMs, peer.compat);
  applyStep(world, peer, step, 'start', false);
}

/** The process dies: machine, timers, tasks, parked answers and unanswered commands vanish. */
export function crashPeer(peer: MutablePeer): void {
  peer.up = false;
  peer.snapshot = undefined;
  peer.timers = [];
  peer.tasks = [];
  peer.replies = new Map();
  peer.inbound = new Map();
  peer.heldHeartbeats = [];
  peer.dhcpEnabled = false;
  peer.servedScopes = [];
}

/** Hand the machine one event; everything it emits is performed before this returns. */
export function feed(world: World, peer: MutablePeer, event: MachineInput): void {
  const snapshot = peer.snapshot;
  if (!peer.up || snapshot === undefined) return;
  recordEvidence(world, peer, event);
  const pausedBefore = snapshot.context.paused;
  const step = MachineHost.for(peer.logic, peer.config).send(snapshot, event);
  applyStep(world, peer, step, event.type, pausedBefore);
}

/** Feed an event that carries the peer's current time. */
export function feedTimed<E extends HaEvent>(world: World, peer: MutablePeer, make: (nowMs: number) => E): void {
  if (!peer.up) return;
  feed(world, peer, make(peerNow(world, peer)));
}

export function fireTimer(world: World, peer: MutablePeer, timer: MachineTimer): void {
  peer.timers = peer.timers.filter((t) => t.id !== timer.id);
  if (world.tracing('log')) world.trace('log', `${peer.name} timer ${timerName(timer.id)}`);
  feed(world, peer, timer.event);
}

function applyStep(world: World, peer: MutablePeer, step: ReturnType<MachineHost['send']>, cause: string, pausedBefore: boolean): void {
  peer.snapshot = step.snapshot;
  peer.timers = applyTimerRequests(peer.timers, step.timers, world.nowMs, () => world.nextSeq());
  // The DHCP service as the state that takes the next decision had it: before this step for the
  // first transition, then as each new state's entry left it (a chain of transitions in one step
  // decides in the intermediate states).
  const decision = { dhcpEnabled: peer.dhcpEnabled };
  for (const effect of step.effects) perform(world, peer, effect, cause, pausedBefore, decision);
  if (peer.heldHeartbeats.length > 0 && !step.snapshot.context.syncing) {
    const held = peer.heldHeartbeats;
    peer.heldHeartbeats = [];
    for (const request of held) answerHeartbeat(world, peer, request.from, request.messageId);
  }
}

/** `ha-heartbeat` is answered from the snapshot (docs/architecture.md: read-only commands need no event). */
export function answerHeartbeat(world: World, peer: MutablePeer, to: string, messageId: number): void {
  const context = peer.snapshot?.context;
  if (context === undefined) return;
  respond(
    world,
    peer,
    to,
    messageId,
    'ha-heartbeat',
    answerList(
      buildHeartbeatAnswer({
        state: context.state,
        nowMs: peerWallMs(world, peer),
        scopes: context.servedScopes,
        unsentUpdateCount: context.unsentUpdateCount,
      }),
    ),
  );
}

/** The driver's own bookkeeping for invariant 4, updated from the events it feeds. */
function recordEvidence(world: World, peer: MutablePeer, event: MachineInput): void {
  if (event.type === 'heartbeat.succeeded') {
    peer.oracle = { lastContactMs: (event as Extract<HaEvent, { type: 'heartbeat.succeeded' }>).nowMs, unacked: new Set() };
  } else if (event.type === 'query.observed') {
    const q = event as Extract<HaEvent, { type: 'query.observed' }>;
    const interrupted = q.nowMs - peer.oracle.lastContactMs > peer.config.maxResponseDelayMs;
    if (interrupted && q.secs * 1000 > peer.config.maxAckDelayMs) {
      const key = Array.from(q.chaddr, (b) => b.toString(16).padStart(2, '0')).join(':');
      if (!peer.oracle.unacked.has(key)) peer.oracle = { ...peer.oracle, unacked: new Set([...peer.oracle.unacked, key]) };
    }
  }
}

function evidence(world: World, peer: MutablePeer, dhcpEnabled: boolean): FailureEvidence {
  const nowMs = peer.clock.lastNowMs;
  return { sinceContactMs: nowMs - peer.oracle.lastContactMs, unackedClients: peer.oracle.unacked.size, dhcpEnabled };
}

function perform(world: World, peer: MutablePeer, effect: HaEffect, cause: string, pausedBefore: boolean, decision: { dhcpEnabled: boolean }): void {
  match(effect)
    .with({ type: 'state.changed' }, (e) => {
      world.trace('state', `${peer.name} ${e.from}→${e.to}${e.paused ? ' (paused)' : ''}`);
      world.observe({ kind: 'transition', peer: peer.name, from: e.from, to: e.to, pausedBefore, cause, failure: evidence(world, peer, decision.dhcpEnabled) });
      decision.dhcpEnabled = peer.dhcpEnabled;
    })
    .with({ type: 'dhcp-service.set' }, (e) => {
      peer.dhcpEnabled = e.enabled;
      world.trace('peer', `${peer.name} dhcp ${e.enabled ? 'enabled' : 'disabled'}`);
    })
    .with({ type: 'scopes.set' }, (e) => {
      const variant = world.variant;
      if (variant.ignoreEmptyScopes === true && e.scopes.length === 0) return;
      peer.servedScopes = variant.accumulateScopes === true ? [...new Set([...peer.servedScopes, ...e.scopes])].sort() : e.scopes;
      world.trace('peer', `${peer.name} scopes [${peer.servedScopes.join(',')}]`);
    })
    .with({ type: 'query.park' }, (e) => {
      if (world.variant.respondBeforeAck === true) sendReply(world, peer, e.queryId);
    })
    .with({ type: 'query.respond' }, (e) => sendReply(world, peer, e.queryId))
    .with({ type: 'query.drop' }, (e) => {
      const pending = peer.replies.get(e.queryId);
      if (pending === undefined) return;
      peer.replies = without(peer.replies, e.queryId);
      world.trace('dhcp', `${peer.name} drops ${pending.message.op} for ${pending.client}: ${e.reason}`);
    })
    .with({ type: 'command.answer' }, (e) => {
      const inbound = peer.inbound.get(e.requestId);
      if (inbound === undefined) {
        world.trace('fault', `${peer.name} answers ${e.requestId}: ${e.answer.result} ${e.answer.text}`);
        return;
      }
      peer.inbound = without(peer.inbound, e.requestId);
      respond(world, peer, inbound.from, inbound.messageId, inbound.command, answerList(e.answer));
    })
    .with({ type: 'log' }, (e) => {
      if (world.tracing('log')) world.trace('log', `${peer.name} ${e.id} ${e.message}`);
    })
    .with(
      { type: 'heartbeat.send' },
      { type: 'lease-updates.send' },
      { type: 'sync.start' },
      { type: 'backlog.deliver' },
      { type: 'ha-reset.send' },
      { type: 'maintenance-notify.send' },
      (e) => startTask(world, peer, e),
    )
    .exhaustive();
}

function sendReply(world: World, peer: MutablePeer, queryId: string): void {
  const pending = peer.replies.get(queryId);
  if (pending === undefined) return;
  peer.replies = without(peer.replies, queryId);
  const body: ServerMessage = { ...pending.message, sentInState: haState(peer) ?? 'waiting' };
  world.send({ channel: 'dhcp', kind: 'dhcp', from: peer.name, to: pending.client, label: body.op, body, senderIncarnation: peer.incarnation });
}

/** Send a control-channel answer to a request. */
export function respond(world: World, peer: PeerState, to: string, requestId: number, command: string, body: unknown): void {
  world.send({ channel: 'control', kind: 'response', from: peer.name, to, label: `answer ${command}`, body, inReplyTo: requestId, senderIncarnation: peer.incarnation });
}

function taskEnv(world: World, peer: MutablePeer) {
  return { compat: peer.compat, serverName: peer.name, nowMs: peerNow(world, peer), store: peer.store };
}

function startTask(world: World, peer: MutablePeer, effect: HaEffect): void {
  if (effect.type === 'lease-updates.send' && world.variant.skipLeaseUpdates === true) {
    // A broken shell that acknowledges lease updates it never sent.
    feedTimed(world, peer, (nowMs) => ({ type: 'lease-updates.completed', nowMs, queryId: effect.queryId, peer: effect.peer, outcome: { kind: 'ok' } }));
    return;
  }
  const start = taskFor(effect, taskEnv(world, peer));
  if (start === undefined) return;
  carryOut(world, peer, world.nextSeq(), start.peer, start.step);
}

/** An answer (or a timeout) for the request a task is waiting on. */
export function resumeTask(world: World, peer: MutablePeer, task: Task, answer: Answer): void {
  peer.tasks = peer.tasks.filter((t) => t.id !== task.id);
  const step = advance(task, answer, taskEnv(world, peer));
  if (step.kind === 'send' && task.body.kind === 'backlog' && world.variant.deliverStaleBacklog !== true && !deliveringBacklog(peer)) {
    // The machine left communication-recovery (an ha-reset, a maintenance notification) while the
    // backlog was on its way: the operations still queued describe leases the resync has since
    // superseded, and a late lease4-del would remove a lease handed out after it (finding F9).
    if (world.tracing('net')) world.trace('net', `${peer.name} abandons the backlog delivery to ${task.peer}: no longer in communication-recovery`);
    feedTimed(world, peer, (nowMs) => ({ type: 'backlog.delivered', nowMs, ok: false, reason: 'delivery abandoned: communication-recovery was left' }));
    return;
  }
  carryOut(world, peer, task.id, task.peer, step);
}

/** The machine is still waiting for the backlog it handed out (`communication-recovery.delivering`). */
function deliveringBacklog(peer: PeerState): boolean {
  const value = peer.snapshot?.value as { ha?: unknown } | undefined;
  const ha = value?.ha;
  return typeof ha === 'object' && ha !== null && (ha as Record<string, unknown>)['communication-recovery'] === 'delivering';
}

function carryOut(world: World, peer: MutablePeer, taskId: number, target: string, step: TaskStep): void {
  if (step.store !== undefined) peer.store = step.store;
  if (step.kind === 'finish') {
    feed(world, peer, step.event);
    return;
  }
  const messageId = world.send({
    channel: 'control',
    kind: 'request',
    from: peer.name,
    to: target,
    label: step.request.command,
    body: step.request,
    senderIncarnation: peer.incarnation,
  });
  const awaiting = { messageId, deadlineMs: world.nowMs + step.timeoutMs, command: step.request.command };
  peer.tasks = [...peer.tasks, { id: taskId, peer: target, body: step.body, awaiting }];
}

/** The task waiting for the answer with this request id, if it is still waiting. */
export const taskAwaiting = (peer: PeerState, requestId: number): Task | undefined =>
  peer.tasks.find((task) => task.awaiting?.messageId === requestId);

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

export function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}
