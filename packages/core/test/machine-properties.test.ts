/**
 * Properties of the HA state machine under random runs. A "world" plays the caller of
 * docs/architecture.md: it answers every effect that has a result exactly once (heartbeats,
 * lease updates, syncs, backlog deliveries, ha-resets, maintenance notifies), in random order
 * and at random times, and mixes in partner answers with random states, clocks (skew included)
 * and unsent counts, failures, time jumps, unserved queries, lease commits and commands, over
 * random configurations (modes, roles, pauses, auto-failover, limits, compat).
 *
 * Invariants checked after every step:
 *  I1 the machine never throws and never stops;
 *  I2 the caller's view (last scopes.set / dhcp-service.set) equals the machine's context;
 *  I3 in waiting, syncing, ready, in-maintenance and backup the DHCP service is disabled, and no
 *     scope is served unless ha-scopes set one since the state was entered (§1.5, §7.7).
 *     Tandem follows HEAD's per-origin network state (§11) in both compat modes, so neither a
 *     user nor a partner command can enable a service the local state holds disabled; the
 *     2.2.0 shared-flag quirk (§13.16) is deliberately not reproduced;
 *  I4 paused rule: while paused (before the event), an event changes the HA state at most once
 *     (no chained decisions), and only when it is a command that forces a transition
 *     (ha-reset, ha-maintenance-notify) or the awaited result of something the machine started
 *     (maintenance-notify.completed, sync.succeeded, backlog.delivered, ha-reset.sent) (§4);
 *  I5 terminated is left only by ha-reset (§2.9);
 *  I6 a successful heartbeat with |skew| > 60 s ends in terminated when it arrives in waiting,
 *     syncing (idle), ready, load-balancing, hot-standby, communication-recovery (idle),
 *     partner-down or partner-in-maintenance, unpaused and not skipping the evaluation after a
 *     maintenance cancel (§6.7, §1.3);
 *  I7 never two heartbeats in flight: heartbeat.send is emitted only after the previous one got
 *     its result, and never in terminated, passive-backup or backup (§6.1);
 *  I8 a query is answered exactly once: at once (query.respond in the commit step, no park) or,
 *     after query.park, by one query.respond / query.drop emitted exactly when its last awaited
 *     lease update completes — drop iff one of them failed (§10.3);
 *  I9 every command is answered exactly once (maintenance start/cancel when the partner answered).
 */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { STATE_LABELS, type HaConfig, type KeaCompat, type PausableLabel, type PauseMode, type StateLabel } from '../src/config/index.js';
import type { HaEffect } from '../src/machine/effects.js';
import type { HaEvent, LeaseUpdateOutcome, MaintenanceNotifyOutcome } from '../src/machine/events.js';
import { HaDriver, YEAR_1994_S, lease } from './support/ha-driver.js';
import { haConfig, type ServerName } from './support/kea-config.js';
import { reach } from './support/reach.js';

// ---- random configurations ----

interface ConfigChoice {
  readonly mode: 'load-balancing' | 'hot-standby' | 'passive-backup';
  readonly thisServer: ServerName;
  readonly pause: Partial<Record<PausableLabel, PauseMode>>;
  readonly autoFailover: boolean;
  readonly delayedUpdatesLimit: number;
  readonly syncLeases: boolean;
  readonly sendLeaseUpdates: boolean;
  readonly maxUnackedClients: number;
  readonly heartbeatDelayMs: number;
  readonly maxResponseDelayMs: number;
  readonly waitBackupAck: boolean;
  readonly compat: KeaCompat;
}

const configChoice: fc.Arbitrary<ConfigChoice> = fc.record({
  mode: fc.constantFrom('load-balancing', 'load-balancing', 'load-balancing', 'hot-standby', 'hot-standby', 'passive-backup'),
  // server3 is a backup; a backup or a passive-backup relationship has little to explore.
  thisServer: fc.constantFrom<ServerName>('server1', 'server1', 'server1', 'server2', 'server2', 'server2', 'server3'),
  pause: fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...STATE_LABELS), fc.constantFrom<PauseMode>('always', 'once', 'never'), { maxKeys: 3 }) },
  ),
  autoFailover: fc.boolean(),
  delayedUpdatesLimit: fc.integer({ min: 0, max: 4 }),
  syncLeases: fc.boolean(),
  sendLeaseUpdates: fc.constantFrom(true, true, true, false),
  maxUnackedClients: fc.integer({ min: 0, max: 3 }),
  heartbeatDelayMs: fc.integer({ min: 1, max: 10 }).map((n) => n * 1000),
  maxResponseDelayMs: fc.integer({ min: 1, max: 30 }).map((n) => n * 1000),
  waitBackupAck: fc.boolean(),
  compat: fc.constantFrom<KeaCompat>('2.2', 'head'),
});

function buildConfig(c: ConfigChoice): HaConfig {
  const thisServer = c.thisServer;
  return haConfig(
    {
      mode: c.mode,
      thisServer,
      pause: c.pause,
      autoFailover: { [thisServer]: c.autoFailover },
      parameters: {
        'delayed-updates-limit': c.mode === 'load-balancing' ? c.delayedUpdatesLimit : 0,
        'sync-leases': c.syncLeases,
        'send-lease-updates': c.sendLeaseUpdates,
        'max-unacked-clients': c.maxUnackedClients,
        'heartbeat-delay': c.heartbeatDelayMs,
        'max-response-delay': c.maxResponseDelayMs,
        'wait-backup-ack': c.mode === 'passive-backup' && c.waitBackupAck,
      },
    },
    c.compat,
  );
}

// ---- random actions ----

const PARTNER_STATES = [...STATE_LABELS, 'unavailable'] as const;
/** Partner clock offsets, seconds: fine, warning, terminating; `1994` = the absolute 1994 clock. */
const SKEWS = [0, 0, 0, 0, 3, -3, 35, -35, 61, -61, 65, 3600, 1994] as const;

type Command =
  | { readonly type: 'command.ha-reset' }
  | { readonly type: 'command.ha-continue' }
  | { readonly type: 'command.ha-scopes'; readonly scopes: unknown }
  | { readonly type: 'command.ha-maintenance-notify'; readonly cancel: boolean }
  | { readonly type: 'command.ha-maintenance-start' }
  | { readonly type: 'command.ha-maintenance-cancel' }
  | { readonly type: 'command.ha-sync-complete-notify' }
  | { readonly type: 'command.dhcp-disable'; readonly origin: 'user' | 'ha-partner'; readonly maxPeriodS?: number }
  | { readonly type: 'command.dhcp-enable'; readonly origin: 'user' | 'ha-partner' };

type Action =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'heartbeat-ok'; readonly partner: (typeof PARTNER_STATES)[number]; readonly skew: (typeof SKEWS)[number]; readonly unsent?: number }
  | { readonly kind: 'heartbeat-fail' }
  | { readonly kind: 'observe'; readonly client: number; readonly secs: number }
  | { readonly kind: 'commit'; readonly updated: number; readonly deleted: number; readonly client: number }
  | { readonly kind: 'lease-result'; readonly pick: number; readonly outcome: 'ok' | 'error' | 'conflict' }
  | { readonly kind: 'sync-result'; readonly ok: boolean }
  | { readonly kind: 'backlog-result'; readonly ok: boolean }
  | { readonly kind: 'reset-result'; readonly ok: boolean }
  | { readonly kind: 'maintenance-result'; readonly pick: number; readonly outcome: 'accepted' | 'unreachable' | 'refused' }
  | { readonly kind: 'command'; readonly command: Command };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ type: 'command.ha-reset' as const }),
  fc.constant({ type: 'command.ha-continue' as const }),
  fc.constant({ type: 'command.ha-continue' as const }),
  fc.record({ type: fc.constant('command.ha-scopes' as const), scopes: fc.subarray(['server1', 'server2', 'server3', 'nobody']) }),
  fc.record({ type: fc.constant('command.ha-maintenance-notify' as const), cancel: fc.boolean() }),
  fc.constant({ type: 'command.ha-maintenance-start' as const }),
  fc.constant({ type: 'command.ha-maintenance-start' as const }),
  fc.constant({ type: 'command.ha-maintenance-cancel' as const }),
  fc.constant({ type: 'command.ha-maintenance-cancel' as const }),
  fc.constant({ type: 'command.ha-sync-complete-notify' as const }),
  fc.record(
    { type: fc.constant('command.dhcp-disable' as const), origin: fc.constantFrom('user' as const, 'ha-partner' as const), maxPeriodS: fc.integer({ min: 1, max: 90 }) },
    { requiredKeys: ['type', 'origin'] },
  ),
  fc.record({ type: fc.constant('command.dhcp-enable' as const), origin: fc.constantFrom('user' as const, 'ha-partner' as const) }),
);

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 0, max: 90_000 })) }) },
  {
    weight: 8,
    arbitrary: fc.record(
      {
        kind: fc.constant('heartbeat-ok' as const),
        partner: fc.constantFrom(...PARTNER_STATES),
        skew: fc.constantFrom(...SKEWS),
        unsent: fc.integer({ min: 0, max: 3 }),
      },
      { requiredKeys: ['kind', 'partner', 'skew'] },
    ),
  },
  { weight: 4, arbitrary: fc.constant({ kind: 'heartbeat-fail' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('observe' as const), client: fc.integer({ min: 0, max: 6 }), secs: fc.constantFrom(0, 5, 30, 0x0500, 0x0f00) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('commit' as const), updated: fc.integer({ min: 0, max: 2 }), deleted: fc.integer({ min: 0, max: 1 }), client: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('lease-result' as const), pick: fc.nat(), outcome: fc.constantFrom('ok' as const, 'ok' as const, 'error' as const, 'conflict' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync-result' as const), ok: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('backlog-result' as const), ok: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset-result' as const), ok: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('maintenance-result' as const), pick: fc.nat(), outcome: fc.constantFrom('accepted' as const, 'unreachable' as const, 'refused' as const) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('command' as const), command: commandArb }) },
);

// ---- the world: a caller that honours the contract, and the invariant checks ----

const NO_SERVICE_STATES: ReadonlySet<StateLabel> = new Set(['waiting', 'syncing', 'ready', 'in-maintenance', 'backup']);
const SKEW_CHECKED_NODES: ReadonlySet<string> = new Set([
  'waiting',
  'syncing.idle',
  'ready',
  'load-balancing',
  'hot-standby',
  'communication-recovery.idle',
  'partner-down',
  'partner-in-maintenance',
]);
const NO_HEARTBEAT_STATES: ReadonlySet<StateLabel> = new Set(['terminated', 'passive-backup', 'backup']);
const PAUSED_MAY_MOVE: ReadonlySet<string> = new Set([
  'command.ha-reset',
  'command.ha-maintenance-notify',
  'maintenance-notify.completed',
  'sync.succeeded',
  'backlog.delivered',
  'ha-reset.sent',
]);

interface QueryRecord {
  parked: boolean;
  readonly awaiting: Set<string>;
  failed: boolean;
  answers: number;
}

class World {
  private heartbeatsInFlight = 0;
  private readonly leaseUpdates: Array<{ queryId: string; peer: string; awaited: boolean }> = [];
  private syncs = 0;
  private backlogs = 0;
  private resets = 0;
  private readonly maintenance: string[] = [];
  private readonly queries = new Map<string, QueryRecord>();
  private readonly answers = new Map<string, number>();
  private callerScopes: readonly string[] = [];
  private callerDhcp = true;
  private scopesSetSinceEntry = false;
  private committing: string | undefined;
  readonly trace: string[] = [];

  /**
   * Take over a driver that was brought into its state by support/reach.ts, which answered every
   * effect it caused: only the caller's view of scopes and service and a heartbeat left in
   * flight carry over.
   */
  constructor(
    readonly d: HaDriver,
    readonly compat: KeaCompat,
  ) {
    for (const e of d.effects) {
      if (e.type === 'scopes.set') this.callerScopes = e.scopes;
      if (e.type === 'dhcp-service.set') this.callerDhcp = e.enabled;
    }
    this.heartbeatsInFlight = d.heartbeatPhase === 'in-flight' ? 1 : 0;
    this.checkState();
  }

  /** Run one caller step that sends at most one event; check every invariant around it. */
  private step(trigger: string, run: () => HaEffect[], event?: HaEvent): void {
    const before = this.d.snapshot;
    const prev = before.context;
    const prevNode = this.d.haNode;
    this.trace.push(`${prevNode}${prev.paused ? ' (paused)' : ''} <- ${trigger}`);
    const effects = run();
    const next = this.d.snapshot;
    expect(next.status, 'I1 the machine keeps running').toBe('active');
    this.absorb(effects);
    this.checkState();
    if (effects.some((e) => e.type === 'heartbeat.send')) {
      expect(NO_HEARTBEAT_STATES.has(next.context.state) || next.context.syncing, `I7 heartbeat sent in ${this.d.haNode}`).toBe(false);
    }
    const changes = effects.filter((e) => e.type === 'state.changed').length;
    if (prev.paused) {
      expect(changes, `I4 a paused machine does not chain decisions (${trigger})`).toBeLessThanOrEqual(1);
      if (changes > 0) expect(PAUSED_MAY_MOVE.has(trigger), `I4 a paused machine moved on ${trigger}`).toBe(true);
    }
    if (prev.state === 'terminated' && next.context.state !== 'terminated') {
      expect(trigger, 'I5 terminated is left only by ha-reset').toBe('command.ha-reset');
    }
    if (event?.type === 'heartbeat.succeeded') {
      const skewS = event.partner.dateTimeS - Math.floor(event.nowMs / 1000);
      if (Math.abs(skewS) > 60 && SKEW_CHECKED_NODES.has(prevNode) && !prev.paused && !prev.skipEvaluation) {
        expect(next.context.state, `I6 a ${skewS} s skew in ${prevNode}`).toBe('terminated');
      }
    }
  }

  /** Follow the effects the way the caller would, checking the effect-level invariants. */
  private absorb(effects: readonly HaEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'heartbeat.send':
          expect(this.heartbeatsInFlight, 'I7 a heartbeat is sent only after the previous one completed').toBe(0);
          this.heartbeatsInFlight++;
          break;
        case 'lease-updates.send': {
          this.leaseUpdates.push({ queryId: e.queryId, peer: e.peer, awaited: e.awaited });
          if (e.awaited) this.query(e.queryId).awaiting.add(e.peer);
          break;
        }
        case 'query.park':
          expect(e.queryId, 'I8 only the query being committed is parked').toBe(this.committing);
          this.query(e.queryId).parked = true;
          break;
        case 'query.respond':
        case 'query.drop': {
          const q = this.query(e.queryId);
          q.answers++;
          expect(q.answers, `I8 ${e.queryId} answered once`).toBe(1);
          if (q.parked) {
            expect(q.awaiting.size, `I8 ${e.queryId} answered before its acknowledgements`).toBe(0);
            expect(e.type === 'query.drop', `I8 ${e.queryId} dropped iff an awaited update failed`).toBe(q.failed);
          } else {
            expect(e.type, 'I8 an unparked query is answered in its commit step').toBe('query.respond');
            expect(e.queryId).toBe(this.committing);
          }
          break;
        }
        case 'sync.start':
          this.syncs++;
          break;
        case 'backlog.deliver':
          this.backlogs++;
          break;
        case 'ha-reset.send':
          this.resets++;
          break;
        case 'maintenance-notify.send':
          this.maintenance.push(e.requestId);
          break;
        case 'command.answer': {
          const n = (this.answers.get(e.requestId) ?? 0) + 1;
          this.answers.set(e.requestId, n);
          expect(n, `I9 ${e.requestId} answered once`).toBe(1);
          if (e.answer.result === 0 && e.answer.text === 'New HA scopes configured.') this.scopesSetSinceEntry = true;
          break;
        }
        case 'scopes.set':
          this.callerScopes = e.scopes;
          break;
        case 'dhcp-service.set':
          this.callerDhcp = e.enabled;
          break;
        case 'state.changed':
          this.scopesSetSinceEntry = false;
          break;
        case 'log':
          break;
      }
    }
  }

  private checkState(): void {
    const ctx = this.d.context;
    expect(this.callerScopes, 'I2 the caller serves what the machine serves').toEqual(ctx.servedScopes);
    expect(this.callerDhcp, 'I2 the caller runs the service iff the machine says so').toBe(ctx.dhcpEnabled);
    if (NO_SERVICE_STATES.has(ctx.state)) {
      expect(ctx.dhcpEnabled, `I3 DHCP disabled in ${ctx.state}`).toBe(false);
      if (!this.scopesSetSinceEntry) expect(ctx.servedScopes, `I3 no scopes in ${ctx.state}`).toEqual([]);
    }
  }

  private query(queryId: string): QueryRecord {
    let q = this.queries.get(queryId);
    if (q === undefined) {
      q = { parked: false, awaiting: new Set(), failed: false, answers: 0 };
      this.queries.set(queryId, q);
    }
    return q;
  }

  private send(trigger: string, event: HaEvent): void {
    this.step(trigger, () => this.d.send(event), event);
  }

  private deliverHeartbeat(event: HaEvent): void {
    this.heartbeatsInFlight--;
    this.send(event.type, event);
  }

  apply(a: Action): void {
    const d = this.d;
    switch (a.kind) {
      case 'time':
        this.step('time', () => d.advance(a.ms));
        return;
      case 'heartbeat-ok':
      case 'heartbeat-fail': {
        if (this.heartbeatsInFlight === 0) {
          // Let the timer fire when one is armed; otherwise there is nothing to answer.
          if (d.heartbeatPhase !== 'scheduled') return;
          this.step('time', () => d.awaitHeartbeat());
          if (this.heartbeatsInFlight === 0) return;
        }
        if (a.kind === 'heartbeat-fail') {
          this.deliverHeartbeat({ type: 'heartbeat.failed', nowMs: d.nowMs, reason: 'Connection refused' });
        } else {
          const dateTimeS = a.skew === 1994 ? YEAR_1994_S : Math.floor(d.nowMs / 1000) + a.skew;
          this.deliverHeartbeat({
            type: 'heartbeat.succeeded',
            nowMs: d.nowMs,
            partner: { state: a.partner, dateTimeS, ...(a.unsent === undefined ? {} : { unsentUpdateCount: a.unsent }) },
          });
        }
        return;
      }
      case 'observe':
        // Only queries the server receives, i.e. with its service running, are analysed.
        if (!d.context.dhcpEnabled) return;
        this.send('query.observed', { type: 'query.observed', nowMs: d.nowMs, secs: a.secs, chaddr: Uint8Array.of(2, 0, 0, 0, 0, a.client) });
        return;
      case 'commit': {
        const id = `q${this.queries.size + 1}`;
        this.query(id);
        this.committing = id;
        const updated = Array.from({ length: a.updated }, (_, i) => lease(`192.0.2.${i + 1}`));
        const deleted = Array.from({ length: a.deleted }, (_, i) => lease(`198.51.100.${i + 1}`));
        this.send('leases.committed', { type: 'leases.committed', nowMs: d.nowMs, queryId: id, clientKey: `client-${a.client}`, updated, deleted });
        this.committing = undefined;
        return;
      }
      case 'lease-result': {
        if (this.leaseUpdates.length === 0) return;
        const [u] = this.leaseUpdates.splice(a.pick % this.leaseUpdates.length, 1);
        if (u === undefined) return;
        const kind = a.outcome === 'conflict' && this.compat !== 'head' ? 'error' : a.outcome;
        this.completeLeaseUpdate(u, kind);
        return;
      }
      case 'sync-result':
        if (this.syncs === 0) return;
        this.syncs--;
        this.send(a.ok ? 'sync.succeeded' : 'sync.failed', a.ok ? { type: 'sync.succeeded', nowMs: d.nowMs, leases: 3 } : { type: 'sync.failed', nowMs: d.nowMs, reason: 'Connection refused' });
        return;
      case 'backlog-result':
        if (this.backlogs === 0) return;
        this.backlogs--;
        this.send('backlog.delivered', { type: 'backlog.delivered', nowMs: d.nowMs, ok: a.ok });
        return;
      case 'reset-result':
        if (this.resets === 0) return;
        this.resets--;
        this.send('ha-reset.sent', { type: 'ha-reset.sent', nowMs: d.nowMs, ok: a.ok });
        return;
      case 'maintenance-result': {
        if (this.maintenance.length === 0) return;
        const [requestId] = this.maintenance.splice(a.pick % this.maintenance.length, 1);
        if (requestId === undefined) return;
        this.completeMaintenance(requestId, a.outcome);
        return;
      }
      case 'command': {
        const requestId = d.nextRequestId();
        this.answers.set(requestId, 0);
        this.send(a.command.type, { ...a.command, nowMs: d.nowMs, requestId } as HaEvent);
        const immediate = a.command.type !== 'command.ha-maintenance-start' && a.command.type !== 'command.ha-maintenance-cancel';
        if (immediate) expect(this.answers.get(requestId), `I9 ${a.command.type} answered at once`).toBe(1);
        return;
      }
    }
  }

  private completeLeaseUpdate(u: { queryId: string; peer: string; awaited: boolean }, kind: 'ok' | 'error' | 'conflict'): void {
    const q = this.query(u.queryId);
    if (u.awaited) {
      q.awaiting.delete(u.peer);
      if (kind !== 'ok') q.failed = true;
    }
    const outcome: LeaseUpdateOutcome = kind === 'ok' ? { kind } : { kind, text: kind === 'error' ? 'Connection refused' : 'lease conflict' };
    this.send('lease-updates.completed', { type: 'lease-updates.completed', nowMs: this.d.nowMs, queryId: u.queryId, peer: u.peer, outcome });
  }

  private completeMaintenance(requestId: string, kind: 'accepted' | 'unreachable' | 'refused'): void {
    const outcome: MaintenanceNotifyOutcome =
      kind === 'accepted' ? { kind } : kind === 'unreachable' ? { kind, text: 'Connection refused' } : { kind, text: 'Unable to transition', code: 1001 };
    this.send('maintenance-notify.completed', { type: 'maintenance-notify.completed', nowMs: this.d.nowMs, requestId, outcome });
  }

  /** Answer everything still outstanding, then check that every query and command got its answer. */
  finish(): void {
    while (this.maintenance.length > 0) this.completeMaintenance(this.maintenance.shift() as string, 'refused');
    while (this.leaseUpdates.length > 0) this.completeLeaseUpdate(this.leaseUpdates.shift() as { queryId: string; peer: string; awaited: boolean }, 'ok');
    for (const [queryId, q] of this.queries) expect(q.answers, `I8 ${queryId} answered exactly once`).toBe(1);
    for (const [requestId, n] of this.answers) expect(n, `I9 ${requestId} answered exactly once`).toBe(1);
  }
}

/**
 * Where a run starts: a fresh start, or a state reached the realistic way (support/reach.ts) so
 * that short random runs also explore maintenance, recovery and termination. A start that the
 * configuration cannot reach (a pause on the way, a mode without that state) begins fresh.
 */
function startDriver(config: HaConfig, compat: KeaCompat, wanted: StateLabel): HaDriver {
  // The normal state of the relationship stands for either normal label.
  const start = wanted === 'load-balancing' || wanted === 'hot-standby' ? (config.mode === 'hot-standby' ? 'hot-standby' : 'load-balancing') : wanted;
  if (start !== 'waiting') {
    try {
      return reach(config, start, { compat });
    } catch {
      // not reachable with this configuration
    }
  }
  return new HaDriver(config, { compat });
}

describe('machine properties under random runs', () => {
  const starts: StateLabel[] = ['waiting', 'syncing', 'ready', 'load-balancing', 'hot-standby', 'communication-recovery', 'partner-down', 'partner-in-maintenance', 'in-maintenance', 'terminated'];
  it.prop([configChoice, fc.constantFrom(...starts), fc.array(actionArb, { minLength: 5, maxLength: 60, size: 'max' })], { numRuns: 500 })(
    'I1–I9 hold for every run over every configuration',
    (choice, start, actions) => {
      const world = new World(startDriver(buildConfig(choice), choice.compat, start), choice.compat);
      try {
        for (const a of actions) world.apply(a);
        world.finish();
      } catch (error) {
        throw new Error(`${(error as Error).message}\ntrace:\n  ${world.trace.slice(-25).join('\n  ')}`, { cause: error });
      }
    },
  );
});

// ---- robustness: events in any order, contract or not ----

const anyEventArb = (peers: readonly string[]): fc.Arbitrary<(nowMs: number, n: number) => HaEvent> =>
  fc.oneof(
    fc.record({ partner: fc.constantFrom(...PARTNER_STATES), skew: fc.integer({ min: -100, max: 100 }) }).map(
      ({ partner, skew }) => (nowMs: number) => ({ type: 'heartbeat.succeeded', nowMs, partner: { state: partner, dateTimeS: Math.floor(nowMs / 1000) + skew } }) as HaEvent,
    ),
    fc.constant((nowMs: number) => ({ type: 'heartbeat.failed', nowMs, reason: 'x' }) as HaEvent),
    fc.integer({ min: 0, max: 0xffff }).map((secs) => (nowMs: number) => ({ type: 'query.observed', nowMs, secs, chaddr: Uint8Array.of(1, 2, 3) }) as HaEvent),
    fc.constant((nowMs: number, n: number) => ({ type: 'leases.committed', nowMs, queryId: `q${n % 3}`, clientKey: 'c', updated: [lease('192.0.2.1')], deleted: [] }) as HaEvent),
    fc.record({ peer: fc.constantFrom(...peers, 'stranger'), kind: fc.constantFrom('ok' as const, 'error' as const, 'conflict' as const) }).map(
      ({ peer, kind }) => (nowMs: number, n: number) =>
        ({ type: 'lease-updates.completed', nowMs, queryId: `q${n % 3}`, peer, outcome: kind === 'ok' ? { kind } : { kind, text: 't' } }) as HaEvent,
    ),
    fc.boolean().map((ok) => (nowMs: number) => (ok ? { type: 'sync.succeeded', nowMs, leases: 0 } : { type: 'sync.failed', nowMs, reason: 'x' }) as HaEvent),
    fc.boolean().map((ok) => (nowMs: number) => ({ type: 'backlog.delivered', nowMs, ok }) as HaEvent),
    fc.boolean().map((ok) => (nowMs: number) => ({ type: 'ha-reset.sent', nowMs, ok }) as HaEvent),
    fc.constantFrom<MaintenanceNotifyOutcome>({ kind: 'accepted' }, { kind: 'unreachable', text: 'x' }, { kind: 'refused', text: 'x', code: 1001 }).map(
      (outcome) => (nowMs: number, n: number) => ({ type: 'maintenance-notify.completed', nowMs, requestId: `r${n % 4}`, outcome }) as HaEvent,
    ),
    commandArb.map((c) => (nowMs: number, n: number) => ({ ...c, nowMs, requestId: `r${n % 4}` }) as HaEvent),
  );

describe('machine robustness', () => {
  it.prop([configChoice, fc.array(fc.tuple(fc.integer({ min: 0, max: 40_000 }), anyEventArb(['server1', 'server2', 'server3'])), { maxLength: 60 })], {
    numRuns: 150,
  })('I1 no event sequence, in or out of the caller contract, makes the machine throw or stop', (choice, steps) => {
    const d = new HaDriver(buildConfig(choice), { compat: choice.compat });
    steps.forEach(([ms, make], n) => {
      d.advance(ms);
      d.send(make(d.nowMs, n));
      expect(d.snapshot.status).toBe('active');
    });
  });
});
