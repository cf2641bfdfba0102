import { and, enqueueActions, setup } from 'xstate';
import { STATE_LABELS, type StateLabel } from '../config/types.js';
import {
  DHCP_ENABLED_TEXT,
  dhcpDisabledText,
  HA_CONTINUE_NOT_PAUSED,
  HA_CONTINUE_RESUMED,
  HA_MAINTENANCE_CANCEL_DONE,
  HA_MAINTENANCE_CANCEL_NOT_IN_PARTNER_MAINTENANCE,
  HA_MAINTENANCE_NOTIFY_CANCELED,
  HA_MAINTENANCE_NOTIFY_ENTERED,
  HA_MAINTENANCE_NOTIFY_NOT_IN_MAINTENANCE,
  HA_MAINTENANCE_START_DONE,
  HA_MAINTENANCE_START_PARTNER_DOWN,
  HA_RESET_ALREADY_WAITING,
  HA_RESET_DONE,
  HA_SCOPES_CONFIGURED,
  HA_SYNC_COMPLETE_NOTIFIED,
  maintenanceCancelFailedText,
  maintenanceNotAllowedText,
  maintenanceStartNotAllowedText,
  maintenanceStartRefusedText,
} from '../wire/commands.js';
import type { HaEvent, InternalEvent, MaintenanceNotifyOutcome } from './events.js';
import type { CommandAnswer, HaEffect } from './effects.js';
import type { HaContext, HaMachineInput, ParkedQuery } from './context.js';
import { decide, normalState, type Verdict } from './decide.js';
import { factsOf, isCommunicationInterrupted } from './facts.js';
import { NO_LOCKS, serviceEnabled } from './network.js';
import { defaultScopes, dhcpServiceWanted, validateScopes } from '../scopes/scopes-per-state.js';
import { analyzeQuery4, emptyUnackedClients } from '../communication/failure-detection.js';
import { clockSkewS, clockSkewVerdict, formatClockSkew, shouldLogSkewWarning } from '../communication/clock-skew.js';
import { incrementUnsentUpdateCount } from '../communication/unsent-updates.js';
import { clearBacklog, drainBacklog, emptyBacklog, pushBacklog } from '../communication/backlog.js';
import { leaseUpdateDecision } from '../communication/lease-update-policy.js';

type MachineEvent = HaEvent | InternalEvent;

/**
 * One evaluation tries several guarded edges against the same context object; the verdict is a
 * pure function of it, so compute it once per context.
 */
const verdicts = new WeakMap<HaContext, Verdict>();
const verdictOf = (ctx: HaContext): Verdict => {
  let v = verdicts.get(ctx);
  if (v === undefined) {
    v = decide(factsOf(ctx));
    verdicts.set(ctx, v);
  }
  return v;
};

/**
 * The longest delay a JavaScript timer honours (2^31−1 ms, about 24.8 days): the actor's clock
 * fires a longer one at once. HEAD accepts heartbeat-delay up to 2^32−1 ms (§5.1) and a
 * dhcp-disable max-period of any positive integer (§8.12), so both are capped here.
 */
const MAX_TIMER_DELAY_MS = 2_147_483_647;
const timerDelay = (ms: number): number => Math.min(ms, MAX_TIMER_DELAY_MS);

/** Rejected-client records live a day (§6.8). */
const REJECTED_CLIENT_TTL_MS = 86_400_000;

/** States whose entry clears the rejected-client records (§6.8). */
const CLEARS_REJECTED: ReadonlySet<StateLabel> = new Set(['waiting', 'syncing', 'ready', 'partner-down', 'terminated']);

/** States in which the heartbeat never runs (§6.1). */
const NO_HEARTBEAT: ReadonlySet<StateLabel> = new Set(['terminated', 'passive-backup', 'backup']);

const answer = (result: number, text: string, args?: Record<string, unknown>): CommandAnswer =>
  args === undefined ? { result, text } : { result, text, arguments: args };

/**
 * How a failed peer command is quoted to the operator (§8.1): 2.2.0 writes "<text>, error code
 * <n>", HEAD "<text> (error code <n>)"; a transport failure is its message alone.
 */
const peerErrorText = (compat: HaContext['compat'], outcome: MaintenanceNotifyOutcome): string =>
  outcome.kind === 'refused'
    ? compat === 'head'
      ? `${outcome.text} (error code ${outcome.code})`
      : `${outcome.text}, error code ${outcome.code}`
    : outcome.kind === 'unreachable'
      ? outcome.text
      : '';

const sameScopes = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/** The time carried by an event, or the last known time for events that carry none. */
const eventTime = (ctx: HaContext, event: MachineEvent): number => ('nowMs' in event ? event.nowMs : ctx.nowMs);

export const heartbeatWanted = (ctx: HaContext): boolean =>
  ctx.config.partner !== undefined &&
  ctx.config.heartbeatDelayMs > 0 &&
  ctx.config.thisServer.role !== 'backup' &&
  ctx.config.mode !== 'passive-backup' &&
  !NO_HEARTBEAT.has(ctx.state) &&
  !ctx.syncing;

/** Next pause flag and once-budget when entering `label` (§4). */
function pauseOnEntry(ctx: HaContext, label: StateLabel): Pick<HaContext, 'paused' | 'pauseOnceUsed'> {
  if (ctx.paused) return { paused: true, pauseOnceUsed: ctx.pauseOnceUsed };
  const rule = ctx.config.stateMachine[label];
  if (rule === 'always') return { paused: true, pauseOnceUsed: ctx.pauseOnceUsed };
  if (rule === 'once' && !ctx.pauseOnceUsed.includes(label)) {
    return { paused: true, pauseOnceUsed: [...ctx.pauseOnceUsed, label] };
  }
  return { paused: false, pauseOnceUsed: ctx.pauseOnceUsed };
}

/** New network locks plus the effects announcing a flip of the service (emitted only on change). */
function withLocks(ctx: HaContext, network: HaContext['network']): { value: Pick<HaContext, 'network' | 'dhcpEnabled'>; effects: HaEffect[] } {
  const dhcpEnabled = serviceEnabled(network);
  if (dhcpEnabled === ctx.dhcpEnabled) return { value: { network, dhcpEnabled }, effects: [] };
  return {
    value: { network, dhcpEnabled },
    effects: [
      { type: 'dhcp-service.set', enabled: dhcpEnabled },
      {
        type: 'log',
        level: 'info',
        id: dhcpEnabled ? 'HA_LOCAL_DHCP_ENABLE' : 'HA_LOCAL_DHCP_DISABLE',
        message: `local DHCP service is ${dhcpEnabled ? 'enabled' : 'disabled'} (state ${ctx.state})`,
      },
    ],
  };
}

/** New served scopes plus a `scopes.set` effect when they differ from the current ones. */
function withScopes(ctx: HaContext, scopes: readonly string[]): { value: readonly string[]; effects: HaEffect[] } {
  return { value: scopes, effects: sameScopes(scopes, ctx.servedScopes) ? [] : [{ type: 'scopes.set', scopes }] };
}

/** Evaluate-event transitions of one state: one guarded edge per state the handler can move to. */
const evaluateTo = (targets: readonly StateLabel[]) => [
  ...targets.map((to) => ({ guard: { type: 'verdict is go' as const, params: { to } }, target: `#${to}` })),
  { guard: 'skipping evaluation' as const, actions: 'consume skip' as const },
];

/** Maintenance cancel returns to the previous state: one guarded edge per possible previous state. */
const toPreviousState = <G>(when: G, actions: 'answer maintenance canceled' | 'answer maintenance cancel accepted') =>
  STATE_LABELS.map((label) => ({
    guard: and([when as never, { type: 'previous state is' as const, params: { label } } as never]),
    target: `#${label}`,
    actions: [{ type: actions }, { type: 'prepare return' as const }],
  }));

const enterState = (label: StateLabel) => ({ type: 'enter state' as const, params: { label } });

export const haMachine = setup({
  types: {
    context: {} as HaContext,
    events: {} as MachineEvent,
    emitted: {} as HaEffect,
    input: {} as HaMachineInput,
  },
  delays: {
    /** Pause between a heartbeat's completion and the next heartbeat (§6.1). */
    heartbeatDelay: ({ context }) => timerDelay(context.config.heartbeatDelayMs),
    /** The partner's dhcp-disable max-period: the service re-enables itself after it (§11). */
    remoteDisableMaxPeriod: ({ context }) => timerDelay(context.network.remoteMaxPeriodMs),
  },
  guards: {
    'verdict is go': ({ context }, params: { to: StateLabel }) => {
      const v = verdictOf(context);
      return v.kind === 'go' && v.to === params.to;
    },
    'verdict is sync': ({ context }) => verdictOf(context).kind === 'sync',
    'verdict is recover': ({ context }, params: { reset: boolean }) => {
      const v = verdictOf(context);
      return v.kind === 'recover' && v.resetPartner === params.reset;
    },
    'skipping evaluation': ({ context }) => context.skipEvaluation,
    'heartbeat wanted': ({ context }) => heartbeatWanted(context),
    'heartbeat not wanted': ({ context }) => !heartbeatWanted(context),
    'state is': ({ context }, params: { labels: readonly StateLabel[] }) => params.labels.includes(context.state),
    'previous state is': ({ context }, params: { label: StateLabel }) => {
      // HEAD ≥2.7.5 avoids a deadlock by returning to waiting when the previous state was a maintenance one.
      const target =
        context.compat === 'head' && (context.previousState === 'in-maintenance' || context.previousState === 'partner-in-maintenance')
          ? 'waiting'
          : context.previousState;
      return target === params.label;
    },
    'cancels maintenance': ({ event }) => event.type === 'command.ha-maintenance-notify' && event.cancel,
    'pending request is': ({ context, event }, params: { kind: 'maintenance-start' | 'maintenance-cancel'; outcome: 'accepted' | 'unreachable' | 'refused' | 'failed' | 'any' }) => {
      if (event.type !== 'maintenance-notify.completed') return false;
      const pending = context.pendingCommand;
      if (pending === undefined || pending.kind !== params.kind || pending.requestId !== event.requestId) return false;
      if (params.outcome === 'any') return true;
      if (params.outcome === 'failed') return event.outcome.kind !== 'accepted';
      return event.outcome.kind === params.outcome;
    },
    'backlog delivered': ({ event }) => event.type === 'backlog.delivered' && event.ok,
    'backlog overflowed': ({ context }) => context.backlog.overflowed,
    'backlog has entries': ({ context }) => context.backlog.operations.length > 0,
    'reset accepted': ({ event }) => event.type === 'ha-reset.sent' && event.ok,
    'remote disable with max-period': ({ event }) =>
      event.type === 'command.dhcp-disable' && event.origin === 'ha-partner' && (event.maxPeriodS ?? 0) > 0,
    'remote enable': ({ event }) => event.type === 'command.dhcp-enable' && event.origin === 'ha-partner',
  },
  actions: {
    /**
     * Entry of an HA state (§1.3, §1.5): pause rule, scopes, DHCP service, rejected-client
     * reset, heartbeat re-alignment, then the new state's handler runs at once.
     */
    'enter state': enqueueActions(({ context, enqueue }, params: { label: StateLabel }) => {
      const label = params.label;
      const from = context.state;
      const pause = pauseOnEntry(context, label);
      const maintenanceEntry = label === 'partner-down' && context.maintenanceEntry;
      const next: HaContext = { ...context, state: label, previousState: from, ...pause, maintenanceEntry };
      const scopes = withScopes(context, defaultScopes(context.config, label, { maintenanceEntry }));
      const locks = withLocks(next, { ...context.network, haLocal: !dhcpServiceWanted(label), syncCompleteHold: false });
      for (const effect of [...scopes.effects, ...locks.effects]) enqueue.emit(effect);
      enqueue.assign({
        ...pause,
        state: label,
        previousState: from,
        maintenanceEntry,
        servedScopes: scopes.value,
        ...locks.value,
        rejected: CLEARS_REJECTED.has(label) ? {} : context.rejected,
        partner: { ...context.partner, syncCompleteNotified: false },
      });
      if (from !== label) {
        enqueue.emit({ type: 'state.changed', from, to: label, paused: pause.paused });
        enqueue.emit({
          type: 'log',
          level: 'info',
          id: 'HA_STATE_TRANSITION',
          message: `server transitions from ${from.toUpperCase()} to ${label.toUpperCase()} state, partner state is ${context.partner.state.toUpperCase()}`,
          data: { from, to: label, partnerState: context.partner.state },
        });
      } else {
        enqueue.emit({ type: 'log', level: 'info', id: 'HA_SERVICE_STARTED', message: `HA service started in state ${label}`, data: { state: label } });
      }
      if (pause.paused && !context.paused) {
        enqueue.emit({
          type: 'log',
          level: 'info',
          id: 'HA_STATE_MACHINE_PAUSED',
          message: `state machine paused in state ${label}; use ha-continue to resume`,
        });
      }
      if (label === 'in-maintenance') {
        enqueue.emit({
          type: 'log',
          level: 'info',
          id: 'HA_MAINTENANCE_SHUTDOWN_SAFE',
          message: 'the server is in maintenance and can be safely shut down',
        });
      }
      if (label === 'terminated') {
        enqueue.emit({
          type: 'log',
          level: 'error',
          id: 'HA_TERMINATED',
          message: 'HA service terminated: fix the cause (e.g. clock skew) and restart both servers or send ha-reset',
        });
      }
      enqueue.raise({ type: 'heartbeat.update' });
      enqueue.raise({ type: 'ha.evaluate' });
    }),
    'consume skip': enqueueActions(({ enqueue }) => enqueue.assign({ skipEvaluation: false })),
    'leave communication-recovery': enqueueActions(({ enqueue }) =>
      enqueue.assign(({ context }) => ({ backlog: clearBacklog(context.backlog) })),
    ),

    // Synchronisation (§2.2, §9).
    'start sync': enqueueActions(({ context, enqueue }) => {
      const partner = context.config.partner;
      if (partner === undefined) return;
      enqueue.assign({ syncing: true });
      enqueue.emit({
        type: 'sync.start',
        peer: partner.name,
        maxPeriodS: Math.max(1, Math.floor(context.config.syncTimeoutMs / 1000)),
        pageLimit: context.config.syncPageLimit,
        timeoutMs: context.config.syncTimeoutMs,
      });
      enqueue.emit({ type: 'log', level: 'info', id: 'HA_SYNC_START', message: `starting lease database synchronization with ${partner.name}` });
      enqueue.raise({ type: 'heartbeat.update' });
    }),
    'sync ended': enqueueActions(({ context, event, enqueue }) => {
      const failed = event.type === 'sync.failed';
      enqueue.assign({
        nowMs: eventTime(context, event),
        // A failed sync marks the partner unavailable; the next attempt waits for a good heartbeat.
        partner: failed ? { ...context.partner, state: 'unavailable', inTouch: true } : context.partner,
      });
      if (event.type === 'sync.failed') {
        enqueue.emit({ type: 'log', level: 'error', id: 'HA_SYNC_FAILED', message: `lease database synchronization failed: ${event.reason}` });
      } else if (event.type === 'sync.succeeded') {
        enqueue.emit({ type: 'log', level: 'info', id: 'HA_SYNC_SUCCESSFUL', message: `lease database synchronization complete: ${event.leases} leases` });
      }
    }),
    'leave sync': enqueueActions(({ enqueue }) => {
      enqueue.assign({ syncing: false });
      enqueue.raise({ type: 'heartbeat.update' });
    }),

    // Communication-recovery (§2.5, §10.5).
    'deliver backlog': enqueueActions(({ context, enqueue }) => {
      const partner = context.config.partner;
      if (partner === undefined) return;
      const drained = drainBacklog(context.backlog);
      enqueue.emit({ type: 'backlog.deliver', peer: partner.name, operations: drained.entries });
      enqueue.assign({ backlog: drained.backlog });
    }),
    'send ha-reset': enqueueActions(({ context, enqueue }) => {
      const partner = context.config.partner;
      if (partner === undefined) return;
      enqueue.emit({ type: 'ha-reset.send', peer: partner.name });
    }),
    // The operations of a failed delivery are gone, so the backlog can no longer bring the partner
    // up to date: if the ha-reset fails too, the next heartbeat retries the reset instead of
    // "delivering" an empty backlog and losing the updates (quirk §13.10, its recommended fix).
    'note backlog lost': enqueueActions(({ context, enqueue }) =>
      enqueue.assign({ backlog: { ...context.backlog, overflowed: true } }),
    ),
    'note time': enqueueActions(({ context, event, enqueue }) => enqueue.assign({ nowMs: eventTime(context, event) })),

    // Heartbeats (§6.1, §6.2).
    'send heartbeat': enqueueActions(({ context, enqueue }) => {
      const partner = context.config.partner;
      if (partner !== undefined) enqueue.emit({ type: 'heartbeat.send', peer: partner.name });
    }),
    'record heartbeat success': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'heartbeat.succeeded') return;
      const nowMs = event.nowMs;
      const report = event.partner;
      const skew = clockSkewS(report.dateTimeS, nowMs);
      let lastSkewWarningMs = context.partner.lastSkewWarningMs;
      const verdict = clockSkewVerdict(skew);
      if (verdict === 'terminate') {
        // Kea logs a terminating skew at ERROR every time, outside the warning's rate limit (§6.7).
        enqueue.emit({
          type: 'log',
          level: 'error',
          id: 'HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION',
          message: formatClockSkew(nowMs, report.dateTimeS, skew),
          data: { clockSkewS: skew },
        });
      } else if (verdict === 'warn' && shouldLogSkewWarning(lastSkewWarningMs, nowMs)) {
        lastSkewWarningMs = nowMs;
        enqueue.emit({
          type: 'log',
          level: 'warn',
          id: 'HA_HIGH_CLOCK_SKEW',
          message: formatClockSkew(nowMs, report.dateTimeS, skew),
          data: { clockSkewS: skew },
        });
      }
      const unsentProvided = report.unsentUpdateCount !== undefined;
      enqueue.assign({
        nowMs,
        partner: {
          ...context.partner,
          state: report.state,
          scopes: report.scopes ?? context.partner.scopes,
          unsentPrevious: unsentProvided ? context.partner.unsentCurrent : context.partner.unsentPrevious,
          unsentCurrent: unsentProvided ? (report.unsentUpdateCount as number) : context.partner.unsentCurrent,
          lastContactMs: nowMs,
          inTouch: true,
          clockSkewS: skew,
          lastSkewWarningMs,
          syncCompleteNotified: false,
        },
        unacked: emptyUnackedClients(),
      });
      enqueue.raise({ type: 'ha.evaluate' });
    }),
    'record heartbeat failure': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'heartbeat.failed') return;
      const nowMs = event.nowMs;
      const interrupted = isCommunicationInterrupted(context, nowMs);
      enqueue.emit({
        type: 'log',
        level: 'warn',
        id: 'HA_HEARTBEAT_COMMUNICATIONS_FAILED',
        message: `failed to send heartbeat to ${context.config.partner?.name ?? 'partner'}: ${event.reason}`,
      });
      if (interrupted) {
        enqueue.emit({
          type: 'log',
          level: 'warn',
          id: 'HA_COMMUNICATION_INTERRUPTED',
          message: `communication with ${context.config.partner?.name ?? 'partner'} is interrupted`,
        });
      }
      // The partner finished a sync from us and vanished: keep serving alone (§2.6).
      const releaseHold = context.partner.syncCompleteNotified;
      const locks = withLocks(context, releaseHold ? { ...context.network, syncCompleteHold: false } : context.network);
      for (const effect of locks.effects) enqueue.emit(effect);
      enqueue.assign({
        nowMs,
        ...locks.value,
        partner: {
          ...context.partner,
          state: 'unavailable',
          inTouch: true,
          syncCompleteNotified: false,
          // Kea ≥2.3.7 forgets the skew of a partner it cannot reach; 2.2 keeps the stale value (§6.7).
          clockSkewS: context.compat === 'head' ? undefined : context.partner.clockSkewS,
        },
      });
      enqueue.raise({ type: 'ha.evaluate' });
    }),

    // Failure detection (§6.4): only queries we do not serve, only while communication is interrupted.
    'analyze query': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'query.observed') return;
      if (!isCommunicationInterrupted(context, event.nowMs)) return;
      const query = event.clientId === undefined ? { secs: event.secs, chaddr: event.chaddr } : { secs: event.secs, chaddr: event.chaddr, clientId: event.clientId };
      enqueue.assign({ nowMs: event.nowMs, unacked: analyzeQuery4(context.unacked, query, context.config.maxAckDelayMs) });
    }),

    // Lease updates (§10).
    'dispatch lease updates': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'leases.committed') return;
      const { config } = context;
      // A query that changed no lease (NAK, a renewal from the lease cache) produces no update
      // at all: nothing sent, queued, counted or parked (§10.1, LU-18).
      if (!config.sendLeaseUpdates || (event.updated.length === 0 && event.deleted.length === 0)) {
        enqueue.emit({ type: 'query.respond', queryId: event.queryId });
        return;
      }
      const awaiting: string[] = [];
      let backlog = context.backlog;
      let unsent = false;
      for (const peer of config.peers) {
        if (peer.name === config.thisServerName) continue;
        const decision = leaseUpdateDecision(config, context.state, peer);
        if (decision === 'queue') {
          const wasOverflowed = backlog.overflowed;
          for (const lease of event.deleted) backlog = pushBacklog(backlog, 'delete', lease).backlog;
          for (const lease of event.updated) backlog = pushBacklog(backlog, 'update', lease).backlog;
          if (backlog.overflowed && !wasOverflowed) {
            enqueue.emit({ type: 'log', level: 'warn', id: 'HA_LEASE_UPDATES_BACKLOG_OVERFLOW', message: `lease update backlog of ${config.delayedUpdatesLimit} operations overflowed; a full resync will follow` });
          }
        } else if (decision === 'skip-unsent') {
          unsent = true;
        } else if (decision === 'send' || decision === 'send-and-wait') {
          const awaited = decision === 'send-and-wait';
          if (awaited) awaiting.push(peer.name);
          enqueue.emit({ type: 'lease-updates.send', queryId: event.queryId, peer: peer.name, deleted: event.deleted, updated: event.updated, awaited });
        }
      }
      const parked: ParkedQuery = { queryId: event.queryId, awaiting, conflict: false, clientKey: event.clientKey };
      enqueue.assign({
        nowMs: event.nowMs,
        backlog,
        unsentUpdateCount: unsent ? incrementUnsentUpdateCount(context.unsentUpdateCount) : context.unsentUpdateCount,
        parked: awaiting.length > 0 ? [...context.parked, parked] : context.parked,
      });
      enqueue.emit(awaiting.length > 0 ? { type: 'query.park', queryId: event.queryId } : { type: 'query.respond', queryId: event.queryId });
    }),
    'record lease update result': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'lease-updates.completed') return;
      const query = context.parked.find((q) => q.queryId === event.queryId);
      const isPartner = event.peer === context.config.partner?.name;
      const outcome = event.outcome;
      let partner = context.partner;
      let rejected = context.rejected;
      if (outcome.kind === 'error') {
        enqueue.emit({ type: 'log', level: 'warn', id: 'HA_LEASE_UPDATE_FAILED', message: `lease update to ${event.peer} failed: ${outcome.text}` });
        if (isPartner) partner = { ...partner, state: 'unavailable', inTouch: true };
      } else if (outcome.kind === 'conflict') {
        enqueue.emit({ type: 'log', level: 'warn', id: 'HA_LEASE_UPDATE_CONFLICT', message: `lease update to ${event.peer} rejected: ${outcome.text}` });
        if (query !== undefined) rejected = { ...rejected, [query.clientKey]: event.nowMs + REJECTED_CLIENT_TTL_MS };
      } else if (query !== undefined && isPartner && query.clientKey in rejected) {
        const { [query.clientKey]: _gone, ...rest } = rejected;
        rejected = rest;
      }
      if (query === undefined || !query.awaiting.includes(event.peer)) {
        enqueue.assign({ nowMs: event.nowMs, partner, rejected });
        return;
      }
      const remaining = query.awaiting.filter((p) => p !== event.peer);
      const failure =
        query.failure ?? (outcome.kind === 'ok' ? undefined : `lease update to ${event.peer} failed: ${outcome.text}`);
      if (remaining.length > 0) {
        const next: ParkedQuery = failure === undefined ? { ...query, awaiting: remaining } : { ...query, awaiting: remaining, failure };
        enqueue.assign({ nowMs: event.nowMs, partner, rejected, parked: context.parked.map((q) => (q === query ? next : q)) });
        return;
      }
      enqueue.assign({ nowMs: event.nowMs, partner, rejected, parked: context.parked.filter((q) => q !== query) });
      enqueue.emit(
        failure === undefined
          ? { type: 'query.respond', queryId: event.queryId }
          : { type: 'query.drop', queryId: event.queryId, reason: failure },
      );
      // Kea runs the state machine once the last awaited update of a query completes (§10.3).
      enqueue.raise({ type: 'ha.evaluate' });
    }),

    // Commands (§3.6, §4, §7.7, §8, §11).
    'answer reset': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-reset') return;
      enqueue.assign({ nowMs: event.nowMs });
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(0, context.state === 'waiting' ? HA_RESET_ALREADY_WAITING : HA_RESET_DONE),
      });
    }),
    'answer continue': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-continue') return;
      enqueue.assign({ nowMs: event.nowMs, paused: false });
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(0, context.paused ? HA_CONTINUE_RESUMED : HA_CONTINUE_NOT_PAUSED),
      });
      if (context.paused) enqueue.emit({ type: 'log', level: 'info', id: 'HA_STATE_MACHINE_CONTINUED', message: 'state machine resumed by ha-continue' });
    }),
    'apply scopes': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-scopes') return;
      const checked = validateScopes(context.config, event.scopes);
      if (!checked.ok) {
        enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(1, checked.error) });
        return;
      }
      const scopes = withScopes(context, checked.scopes);
      // The service follows the state, not the scopes (§7.7).
      const locks = withLocks(context, { ...context.network, haLocal: !dhcpServiceWanted(context.state) });
      for (const effect of [...scopes.effects, ...locks.effects]) enqueue.emit(effect);
      enqueue.assign({ nowMs: event.nowMs, servedScopes: scopes.value, ...locks.value });
      enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(0, HA_SCOPES_CONFIGURED) });
    }),
    'answer maintenance refused': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-notify') return;
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(1001, maintenanceNotAllowedText(context.state)),
      });
    }),
    'answer in maintenance': enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-notify') return;
      enqueue.assign({ nowMs: event.nowMs });
      enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(0, HA_MAINTENANCE_NOTIFY_ENTERED) });
    }),
    'answer cancel refused': enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-notify') return;
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(1, HA_MAINTENANCE_NOTIFY_NOT_IN_MAINTENANCE),
      });
    }),
    // Only the cancel this server awaited is settled here; a return from in-maintenance (the
    // partner's notify) must not forget an ha-maintenance-start still waiting for its partner (§8.9).
    'prepare return': enqueueActions(({ event, enqueue }) =>
      enqueue.assign(event.type === 'maintenance-notify.completed' ? { skipEvaluation: true, pendingCommand: undefined } : { skipEvaluation: true }),
    ),
    'forget pending command': enqueueActions(({ context, event, enqueue }) =>
      enqueue.assign({ nowMs: eventTime(context, event), pendingCommand: undefined }),
    ),
    'answer maintenance start no longer allowed': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'maintenance-notify.completed' || context.pendingCommand === undefined) return;
      enqueue.emit({
        type: 'command.answer',
        requestId: context.pendingCommand.requestId,
        answer: answer(1, maintenanceStartNotAllowedText(context.state)),
      });
      enqueue.assign({ nowMs: event.nowMs, pendingCommand: undefined });
    }),
    'answer maintenance canceled': enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-notify') return;
      enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(0, HA_MAINTENANCE_NOTIFY_CANCELED) });
    }),
    'answer maintenance cancel accepted': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'maintenance-notify.completed' || context.pendingCommand === undefined) return;
      enqueue.emit({
        type: 'command.answer',
        requestId: context.pendingCommand.requestId,
        answer: answer(0, HA_MAINTENANCE_CANCEL_DONE),
      });
    }),
    'refuse maintenance start': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-start') return;
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(1, maintenanceStartNotAllowedText(context.state)),
      });
    }),
    'refuse maintenance cancel': enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-cancel') return;
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(1, HA_MAINTENANCE_CANCEL_NOT_IN_PARTNER_MAINTENANCE),
      });
    }),
    'notify partner of maintenance': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-maintenance-start' && event.type !== 'command.ha-maintenance-cancel') return;
      const partner = context.config.partner;
      const cancel = event.type === 'command.ha-maintenance-cancel';
      if (partner === undefined) {
        enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(1, 'no partner server is configured in this relationship') });
        return;
      }
      if (context.pendingCommand !== undefined) {
        enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(1, 'another maintenance request is in progress') });
        return;
      }
      enqueue.assign({ nowMs: event.nowMs, pendingCommand: { kind: cancel ? 'maintenance-cancel' : 'maintenance-start', requestId: event.requestId } });
      enqueue.emit({ type: 'maintenance-notify.send', peer: partner.name, requestId: event.requestId, cancel, state: context.state });
    }),
    'answer maintenance started': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'maintenance-notify.completed' || context.pendingCommand === undefined) return;
      const text =
        event.outcome.kind === 'accepted'
          ? HA_MAINTENANCE_START_DONE
          : HA_MAINTENANCE_START_PARTNER_DOWN;
      enqueue.emit({ type: 'command.answer', requestId: context.pendingCommand.requestId, answer: answer(0, text) });
      enqueue.assign({ nowMs: event.nowMs, pendingCommand: undefined, maintenanceEntry: event.outcome.kind !== 'accepted' });
    }),
    'answer maintenance start refused': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'maintenance-notify.completed' || context.pendingCommand === undefined) return;
      const detail = peerErrorText(context.compat, event.outcome);
      enqueue.emit({
        type: 'command.answer',
        requestId: context.pendingCommand.requestId,
        answer: answer(1, maintenanceStartRefusedText(detail)),
      });
      enqueue.assign({ nowMs: event.nowMs, pendingCommand: undefined });
    }),
    'answer maintenance cancel failed': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'maintenance-notify.completed' || context.pendingCommand === undefined) return;
      const detail = peerErrorText(context.compat, event.outcome);
      enqueue.emit({
        type: 'command.answer',
        requestId: context.pendingCommand.requestId,
        answer: answer(1, maintenanceCancelFailedText(detail)),
      });
      enqueue.assign({ nowMs: event.nowMs, pendingCommand: undefined });
    }),
    'handle sync complete notify': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.ha-sync-complete-notify') return;
      // In partner-down the partner's lock turns into a hold until the next heartbeat decides (§2.6, §8.11);
      // elsewhere the lock the partner took for its sync is released (also for an argument-less 2.2 notify, §11).
      const inPartnerDown = context.state === 'partner-down';
      const locks = withLocks(context, {
        ...context.network,
        haRemote: false,
        remoteMaxPeriodMs: 0,
        // HEAD takes its local lock in partner-down whether or not the partner's lock was still
        // set; 2.2.0 merely leaves the shared flag as it is (§8.11).
        syncCompleteHold: inPartnerDown
          ? context.compat === 'head' || context.network.haRemote || !context.dhcpEnabled
          : context.network.syncCompleteHold,
      });
      for (const effect of locks.effects) enqueue.emit(effect);
      enqueue.assign({
        nowMs: event.nowMs,
        ...locks.value,
        partner: { ...context.partner, syncCompleteNotified: inPartnerDown },
      });
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(0, HA_SYNC_COMPLETE_NOTIFIED),
      });
    }),
    'disable service': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.dhcp-disable') return;
      const maxPeriodS = event.maxPeriodS ?? 0;
      const network =
        event.origin === 'user'
          ? { ...context.network, user: true }
          : { ...context.network, haRemote: true, remoteMaxPeriodMs: maxPeriodS * 1000 };
      const locks = withLocks(context, network);
      for (const effect of locks.effects) enqueue.emit(effect);
      enqueue.assign({ nowMs: event.nowMs, ...locks.value });
      enqueue.emit({
        type: 'command.answer',
        requestId: event.requestId,
        answer: answer(0, dhcpDisabledText('dhcp4', maxPeriodS > 0 ? maxPeriodS : undefined)),
      });
    }),
    'enable service': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'command.dhcp-enable') return;
      const network =
        event.origin === 'user' ? { ...context.network, user: false } : { ...context.network, haRemote: false, remoteMaxPeriodMs: 0 };
      const locks = withLocks(context, network);
      for (const effect of locks.effects) enqueue.emit(effect);
      enqueue.assign({ nowMs: event.nowMs, ...locks.value });
      enqueue.emit({ type: 'command.answer', requestId: event.requestId, answer: answer(0, DHCP_ENABLED_TEXT) });
    }),
    'expire remote disable': enqueueActions(({ context, enqueue }) => {
      const locks = withLocks(context, { ...context.network, haRemote: false, remoteMaxPeriodMs: 0 });
      for (const effect of locks.effects) enqueue.emit(effect);
      enqueue.assign(locks.value);
      enqueue.emit({ type: 'log', level: 'info', id: 'HA_REMOTE_DISABLE_EXPIRED', message: "the partner's dhcp-disable max-period elapsed; DHCP service lock released" });
    }),
  },
}).createMachine({
  id: 'tandem',
  type: 'parallel',
  context: ({ input }) => ({
    config: input.config,
    compat: input.compat ?? '2.2',
    state: 'waiting',
    previousState: 'waiting',
    nowMs: input.nowMs,
    paused: false,
    pauseOnceUsed: [],
    skipEvaluation: false,
    maintenanceEntry: false,
    servedScopes: [],
    // Kea starts with the service enabled; waiting's entry disables it (§11).
    network: NO_LOCKS,
    dhcpEnabled: true,
    partner: {
      state: 'unknown',
      scopes: [],
      unsentPrevious: 0,
      unsentCurrent: 0,
      lastContactMs: input.nowMs,
      inTouch: false,
      syncCompleteNotified: false,
    },
    unacked: emptyUnackedClients(),
    unsentUpdateCount: 0,
    backlog: emptyBacklog(input.config.delayedUpdatesLimit),
    parked: [],
    rejected: {},
    syncing: false,
  }),
  states: {
    /** The HA state of this server: the states of spec §1.2 with the transitions of §2/§3. */
    ha: {
      initial: 'waiting',
      on: {
        'command.ha-reset': [
          { guard: { type: 'state is', params: { labels: ['waiting'] } }, actions: 'answer reset' },
          { target: '#waiting', actions: 'answer reset' },
        ],
        'command.ha-continue': { actions: 'answer continue' },
        'command.ha-scopes': { actions: 'apply scopes' },
        'command.ha-maintenance-notify': [
          {
            guard: { type: 'state is', params: { labels: ['in-maintenance'] } },
            // cancel handled below; a second notify in maintenance is accepted as is.
            actions: 'answer in maintenance',
          },
          { guard: 'cancels maintenance', actions: 'answer cancel refused' },
          { guard: { type: 'state is', params: { labels: ['backup', 'partner-in-maintenance', 'terminated'] } }, actions: 'answer maintenance refused' },
          { target: '#in-maintenance', actions: 'answer in maintenance' },
        ],
        'command.ha-maintenance-start': [
          {
            guard: { type: 'state is', params: { labels: ['backup', 'in-maintenance', 'partner-in-maintenance', 'terminated'] } },
            actions: 'refuse maintenance start',
          },
          { actions: 'notify partner of maintenance' },
        ],
        'command.ha-maintenance-cancel': [
          { guard: { type: 'state is', params: { labels: ['partner-in-maintenance'] } }, actions: 'notify partner of maintenance' },
          { actions: 'refuse maintenance cancel' },
        ],
        'maintenance-notify.completed': [
          {
            // Kea sends the notify synchronously inside ha-maintenance-start, so its state cannot
            // change meanwhile; here heartbeats go on. A start is judged again against the state
            // at completion (§8.9 step 1): e.g. terminated is left only by ha-reset (§2.9).
            guard: and([
              { type: 'pending request is', params: { kind: 'maintenance-start', outcome: 'any' } } as never,
              { type: 'state is', params: { labels: ['backup', 'in-maintenance', 'partner-in-maintenance', 'terminated'] } } as never,
            ]),
            actions: 'answer maintenance start no longer allowed',
          },
          {
            guard: { type: 'pending request is', params: { kind: 'maintenance-start', outcome: 'accepted' } },
            target: '#partner-in-maintenance',
            actions: 'answer maintenance started',
          },
          {
            guard: { type: 'pending request is', params: { kind: 'maintenance-start', outcome: 'unreachable' } },
            target: '#partner-down',
            actions: 'answer maintenance started',
          },
          {
            guard: { type: 'pending request is', params: { kind: 'maintenance-start', outcome: 'refused' } },
            actions: 'answer maintenance start refused',
          },
          {
            guard: { type: 'pending request is', params: { kind: 'maintenance-cancel', outcome: 'failed' } },
            actions: 'answer maintenance cancel failed',
          },
          {
            // The partner left maintenance, but partner-in-maintenance was already left meanwhile
            // (e.g. to partner-down, §2.7 step 4): answer the request (§8.10) and stay.
            guard: { type: 'pending request is', params: { kind: 'maintenance-cancel', outcome: 'accepted' } },
            actions: ['answer maintenance cancel accepted', 'forget pending command'],
          },
        ],
        // A maintenance cancel skips only the evaluation it triggers (§1.3 guard 1, §8.6); states
        // without decisions of their own (passive-backup, ...) must not carry the skip to a later one.
        'ha.evaluate': { guard: 'skipping evaluation', actions: 'consume skip' },
        'command.ha-sync-complete-notify': { actions: 'handle sync complete notify' },
        'command.dhcp-disable': { actions: 'disable service' },
        'command.dhcp-enable': { actions: 'enable service' },
      },
      states: {
        waiting: {
          id: 'waiting',
          entry: enterState('waiting'),
          on: { 'ha.evaluate': evaluateTo(['backup', 'passive-backup', 'terminated', 'syncing', 'ready', 'partner-down']) },
        },
        syncing: {
          id: 'syncing',
          entry: enterState('syncing'),
          initial: 'idle',
          states: {
            idle: {
              on: {
                'ha.evaluate': [
                  ...evaluateTo(['terminated', 'waiting', 'partner-down']),
                  { guard: 'verdict is sync', target: 'running' },
                ],
              },
            },
            /** The blocking synchronisation of §9: no evaluation until it ends. */
            running: {
              entry: 'start sync',
              exit: 'leave sync',
              on: {
                'sync.succeeded': { target: '#ready', actions: 'sync ended' },
                'sync.failed': { target: 'idle', actions: 'sync ended' },
              },
            },
          },
        },
        ready: {
          id: 'ready',
          entry: enterState('ready'),
          on: {
            'ha.evaluate': evaluateTo([
              'terminated',
              'waiting',
              'load-balancing',
              'hot-standby',
              'partner-in-maintenance',
              'in-maintenance',
              'partner-down',
            ]),
          },
        },
        'load-balancing': {
          id: 'load-balancing',
          entry: enterState('load-balancing'),
          on: {
            'ha.evaluate': evaluateTo([
              'terminated',
              'waiting',
              'partner-in-maintenance',
              'in-maintenance',
              'partner-down',
              'communication-recovery',
            ]),
          },
        },
        'hot-standby': {
          id: 'hot-standby',
          entry: enterState('hot-standby'),
          on: {
            'ha.evaluate': evaluateTo(['terminated', 'waiting', 'partner-in-maintenance', 'in-maintenance', 'partner-down']),
          },
        },
        'communication-recovery': {
          id: 'communication-recovery',
          entry: enterState('communication-recovery'),
          exit: 'leave communication-recovery',
          initial: 'idle',
          states: {
            idle: {
              on: {
                'ha.evaluate': [
                  ...evaluateTo(['terminated', 'waiting', 'partner-in-maintenance', 'in-maintenance', 'partner-down']),
                  { guard: { type: 'verdict is recover', params: { reset: false } }, target: 'delivering' },
                  { guard: { type: 'verdict is recover', params: { reset: true } }, target: 'resetting' },
                ],
              },
            },
            /** Sending the backlog in order; the first failure turns into an ha-reset. */
            delivering: {
              entry: 'deliver backlog',
              on: {
                'backlog.delivered': [
                  // Kea delivers the backlog synchronously; here clients keep being answered meanwhile,
                  // so what they queued during the delivery goes out before the pair is in step (§10.5).
                  { guard: and(['backlog delivered', 'backlog overflowed']), target: 'resetting', actions: 'note time' },
                  { guard: and(['backlog delivered', 'backlog has entries']), target: 'delivering', reenter: true, actions: 'note time' },
                  { guard: 'backlog delivered', target: '#load-balancing', actions: 'note time' },
                  { target: 'resetting', actions: ['note time', 'note backlog lost'] },
                ],
              },
            },
            /** Asking the partner to resynchronise; on failure retry at the next heartbeat (§13.10). */
            resetting: {
              entry: 'send ha-reset',
              on: {
                'ha-reset.sent': [
                  { guard: 'reset accepted', target: '#waiting', actions: 'note time' },
                  { target: 'idle', actions: 'note time' },
                ],
              },
            },
          },
        },
        'partner-down': {
          id: 'partner-down',
          entry: enterState('partner-down'),
          on: { 'ha.evaluate': evaluateTo(['terminated', 'waiting', 'load-balancing', 'hot-standby']) },
        },
        'partner-in-maintenance': {
          id: 'partner-in-maintenance',
          entry: enterState('partner-in-maintenance'),
          on: {
            'ha.evaluate': evaluateTo(['terminated', 'partner-down']),
            'maintenance-notify.completed': toPreviousState(
              { type: 'pending request is', params: { kind: 'maintenance-cancel', outcome: 'accepted' } },
              'answer maintenance cancel accepted',
            ),
          },
        },
        'in-maintenance': {
          id: 'in-maintenance',
          entry: enterState('in-maintenance'),
          on: {
            'command.ha-maintenance-notify': toPreviousState('cancels maintenance', 'answer maintenance canceled'),
          },
        },
        terminated: { id: 'terminated', entry: enterState('terminated') },
        'passive-backup': { id: 'passive-backup', entry: enterState('passive-backup') },
        backup: { id: 'backup', entry: enterState('backup') },
      },
    },

    /** The heartbeat timer (§6.1): one-shot, re-armed after every completion. */
    heartbeat: {
      initial: 'off',
      states: {
        off: { on: { 'heartbeat.update': { guard: 'heartbeat wanted', target: 'scheduled' } } },
        scheduled: {
          after: { heartbeatDelay: 'in-flight' },
          on: { 'heartbeat.update': { guard: 'heartbeat not wanted', target: 'off' } },
        },
        'in-flight': {
          entry: 'send heartbeat',
          on: {
            'heartbeat.succeeded': [{ guard: 'heartbeat wanted', target: 'scheduled' }, { target: 'off' }],
            'heartbeat.failed': [{ guard: 'heartbeat wanted', target: 'scheduled' }, { target: 'off' }],
          },
        },
      },
    },

    /** What we know of the partner and of our clients: heartbeat results, failure detection, lease updates. */
    link: {
      on: {
        'heartbeat.succeeded': { actions: 'record heartbeat success' },
        'heartbeat.failed': { actions: 'record heartbeat failure' },
        'query.observed': { actions: 'analyze query' },
        'leases.committed': { actions: 'dispatch lease updates' },
        'lease-updates.completed': { actions: 'record lease update result' },
      },
    },

    /** The partner's dhcp-disable lock re-enables itself after its max-period (§8.12, §11). */
    'remote-disable': {
      initial: 'idle',
      states: {
        idle: { on: { 'command.dhcp-disable': { guard: 'remote disable with max-period', target: 'armed' } } },
        armed: {
          after: { remoteDisableMaxPeriod: { target: 'idle', actions: 'expire remote disable' } },
          on: {
            'command.dhcp-disable': { guard: 'remote disable with max-period', target: 'armed', reenter: true },
            'command.dhcp-enable': { guard: 'remote enable', target: 'idle' },
            'command.ha-sync-complete-notify': { target: 'idle' },
          },
        },
      },
    },
  },
});

export type HaMachine = typeof haMachine;

/** The normal state label for this relationship, re-exported for callers that display it. */
export { normalState };
