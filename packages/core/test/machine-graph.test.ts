/**
 * Model-based coverage of the machine with xstate/graph: for each configuration of the spec's
 * fixture (LB primary, LB secondary, HS primary, HS standby, PB primary, backup) the machine is
 * explored breadth-first with an event alphabet that honours the caller contract (a result only
 * for an effect that is outstanding, heartbeat answers only while a heartbeat is in flight, the
 * timers' own `xstate.after.*` events only while they are armed), and `getShortestPaths` yields a
 * path to every abstract state. The abstract state keeps the state value and the context bits
 * that steer decisions — partner state, pause, communication interrupted, backlog overflowed, a
 * pending maintenance request, the state a maintenance cancel returns to, parked queries — never
 * times or counters.
 *
 * Every transition XState takes while the paths are generated is recorded from its microsteps,
 * so each recorded edge lies on a generated path (the shortest path to its source plus one
 * event). The test fails naming every state node that no path reaches and every edge (state
 * node, event, index among that node's transitions for the event) that no path takes, except
 * the few edges listed below as impossible, each with the reason.
 */
import { describe, expect, it } from 'vitest';
import { getShortestPaths, getStateNodes } from 'xstate/graph';
import type { AnyActorLogic, AnyStateNode, AnyTransitionDefinition, SnapshotFrom } from 'xstate';
import { STATE_LABELS, type HaConfig, type KeaCompat } from '../src/config/index.js';
import { haMachine } from '../src/machine/machine.js';
import { isCommunicationInterrupted } from '../src/machine/facts.js';
import { normalState } from '../src/machine/decide.js';
import type { HaEvent } from '../src/machine/events.js';
import { START_MS, YEAR_1994_S, lease } from './support/ha-driver.js';
import { hsPrimary, hsStandby, lbBackup, lbPrimary, lbSecondary, pbPrimary } from './support/kea-config.js';

type Snapshot = SnapshotFrom<typeof haMachine>;
type GraphEvent = HaEvent | { readonly type: string };

/** XState v5 names a delayed transition's event `xstate.after.<delay>.<state node id>`. */
const AFTER_HEARTBEAT = 'xstate.after.heartbeatDelay.tandem.heartbeat.scheduled';
const AFTER_REMOTE_DISABLE = 'xstate.after.remoteDisableMaxPeriod.tandem.remote-disable.armed';

/** Partner timing small enough to keep paths short; max-unacked-clients 0 makes U2 = interrupted (§6.4). */
const TIMING = { 'heartbeat-delay': 1000, 'max-response-delay': 3000, 'max-unacked-clients': 0 };

const CONFIGS: ReadonlyArray<readonly [string, HaConfig, KeaCompat]> = [
  ['LB primary', lbPrimary({ parameters: { ...TIMING, 'delayed-updates-limit': 2 } }), '2.2'],
  // sync-leases false: the only way waiting goes straight to ready (§2.1 step 7).
  ['LB secondary (sync-leases false)', lbSecondary({ parameters: { ...TIMING, 'delayed-updates-limit': 2, 'sync-leases': false } }), '2.2'],
  ['HS primary', hsPrimary({ parameters: TIMING }), '2.2'],
  ['HS standby', hsStandby({ parameters: TIMING }), 'head'],
  ['PB primary', pbPrimary({ parameters: TIMING }), '2.2'],
  ['LB backup', lbBackup({ parameters: TIMING }), '2.2'],
];

const ha = (s: Snapshot): unknown => s.value.ha;
const phase = (s: Snapshot, region: 'heartbeat' | 'remote-disable'): string => s.value[region];

/** The abstract state: what steers the machine's decisions, without times and counters. */
function serialize(s: Snapshot): string {
  const ctx = s.context;
  const inMaintenance = ctx.state === 'in-maintenance' || ctx.state === 'partner-in-maintenance';
  return JSON.stringify([
    s.value,
    ctx.partner.state,
    ctx.paused,
    isCommunicationInterrupted(ctx),
    ctx.backlog.overflowed,
    // Whether the backlog holds operations steers a finished delivery: deliver again or go normal.
    ctx.backlog.operations.length > 0,
    ctx.pendingCommand?.kind ?? null,
    inMaintenance ? ctx.previousState : null,
    ctx.parked.length > 0,
  ]);
}

/**
 * One partner state per column class of the §3 tables: the normal state, each maintenance
 * state, partner-down, ready, terminated, the other mode's normal state (invalid, §1.4) and
 * unavailable. The remaining labels repeat one of these classes in every row.
 */
const partnerStates = (config: HaConfig) =>
  [
    normalState(config),
    config.mode === 'hot-standby' ? 'load-balancing' : 'hot-standby',
    'in-maintenance',
    'partner-in-maintenance',
    'partner-down',
    'ready',
    'terminated',
    'unavailable',
  ] as const;

/**
 * The events a caller could send in this state, one second after the last one. To keep the
 * exploration small while still reaching every edge, a state with something outstanding
 * offers mostly what settles it:
 * - a parked query: only the acknowledgements it waits for;
 * - the partner's dhcp-disable timer armed: only what ends or renews that lock;
 * - a maintenance request waiting for the partner: its results, and what may overtake them
 *   (a heartbeat failure, a terminating clock, the partner's own maintenance notify);
 * - a heartbeat in flight: its answers, and ha-reset;
 * - otherwise the results of running effects, lease commits and the commands; commands that
 *   only touch scopes, pause or service locks are offered in waiting and partner-down only.
 */
function alphabet(config: HaConfig, compat: KeaCompat): (s: Snapshot) => GraphEvent[] {
  return (s) => {
    const ctx = s.context;
    const nowMs = ctx.nowMs + 1000;
    const requestId = `r${nowMs}`;
    const heartbeat = phase(s, 'heartbeat');
    const dateTimeS = Math.floor(nowMs / 1000);

    if (ctx.parked.length > 0) {
      return ctx.parked.flatMap(({ queryId, ...query }) =>
        query.awaiting.flatMap((peer): GraphEvent[] => [
          { type: 'lease-updates.completed', nowMs, queryId, peer, outcome: { kind: 'ok' } },
          { type: 'lease-updates.completed', nowMs, queryId, peer, outcome: compat === 'head' ? { kind: 'conflict', text: 'conflict' } : { kind: 'error', text: 'Connection refused' } },
        ]),
      );
    }
    if (phase(s, 'remote-disable') === 'armed') {
      return [
        { type: AFTER_REMOTE_DISABLE },
        { type: 'command.dhcp-disable', nowMs, requestId, origin: 'ha-partner', maxPeriodS: 30 },
        { type: 'command.dhcp-enable', nowMs, requestId, origin: 'ha-partner' },
        { type: 'command.ha-sync-complete-notify', nowMs, requestId },
      ];
    }
    const pending = ctx.pendingCommand;
    if (pending !== undefined) {
      const events: GraphEvent[] = [
        { type: 'maintenance-notify.completed', nowMs, requestId: pending.requestId, outcome: { kind: 'accepted' } },
        { type: 'maintenance-notify.completed', nowMs, requestId: pending.requestId, outcome: { kind: 'unreachable', text: 'Connection refused' } },
        { type: 'maintenance-notify.completed', nowMs, requestId: pending.requestId, outcome: { kind: 'refused', text: 'Unable to transition', code: 1001 } },
        { type: 'command.ha-maintenance-notify', nowMs, requestId, cancel: false },
      ];
      if (heartbeat === 'scheduled') events.push({ type: AFTER_HEARTBEAT });
      if (heartbeat === 'in-flight') {
        events.push({ type: 'heartbeat.failed', nowMs, reason: 'Connection refused' });
        events.push({ type: 'heartbeat.succeeded', nowMs, partner: { state: normalState(config), dateTimeS: YEAR_1994_S } });
      }
      return events;
    }
    if (heartbeat === 'in-flight') {
      const events: GraphEvent[] = partnerStates(config).map((state) => ({ type: 'heartbeat.succeeded', nowMs, partner: { state, dateTimeS } }));
      events.push({ type: 'heartbeat.succeeded', nowMs, partner: { state: normalState(config), dateTimeS: YEAR_1994_S } });
      events.push({ type: 'heartbeat.failed', nowMs, reason: 'Connection refused' });
      const interruptedMs = Math.max(nowMs, ctx.partner.lastContactMs + config.maxResponseDelayMs + 1);
      events.push({ type: 'heartbeat.failed', nowMs: interruptedMs, reason: 'Connection timed out' });
      events.push({ type: 'command.ha-reset', nowMs, requestId });
      return events;
    }

    const events: GraphEvent[] = [];
    if (heartbeat === 'scheduled') events.push({ type: AFTER_HEARTBEAT });
    const node = JSON.stringify(ha(s));
    if (node.includes('running')) events.push({ type: 'sync.succeeded', nowMs, leases: 1 }, { type: 'sync.failed', nowMs, reason: 'Connection refused' });
    if (node.includes('delivering')) events.push({ type: 'backlog.delivered', nowMs, ok: true }, { type: 'backlog.delivered', nowMs, ok: false });
    if (node.includes('resetting')) events.push({ type: 'ha-reset.sent', nowMs, ok: true }, { type: 'ha-reset.sent', nowMs, ok: false });
    if (ctx.dhcpEnabled) {
      const queryId = `q${nowMs}`;
      events.push({ type: 'leases.committed', nowMs, queryId, clientKey: 'c1', updated: [lease('192.0.2.1')], deleted: [] });
      if (ctx.state === 'communication-recovery') {
        events.push({ type: 'leases.committed', nowMs, queryId, clientKey: 'c2', updated: [lease('192.0.2.2'), lease('192.0.2.3')], deleted: [lease('192.0.2.4')] });
      }
    }
    events.push(
      { type: 'command.ha-reset', nowMs, requestId },
      { type: 'command.ha-maintenance-notify', nowMs, requestId, cancel: false },
      { type: 'command.ha-maintenance-notify', nowMs, requestId, cancel: true },
      { type: 'command.ha-maintenance-start', nowMs, requestId },
      { type: 'command.ha-maintenance-cancel', nowMs, requestId },
    );
    if (ctx.state === 'waiting' || ctx.state === 'partner-down') {
      if (ctx.dhcpEnabled && isCommunicationInterrupted(ctx)) {
        events.push({ type: 'query.observed', nowMs: ctx.nowMs, secs: 60, chaddr: Uint8Array.of(2, 0, 0, 0, 0, 1) });
      }
      events.push(
        { type: 'command.ha-continue', nowMs, requestId },
        { type: 'command.ha-scopes', nowMs, requestId, scopes: ['server1'] },
        { type: 'command.ha-scopes', nowMs, requestId, scopes: ['nobody'] },
        { type: 'command.ha-sync-complete-notify', nowMs, requestId },
        { type: 'command.dhcp-disable', nowMs, requestId, origin: 'ha-partner', maxPeriodS: 30 },
        { type: 'command.dhcp-disable', nowMs, requestId, origin: 'user' },
        { type: 'command.dhcp-enable', nowMs, requestId, origin: 'ha-partner' },
        { type: 'command.dhcp-enable', nowMs, requestId, origin: 'user' },
      );
    }
    return events;
  };
}

/**
 * haMachine as plain actor logic whose transitions report, through XState's own inspection
 * hook, every transition each microstep takes.
 */
function recordingLogic(taken: Set<AnyTransitionDefinition>): AnyActorLogic {
  type Scope = Parameters<typeof haMachine.transition>[2];
  const recording = (scope: Scope): Scope => {
    // `_sendInspectionEvent` is where every microstep reports its transitions (XState's inspection API).
    const system = Object.create(scope.system) as Scope['system'] & { _sendInspectionEvent: (event: { type: string }) => void };
    system._sendInspectionEvent = (event) => {
      if (event.type === '@xstate.microstep') for (const t of (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []) taken.add(t);
    };
    return { ...scope, system };
  };
  return {
    config: haMachine.config,
    transition: (snapshot: Snapshot, event: HaEvent, scope: Scope) => haMachine.transition(snapshot, event, recording(scope)),
    getInitialSnapshot: (scope: Scope, input: Parameters<typeof haMachine.getInitialSnapshot>[1]) => haMachine.getInitialSnapshot(recording(scope), input),
    getPersistedSnapshot: (snapshot: Snapshot) => haMachine.getPersistedSnapshot(snapshot),
  } as unknown as AnyActorLogic;
}

/** Every state node of the machine, the root included. */
const ALL_NODES: readonly AnyStateNode[] = [haMachine.root, ...getStateNodes(haMachine.root)];

interface Edge {
  readonly node: AnyStateNode;
  readonly eventType: string;
  readonly index: number;
  readonly transition: AnyTransitionDefinition;
}

const ALL_EDGES: readonly Edge[] = ALL_NODES.flatMap((node) =>
  [...node.transitions.entries()].flatMap(([eventType, list]) => list.map((transition, index) => ({ node, eventType, index, transition }))),
);

const edgeName = (e: Edge): string => {
  const target = e.transition.target?.map((t) => t.id).join(',') ?? '(no target)';
  return `${e.node.id} on ${e.eventType} [${e.index}] → ${target}`;
};

/** Edges no run can take, with the reason; the test also checks that no path takes them. */
const IMPOSSIBLE: ReadonlyArray<readonly [node: string, event: string, index: number, why: string]> = [
  // The return edges of a maintenance cancel exist for every label (machine.ts toPreviousState).
  ...(['backup', 'partner-in-maintenance', 'terminated'] as const).map(
    (label) => ['in-maintenance', 'command.ha-maintenance-notify', STATE_LABELS.indexOf(label), `in-maintenance is never entered from ${label} (§3.6: the notify is refused there)`] as const,
  ),
  ['in-maintenance', 'command.ha-maintenance-notify', STATE_LABELS.indexOf('in-maintenance'), 'a repeated notify in in-maintenance makes no transition, so in-maintenance is never its own previous state'],
  ...(['backup', 'in-maintenance', 'partner-in-maintenance', 'terminated'] as const).map(
    (label) => ['partner-in-maintenance', 'maintenance-notify.completed', STATE_LABELS.indexOf(label), `partner-in-maintenance is never entered from ${label} (§8.9 step 1, at the command and at its completion)`] as const,
  ),
  ['partner-in-maintenance', 'maintenance-notify.completed', STATE_LABELS.indexOf('passive-backup'), 'a passive-backup primary has no partner to send ha-maintenance-notify to'],
  ['partner-in-maintenance', 'ha.evaluate', 2, 'partner-in-maintenance is never the state a maintenance cancel returns to, so it is never entered skipping an evaluation'],
];

const isImpossible = (e: Edge) => IMPOSSIBLE.some(([node, event, index]) => e.node.id === node && e.eventType === event && e.index === index);

/**
 * Whether `node` is active in a state value: a compound state's string value names its active
 * child, an object value nests further (parallel regions and compound children).
 */
function isActive(value: unknown, node: AnyStateNode): boolean {
  let v: unknown = value;
  const path = node.path;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    if (typeof v === 'string') return v === key && i === path.length - 1;
    if (typeof v !== 'object' || v === null || !(key in v)) return false;
    v = (v as Record<string, unknown>)[key];
  }
  return true;
}

describe('machine graph coverage (xstate/graph)', () => {
  it('the delayed events are named as XState v5 names them', () => {
    const delayed = ALL_EDGES.filter((e) => e.eventType.startsWith('xstate.after.')).map((e) => e.eventType);
    expect(delayed.sort()).toEqual([AFTER_HEARTBEAT, AFTER_REMOTE_DISABLE]);
  });

  it('every state node is reached and every possible transition is taken by some generated path', () => {
    const taken = new Set<AnyTransitionDefinition>();
    const reached = new Set<AnyStateNode>();
    const summary: string[] = [];
    for (const [name, config, compat] of CONFIGS) {
      const paths = getShortestPaths(recordingLogic(taken), {
        input: { config, nowMs: START_MS, compat },
        events: alphabet(config, compat) as never,
        serializeState: (s) => serialize(s as Snapshot),
      });
      for (const path of paths) for (const node of ALL_NODES) if (isActive((path.state as Snapshot).value, node)) reached.add(node);
      summary.push(`${name}: ${paths.length} abstract states`);
      expect(paths.length).toBeGreaterThan(0);
    }

    const unreachedNodes = ALL_NODES.filter((n) => !reached.has(n)).map((n) => n.id);
    expect(unreachedNodes, 'state nodes no path reaches').toEqual([]);

    const missing = ALL_EDGES.filter((e) => !isImpossible(e) && !taken.has(e.transition)).map(edgeName);
    expect(missing, `transitions no path takes (${summary.join('; ')})`).toEqual([]);

    const impossibleTaken = ALL_EDGES.filter((e) => isImpossible(e) && taken.has(e.transition)).map(edgeName);
    expect(impossibleTaken, 'edges listed as impossible were taken').toEqual([]);
    expect(IMPOSSIBLE.length).toBe(ALL_EDGES.filter(isImpossible).length);
  });
});
