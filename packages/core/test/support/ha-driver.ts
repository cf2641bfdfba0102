/**
 * Drives one haMachine the way tandemd does: an actor on a simulated clock, every effect
 * recorded in order, results fed back as events with the clock's time. Tests reach a state by
 * replaying what a real run would see (heartbeat answers, sync results, commands), never by
 * writing a snapshot by hand.
 */
import { createActor, SimulatedClock, type Actor } from 'xstate';
import type { HaConfig, KeaCompat, StateLabel } from '../../src/config/index.js';
import { haMachine, type HaMachine } from '../../src/machine/machine.js';
import type { HaContext } from '../../src/machine/context.js';
import type { CommandAnswer, HaEffect } from '../../src/machine/effects.js';
import type { HaEvent, LeaseUpdateOutcome, MaintenanceNotifyOutcome, PartnerReport } from '../../src/machine/events.js';
import type { Lease4Record } from '../../src/wire/lease4.js';

/** 2026-01-01T00:00:00Z: any fixed wall-clock start will do; tests never read the real clock. */
export const START_MS = 1_767_225_600_000;

/** 1994-01-01T00:00:00Z, the partner clock of Kea's clock-skew tests (SM-07). */
export const YEAR_1994_S = 757_382_400;

export type HeartbeatPhase = 'off' | 'scheduled' | 'in-flight';

export type EffectOf<T extends HaEffect['type']> = Extract<HaEffect, { type: T }>;

export interface HeartbeatAnswer {
  /** Partner clock minus ours, seconds (default 0). */
  readonly skewS?: number;
  /** Absolute partner clock, Unix seconds; wins over skewS. */
  readonly dateTimeS?: number;
  readonly scopes?: readonly string[];
  readonly unsentUpdateCount?: number;
}

export function ofType<T extends HaEffect['type']>(effects: readonly HaEffect[], type: T): EffectOf<T>[] {
  return effects.filter((e): e is EffectOf<T> => e.type === type);
}

/** The `[from, to]` pairs of the state.changed effects, in order. */
export function transitionsIn(effects: readonly HaEffect[]): Array<[StateLabel, StateLabel]> {
  return ofType(effects, 'state.changed').map((e) => [e.from, e.to]);
}

export function lease(address: string, hwAddress = '08:00:27:00:00:01'): Lease4Record {
  return {
    address,
    hwAddress,
    validLifetimeS: 3600,
    clttS: 1_767_225_600,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: '',
    state: 0,
  };
}

export class HaDriver {
  readonly clock = new SimulatedClock();
  readonly actor: Actor<HaMachine>;
  /** Every effect since start, in emission order. */
  readonly effects: HaEffect[] = [];
  private readonly startMs: number;
  private heartbeatArmedAtMs: number | undefined;
  private requests = 0;
  private queries = 0;
  private clients = 0;

  constructor(
    readonly config: HaConfig,
    options: { readonly compat?: KeaCompat; readonly startMs?: number } = {},
  ) {
    this.startMs = options.startMs ?? START_MS;
    this.actor = createActor(haMachine, {
      input: { config, nowMs: this.startMs, ...(options.compat === undefined ? {} : { compat: options.compat }) },
      clock: this.clock,
    });
    this.actor.on('*', (effect) => {
      this.effects.push(effect as HaEffect);
    });
    this.actor.start();
    // The delayed heartbeat is handed to the clock when the actor starts.
    if (this.heartbeatPhase === 'scheduled') this.heartbeatArmedAtMs = this.nowMs;
  }

  get nowMs(): number {
    return this.startMs + this.clock.now();
  }

  get snapshot() {
    return this.actor.getSnapshot();
  }

  get context(): HaContext {
    return this.snapshot.context;
  }

  get state(): StateLabel {
    return this.context.state;
  }

  /** The `ha` region's value as a dotted path, e.g. `syncing.running`. */
  get haNode(): string {
    const value = (this.snapshot.value as { ha: unknown }).ha;
    const parts: string[] = [];
    let v: unknown = value;
    while (typeof v === 'object' && v !== null) {
      const [key, inner] = Object.entries(v)[0] as [string, unknown];
      parts.push(key);
      v = inner;
    }
    parts.push(String(v));
    return parts.join('.');
  }

  get heartbeatPhase(): HeartbeatPhase {
    return (this.snapshot.value as { heartbeat: HeartbeatPhase }).heartbeat;
  }

  get remoteDisablePhase(): 'idle' | 'armed' {
    return (this.snapshot.value as { 'remote-disable': 'idle' | 'armed' })['remote-disable'];
  }

  /** Send an event; returns the effects it produced. */
  send(event: HaEvent): HaEffect[] {
    return this.track(() => this.actor.send(event), event.type === 'heartbeat.succeeded' || event.type === 'heartbeat.failed');
  }

  /** Let simulated time pass; timers that come due fire. Returns the effects they produced. */
  advance(ms: number): HaEffect[] {
    if (ms < 0) throw new Error(`time never goes backwards (advance by ${ms} ms)`);
    return this.track(() => this.clock.increment(ms), false);
  }

  /** Run an action and return the effects it emitted, noting when the heartbeat timer was (re)armed. */
  private track(action: () => void, heartbeatResult: boolean): HaEffect[] {
    const before = this.effects.length;
    const phaseBefore = this.heartbeatPhase;
    action();
    const phaseAfter = this.heartbeatPhase;
    if (phaseAfter === 'scheduled' && (phaseBefore !== 'scheduled' || heartbeatResult)) this.heartbeatArmedAtMs = this.nowMs;
    return this.effects.slice(before);
  }

  // ---- heartbeats (§6.1, §6.2) ----

  /** Let the heartbeat timer fire; returns the effects up to and including heartbeat.send. */
  awaitHeartbeat(): HaEffect[] {
    if (this.heartbeatPhase === 'in-flight') return [];
    if (this.heartbeatPhase !== 'scheduled' || this.heartbeatArmedAtMs === undefined) {
      throw new Error(`no heartbeat is scheduled in state ${this.haNode} (heartbeat ${this.heartbeatPhase})`);
    }
    const dueMs = this.heartbeatArmedAtMs + this.config.heartbeatDelayMs;
    const effects = this.advance(Math.max(0, dueMs - this.nowMs));
    if ((this.heartbeatPhase as HeartbeatPhase) !== 'in-flight') throw new Error(`the heartbeat timer did not fire at ${dueMs}`);
    return effects;
  }

  heartbeatSuccessEvent(partnerState: PartnerReport['state'], answer: HeartbeatAnswer = {}): HaEvent {
    const dateTimeS = answer.dateTimeS ?? Math.floor(this.nowMs / 1000) + (answer.skewS ?? 0);
    const partner: PartnerReport = {
      state: partnerState,
      dateTimeS,
      ...(answer.scopes === undefined ? {} : { scopes: answer.scopes }),
      ...(answer.unsentUpdateCount === undefined ? {} : { unsentUpdateCount: answer.unsentUpdateCount }),
    };
    return { type: 'heartbeat.succeeded', nowMs: this.nowMs, partner };
  }

  /** The partner answers the next heartbeat. */
  heartbeatSucceeds(partnerState: PartnerReport['state'], answer: HeartbeatAnswer = {}): HaEffect[] {
    const waited = this.awaitHeartbeat();
    return [...waited, ...this.send(this.heartbeatSuccessEvent(partnerState, answer))];
  }

  /** The next heartbeat fails while communication is not yet interrupted (U0). */
  heartbeatFails(reason = 'Connection refused'): HaEffect[] {
    const waited = this.awaitHeartbeat();
    return [...waited, ...this.send({ type: 'heartbeat.failed', nowMs: this.nowMs, reason })];
  }

  /**
   * The next heartbeat fails after more than max-response-delay without a successful one
   * (§6.3); before it completes, `unackedClients` distinct clients of the partner's scope are
   * seen retrying for longer than max-ack-delay (§6.4). U1 with few clients, U2 with more than
   * max-unacked-clients.
   */
  heartbeatFailsInterrupted(options: { readonly unackedClients?: number } = {}): HaEffect[] {
    const waited = this.awaitHeartbeat();
    const interruptedAtMs = this.context.partner.lastContactMs + this.config.maxResponseDelayMs + 1;
    const effects = [...waited, ...this.advance(Math.max(0, interruptedAtMs - this.nowMs))];
    effects.push(...this.observeUnackedClients(options.unackedClients ?? 0));
    effects.push(...this.send({ type: 'heartbeat.failed', nowMs: this.nowMs, reason: 'Connection timed out' }));
    return effects;
  }

  /** More unacked clients than max-unacked-clients: enough to confirm a failure (§6.4). */
  get clientsConfirmingFailure(): number {
    return this.config.maxUnackedClients + 1;
  }

  /** `count` new clients, each retrying for a minute (secs = 60 > max-ack-delay). */
  observeUnackedClients(count: number): HaEffect[] {
    const effects: HaEffect[] = [];
    for (let i = 0; i < count; i++) {
      const n = ++this.clients;
      const chaddr = Uint8Array.of(0x02, 0x00, 0x5e, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
      effects.push(...this.send({ type: 'query.observed', nowMs: this.nowMs, secs: 60, chaddr }));
    }
    return effects;
  }

  // ---- results of effects ----

  syncSucceeds(leases = 0): HaEffect[] {
    return this.send({ type: 'sync.succeeded', nowMs: this.nowMs, leases });
  }

  syncFails(reason = 'Connection refused'): HaEffect[] {
    return this.send({ type: 'sync.failed', nowMs: this.nowMs, reason });
  }

  backlogDelivered(ok: boolean): HaEffect[] {
    return this.send({ type: 'backlog.delivered', nowMs: this.nowMs, ok, ...(ok ? {} : { reason: 'Connection refused' }) });
  }

  haResetSent(ok: boolean): HaEffect[] {
    return this.send({ type: 'ha-reset.sent', nowMs: this.nowMs, ok, ...(ok ? {} : { reason: 'Connection refused' }) });
  }

  maintenanceNotifyCompleted(requestId: string, outcome: MaintenanceNotifyOutcome): HaEffect[] {
    return this.send({ type: 'maintenance-notify.completed', nowMs: this.nowMs, requestId, outcome });
  }

  // ---- lease updates (§10) ----

  /** The allocation engine committed lease changes for a new query; returns its id and the effects. */
  commit(updated: readonly Lease4Record[], deleted: readonly Lease4Record[] = [], clientKey?: string): { queryId: string; effects: HaEffect[] } {
    const queryId = `q${++this.queries}`;
    const effects = this.send({
      type: 'leases.committed',
      nowMs: this.nowMs,
      queryId,
      clientKey: clientKey ?? `client-${queryId}`,
      updated,
      deleted,
    });
    return { queryId, effects };
  }

  leaseUpdatesCompleted(queryId: string, peer: string, outcome: LeaseUpdateOutcome = { kind: 'ok' }): HaEffect[] {
    return this.send({ type: 'lease-updates.completed', nowMs: this.nowMs, queryId, peer, outcome });
  }

  // ---- commands (§8) ----

  nextRequestId(): string {
    return `r${++this.requests}`;
  }

  /**
   * Send a command and return its answer (undefined while it waits for a partner) with every
   * effect it produced.
   */
  command(
    command:
      | { readonly type: 'command.ha-reset' }
      | { readonly type: 'command.ha-continue' }
      | { readonly type: 'command.ha-scopes'; readonly scopes: unknown }
      | { readonly type: 'command.ha-maintenance-notify'; readonly cancel: boolean }
      | { readonly type: 'command.ha-maintenance-start' }
      | { readonly type: 'command.ha-maintenance-cancel' }
      | { readonly type: 'command.ha-sync-complete-notify' }
      | { readonly type: 'command.dhcp-disable'; readonly origin: 'user' | 'ha-partner'; readonly maxPeriodS?: number }
      | { readonly type: 'command.dhcp-enable'; readonly origin: 'user' | 'ha-partner' },
  ): { requestId: string; answer: CommandAnswer | undefined; effects: HaEffect[] } {
    const requestId = this.nextRequestId();
    const effects = this.send({ ...command, nowMs: this.nowMs, requestId } as HaEvent);
    return { requestId, answer: answerTo(requestId, effects), effects };
  }
}

export function answerTo(requestId: string, effects: readonly HaEffect[]): CommandAnswer | undefined {
  const answers = ofType(effects, 'command.answer').filter((e) => e.requestId === requestId);
  if (answers.length > 1) throw new Error(`request ${requestId} was answered ${answers.length} times`);
  return answers[0]?.answer;
}
