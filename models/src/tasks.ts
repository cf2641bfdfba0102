/**
 * The caller contract's outgoing effects, performed as real control-channel exchanges built and
 * read by the core's wire code: each effect becomes a task that sends one request at a time and,
 * when the last answer (or the first failure) is in, produces the one result event the contract
 * requires (docs/architecture.md, "One result per effect").
 *
 * A task is a value; `advance` turns (task, answer) into the next request or the result event.
 */
import { match } from 'ts-pattern';
import {
  buildDhcpDisable,
  buildDhcpEnable,
  buildHaReset,
  buildHeartbeatRequest,
  buildLease4Del,
  buildLease4GetPage,
  buildLease4Update,
  buildMaintenanceNotify,
  buildSyncCompleteNotify,
  parseHeartbeatAnswer,
  parseLease4GetPageAnswer,
  parsePeerAnswer,
  type ControlRequest,
  type HaEffect,
  type HaEvent,
  type KeaCompat,
  type Lease4Record,
  type StateLabel,
} from '@tandem/core';
import { mergeNewer, type LeaseStore } from './lease-store-model.js';

/** Kea's fixed timeout of every peer request but the lease pages of a sync (§8.1). */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface LeaseOp {
  readonly op: 'update' | 'delete';
  readonly lease: Lease4Record;
}

type SyncPhase =
  /** dhcp-disable before the page that starts at `from`. */
  | { readonly step: 'disable' }
  | { readonly step: 'page' }
  | { readonly step: 'notify' }
  /** The partner does not know ha-sync-complete-notify (result 2): dhcp-enable instead. */
  | { readonly step: 'enable-fallback' }
  /** The sync failed after the partner's service was disabled: re-enable it, then report the failure. */
  | { readonly step: 'enable-after-failure'; readonly error: string };

export type TaskBody =
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'lease-updates'; readonly queryId: string; readonly ops: readonly LeaseOp[]; readonly next: number }
  | {
      readonly kind: 'sync';
      readonly phase: SyncPhase;
      readonly from: 'start' | string;
      readonly pageLimit: number;
      readonly maxPeriodS: number;
      readonly pageTimeoutMs: number;
      readonly applied: number;
    }
  | { readonly kind: 'backlog'; readonly ops: readonly LeaseOp[]; readonly next: number }
  | { readonly kind: 'ha-reset' }
  | { readonly kind: 'maintenance-notify'; readonly requestId: string; readonly cancel: boolean; readonly state: StateLabel };

export interface Task {
  readonly id: number;
  /** The peer the requests go to. */
  readonly peer: string;
  readonly body: TaskBody;
  /** The request in flight: its message id and when the HTTP client gives up on it. */
  readonly awaiting?: { readonly messageId: number; readonly deadlineMs: number; readonly command: string };
}

export interface TaskEnv {
  readonly compat: KeaCompat;
  readonly serverName: string;
  readonly nowMs: number;
  readonly store: LeaseStore;
}

/** What a task wants next: a request to send, or its result event; possibly a new store. */
export type TaskStep =
  | { readonly kind: 'send'; readonly body: TaskBody; readonly request: ControlRequest; readonly timeoutMs: number; readonly store?: LeaseStore }
  | { readonly kind: 'finish'; readonly event: HaEvent; readonly store?: LeaseStore };

/** The answer to the request in flight: the parsed HTTP body, or why there is none. */
export type Answer = { readonly kind: 'body'; readonly body: unknown } | { readonly kind: 'transport'; readonly reason: string };

const service = 'dhcp4' as const;

/** The first step of the task an effect calls for, or undefined for effects that are not exchanges. */
export function taskFor(effect: HaEffect, env: TaskEnv): { readonly peer: string; readonly step: TaskStep } | undefined {
  return match(effect)
    .with({ type: 'heartbeat.send' }, (e) => ({ peer: e.peer, step: heartbeatStep(env) }))
    .with({ type: 'lease-updates.send' }, (e) => {
      const ops: LeaseOp[] = [
        ...e.deleted.map((lease) => ({ op: 'delete' as const, lease })),
        ...e.updated.map((lease) => ({ op: 'update' as const, lease })),
      ];
      return { peer: e.peer, step: leaseOpStep({ kind: 'lease-updates', queryId: e.queryId, ops, next: 0 }, e.peer, env) };
    })
    .with({ type: 'sync.start' }, (e) => ({
      peer: e.peer,
      step: syncSend(
        { kind: 'sync', phase: { step: 'disable' }, from: 'start', pageLimit: e.pageLimit, maxPeriodS: e.maxPeriodS, pageTimeoutMs: e.timeoutMs, applied: 0 },
        env,
      ),
    }))
    .with({ type: 'backlog.deliver' }, (e) => ({
      peer: e.peer,
      step: leaseOpStep({ kind: 'backlog', ops: e.operations.map((o) => ({ op: o.op, lease: o.lease })), next: 0 }, e.peer, env),
    }))
    .with({ type: 'ha-reset.send' }, (e) => ({
      peer: e.peer,
      step: send({ kind: 'ha-reset' }, buildHaReset({ service, compat: env.compat, serverName: env.serverName })),
    }))
    .with({ type: 'maintenance-notify.send' }, (e) => ({
      peer: e.peer,
      step: send(
        { kind: 'maintenance-notify', requestId: e.requestId, cancel: e.cancel, state: e.state },
        buildMaintenanceNotify({ service, compat: env.compat, cancel: e.cancel, serverName: env.serverName, state: e.state }),
      ),
    }))
    .otherwise(() => undefined);
}

/** The task's next step after the answer to its request in flight. */
export function advance(task: Task, answer: Answer, env: TaskEnv): TaskStep {
  const body = task.body;
  return match(body)
    .with({ kind: 'heartbeat' }, (): TaskStep => {
      if (answer.kind === 'transport') return finish({ type: 'heartbeat.failed', nowMs: env.nowMs, reason: answer.reason });
      const outcome = parseHeartbeatAnswer(answer.body, env.compat);
      if (!outcome.ok) return finish({ type: 'heartbeat.failed', nowMs: env.nowMs, reason: outcome.reason });
      return finish({
        type: 'heartbeat.succeeded',
        nowMs: env.nowMs,
        partner: {
          state: outcome.state,
          dateTimeS: outcome.dateTimeS,
          ...(outcome.scopes === undefined ? {} : { scopes: outcome.scopes }),
          ...(outcome.unsentUpdateCount === undefined ? {} : { unsentUpdateCount: outcome.unsentUpdateCount }),
        },
      });
    })
    .with({ kind: 'lease-updates' }, (b): TaskStep => {
      const verdict = peerVerdict(answer, env.compat);
      if (verdict.kind !== 'ok') {
        const outcome = verdict.kind === 'conflict' ? verdict : ({ kind: 'error', text: verdict.text } as const);
        return finish({ type: 'lease-updates.completed', nowMs: env.nowMs, queryId: b.queryId, peer: task.peer, outcome });
      }
      return leaseOpStep({ ...b, next: b.next + 1 }, task.peer, env);
    })
    .with({ kind: 'backlog' }, (b): TaskStep => {
      const verdict = peerVerdict(answer, env.compat);
      if (verdict.kind !== 'ok') return finish({ type: 'backlog.delivered', nowMs: env.nowMs, ok: false, reason: verdict.text });
      return leaseOpStep({ ...b, next: b.next + 1 }, task.peer, env);
    })
    .with({ kind: 'ha-reset' }, (): TaskStep => {
      const verdict = peerVerdict(answer, env.compat);
      return finish(
        verdict.kind === 'ok'
          ? { type: 'ha-reset.sent', nowMs: env.nowMs, ok: true }
          : { type: 'ha-reset.sent', nowMs: env.nowMs, ok: false, reason: verdict.text },
      );
    })
    .with({ kind: 'maintenance-notify' }, (b): TaskStep => finish({
      type: 'maintenance-notify.completed',
      nowMs: env.nowMs,
      requestId: b.requestId,
      outcome: maintenanceOutcome(answer, env.compat),
    }))
    .with({ kind: 'sync' }, (b) => advanceSync(b, answer, env))
    .exhaustive();
}

/** The HTTP client gave up: the request timed out. */
export const TIMEOUT: Answer = { kind: 'transport', reason: 'Connection timed out' };

function heartbeatStep(env: TaskEnv): TaskStep {
  return send({ kind: 'heartbeat' }, buildHeartbeatRequest({ service, compat: env.compat, serverName: env.serverName }));
}

/** Lease updates and backlog: deletes and updates one request at a time, in order (§10.2). */
function leaseOpStep(body: Extract<TaskBody, { kind: 'lease-updates' | 'backlog' }>, peer: string, env: TaskEnv): TaskStep {
  const op = body.ops[body.next];
  if (op === undefined) {
    return body.kind === 'lease-updates'
      ? finish({ type: 'lease-updates.completed', nowMs: env.nowMs, queryId: body.queryId, peer, outcome: { kind: 'ok' } })
      : finish({ type: 'backlog.delivered', nowMs: env.nowMs, ok: true });
  }
  const built = op.op === 'delete' ? buildLease4Del(op.lease, { compat: env.compat }) : buildLease4Update(op.lease, { compat: env.compat });
  if (!built.ok) {
    // A lease the partner's version cannot take (2.2 and state 3) fails like a refused update.
    return body.kind === 'lease-updates'
      ? finish({ type: 'lease-updates.completed', nowMs: env.nowMs, queryId: body.queryId, peer, outcome: { kind: 'error', text: built.reason } })
      : finish({ type: 'backlog.delivered', nowMs: env.nowMs, ok: false, reason: built.reason });
  }
  return send(body, built.value);
}

function advanceSync(body: Extract<TaskBody, { kind: 'sync' }>, answer: Answer, env: TaskEnv): TaskStep {
  const phase = body.phase;
  return match(phase)
    .with({ step: 'disable' }, (): TaskStep => {
      const verdict = peerVerdict(answer, env.compat);
      // Nothing was disabled by this run when the first dhcp-disable fails: no dhcp-enable follows (§9 step 2).
      if (verdict.kind !== 'ok') {
        if (body.from === 'start') return finish({ type: 'sync.failed', nowMs: env.nowMs, reason: verdict.text });
        return syncSend({ ...body, phase: { step: 'enable-after-failure', error: verdict.text } }, env);
      }
      return syncSend({ ...body, phase: { step: 'page' } }, env);
    })
    .with({ step: 'page' }, (): TaskStep => {
      const page = answer.kind === 'transport' ? { ok: false as const, reason: answer.reason } : parseLease4GetPageAnswer(answer.body, env.compat);
      if (!page.ok) return syncSend({ ...body, phase: { step: 'enable-after-failure', error: page.reason } }, env);
      let store = env.store;
      let applied = body.applied;
      let last: string | undefined;
      for (const entry of page.value.entries) {
        // An unparsable lease is skipped, the sync goes on (§9 step 4).
        if (!entry.ok) continue;
        const merged = mergeNewer(store, entry.value);
        store = merged.store;
        if (merged.applied) applied += 1;
        last = entry.value.address;
      }
      const full = page.value.entries.length >= body.pageLimit && last !== undefined;
      const next: Extract<TaskBody, { kind: 'sync' }> = full
        ? { ...body, applied, from: last as string, phase: { step: 'disable' } }
        : { ...body, applied, phase: { step: 'notify' } };
      const step = syncSend(next, env);
      return { ...step, store };
    })
    .with({ step: 'notify' }, (): TaskStep => {
      const verdict = peerVerdict(answer, env.compat, true);
      if (verdict.kind === 'unsupported') return syncSend({ ...body, phase: { step: 'enable-fallback' } }, env);
      if (verdict.kind !== 'ok') return finish({ type: 'sync.failed', nowMs: env.nowMs, reason: verdict.text });
      return finish({ type: 'sync.succeeded', nowMs: env.nowMs, leases: body.applied });
    })
    .with({ step: 'enable-fallback' }, (): TaskStep => {
      const verdict = peerVerdict(answer, env.compat);
      if (verdict.kind !== 'ok') return finish({ type: 'sync.failed', nowMs: env.nowMs, reason: verdict.text });
      return finish({ type: 'sync.succeeded', nowMs: env.nowMs, leases: body.applied });
    })
    .with({ step: 'enable-after-failure' }, (p): TaskStep => finish({ type: 'sync.failed', nowMs: env.nowMs, reason: p.error }))
    .exhaustive();
}

function syncSend(body: Extract<TaskBody, { kind: 'sync' }>, env: TaskEnv): TaskStep {
  return match(body.phase)
    .with({ step: 'disable' }, () => send(body, buildDhcpDisable({ service, compat: env.compat, maxPeriodS: body.maxPeriodS })))
    .with({ step: 'page' }, (): TaskStep => {
      const built = buildLease4GetPage(body.from, body.pageLimit);
      if (!built.ok) return syncSend({ ...body, phase: { step: 'enable-after-failure', error: built.reason } }, env);
      return send(body, built.value, body.pageTimeoutMs);
    })
    .with({ step: 'notify' }, () => send(body, buildSyncCompleteNotify({ service, compat: env.compat, serverName: env.serverName })))
    .with({ step: 'enable-fallback' }, { step: 'enable-after-failure' }, () => send(body, buildDhcpEnable({ service, compat: env.compat })))
    .exhaustive();
}

type Verdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly text: string }
  | { readonly kind: 'conflict'; readonly text: string }
  | { readonly kind: 'unsupported'; readonly text: string };

/** The HA client's answer check (§8.1); result 2 counts as an error except where the caller asks to see it. */
function peerVerdict(answer: Answer, compat: KeaCompat, keepUnsupported = false): Verdict {
  if (answer.kind === 'transport') return { kind: 'error', text: answer.reason };
  const peer = parsePeerAnswer(answer.body, compat);
  return match(peer)
    .with({ kind: 'ok' }, () => ({ kind: 'ok' }) as const)
    .with({ kind: 'conflict' }, (p) => ({ kind: 'conflict', text: p.text }) as const)
    .with({ kind: 'unsupported' }, (p) => (keepUnsupported ? ({ kind: 'unsupported', text: p.text } as const) : ({ kind: 'error', text: p.text } as const)))
    .with({ kind: 'error' }, (p) => ({ kind: 'error', text: p.text }) as const)
    .exhaustive();
}

/** §8.9: result 0 accepted; transport failure or result 1 (HTTP refusals included) unreachable; anything else refused. */
function maintenanceOutcome(answer: Answer, compat: KeaCompat): Extract<HaEvent, { type: 'maintenance-notify.completed' }>['outcome'] {
  if (answer.kind === 'transport') return { kind: 'unreachable', text: answer.reason };
  const peer = parsePeerAnswer(answer.body, compat);
  return match(peer)
    .with({ kind: 'ok' }, () => ({ kind: 'accepted' }) as const)
    .with({ kind: 'unsupported' }, (p) => ({ kind: 'refused', text: p.text, code: 2 }) as const)
    .with({ kind: 'conflict' }, (p) => ({ kind: 'refused', text: p.text, code: 4 }) as const)
    .with({ kind: 'error' }, (p) =>
      p.result === undefined || p.result === 1 ? ({ kind: 'unreachable', text: p.text } as const) : ({ kind: 'refused', text: p.peerText ?? p.text, code: p.result } as const),
    )
    .exhaustive();
}

const send = (body: TaskBody, request: ControlRequest, timeoutMs = REQUEST_TIMEOUT_MS): TaskStep => ({ kind: 'send', body, request, timeoutMs });
const finish = (event: HaEvent): TaskStep => ({ kind: 'finish', event });
