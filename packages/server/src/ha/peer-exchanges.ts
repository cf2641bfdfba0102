import type { PeerReply } from '@tandem/control';
import {
  buildHaReset,
  buildHeartbeatRequest,
  buildLease4Del,
  buildLease4Update,
  buildMaintenanceNotify,
  parseHeartbeatAnswer,
  parsePeerAnswer,
  type HaEffect,
  type HaEvent,
  type KeaCompat,
  type LeaseOperation,
  type LeaseUpdateOutcome,
  type MaintenanceNotifyOutcome,
} from '@tandem/core';
import { match } from 'ts-pattern';
import type { PeerClients } from './peer-clients.js';

/**
 * The request/answer exchanges behind the core's outgoing effects (docs/architecture.md): each
 * function sends what the effect asks for with the core's builders, reads the answers with the
 * core's parsers, and resolves to the one result event the effect requires. None of them rejects.
 */

/** Kea's fixed timeout of every peer request but lease pages (§8.1). */
export const PEER_REQUEST_TIMEOUT_MS = 10_000;

export interface ExchangeEnv {
  readonly clients: PeerClients;
  readonly compat: KeaCompat;
  readonly serverName: string;
  /** The caller's clock for result events (never goes backwards). */
  nowMs(): number;
}

type Effect<T extends HaEffect['type']> = Extract<HaEffect, { type: T }>;

const SERVICE = 'dhcp4' as const;

export async function exchangeHeartbeat(env: ExchangeEnv, effect: Effect<'heartbeat.send'>): Promise<HaEvent> {
  const request = buildHeartbeatRequest({ service: SERVICE, compat: env.compat, serverName: env.serverName });
  const reply = await env.clients.send(effect.peer, request, PEER_REQUEST_TIMEOUT_MS);
  if (reply.kind === 'transport-error') return { type: 'heartbeat.failed', nowMs: env.nowMs(), reason: reply.message };
  const outcome = parseHeartbeatAnswer(reply.body, env.compat);
  if (!outcome.ok) return { type: 'heartbeat.failed', nowMs: env.nowMs(), reason: outcome.reason };
  return {
    type: 'heartbeat.succeeded',
    nowMs: env.nowMs(),
    partner: {
      state: outcome.state,
      dateTimeS: outcome.dateTimeS,
      ...(outcome.scopes !== undefined ? { scopes: outcome.scopes } : {}),
      ...(outcome.unsentUpdateCount !== undefined ? { unsentUpdateCount: outcome.unsentUpdateCount } : {}),
    },
  };
}

/**
 * One query's lease updates to one peer: every deletion, then every update (§10.2), one request at a
 * time in that order; the first failure ends the batch. Batches of different queries run side by
 * side on the peer's kept-alive connections.
 */
export async function exchangeLeaseUpdates(env: ExchangeEnv, effect: Effect<'lease-updates.send'>): Promise<HaEvent> {
  const operations: LeaseOperation[] = [
    ...effect.deleted.map((lease) => ({ op: 'delete' as const, lease })),
    ...effect.updated.map((lease) => ({ op: 'update' as const, lease })),
  ];
  const outcome = await sendOperations(env, effect.peer, operations);
  return { type: 'lease-updates.completed', nowMs: env.nowMs(), queryId: effect.queryId, peer: effect.peer, outcome };
}

/**
 * The communication-recovery backlog, in order, stopping at the first failure (§10.5), or before the
 * next operation once `stillWanted` says the machine no longer waits for it.
 */
export async function exchangeBacklog(env: ExchangeEnv, effect: Effect<'backlog.deliver'>, stillWanted: () => boolean): Promise<HaEvent> {
  const outcome = await sendOperations(env, effect.peer, effect.operations, stillWanted);
  return outcome.kind === 'ok'
    ? { type: 'backlog.delivered', nowMs: env.nowMs(), ok: true }
    : { type: 'backlog.delivered', nowMs: env.nowMs(), ok: false, reason: outcome.text };
}

const ABANDONED: LeaseUpdateOutcome = { kind: 'error', text: 'backlog delivery abandoned: communication-recovery was left' };

async function sendOperations(
  env: ExchangeEnv,
  peer: string,
  operations: readonly LeaseOperation[],
  stillWanted: () => boolean = () => true,
): Promise<LeaseUpdateOutcome> {
  for (const [index, { op, lease }] of operations.entries()) {
    // Asked between operations only: the effect is performed while the machine is still taking the
    // transition that emitted it, before its snapshot shows the new state.
    if (index > 0 && !stillWanted()) return ABANDONED;
    const built = op === 'delete' ? buildLease4Del(lease, { compat: env.compat }) : buildLease4Update(lease, { compat: env.compat });
    // A lease the partner's Kea version cannot take fails like a refused update.
    if (!built.ok) return { kind: 'error', text: built.reason };
    const verdict = peerVerdict(await env.clients.send(peer, built.value, PEER_REQUEST_TIMEOUT_MS), env.compat);
    if (verdict.kind !== 'ok') return verdict;
  }
  return { kind: 'ok' };
}

export async function exchangeHaReset(env: ExchangeEnv, effect: Effect<'ha-reset.send'>): Promise<HaEvent> {
  const request = buildHaReset({ service: SERVICE, compat: env.compat, serverName: env.serverName });
  const verdict = peerVerdict(await env.clients.send(effect.peer, request, PEER_REQUEST_TIMEOUT_MS), env.compat);
  return verdict.kind === 'ok'
    ? { type: 'ha-reset.sent', nowMs: env.nowMs(), ok: true }
    : { type: 'ha-reset.sent', nowMs: env.nowMs(), ok: false, reason: verdict.text };
}

export async function exchangeMaintenanceNotify(env: ExchangeEnv, effect: Effect<'maintenance-notify.send'>): Promise<HaEvent> {
  const request = buildMaintenanceNotify({ service: SERVICE, compat: env.compat, cancel: effect.cancel, serverName: env.serverName, state: effect.state });
  const reply = await env.clients.send(effect.peer, request, PEER_REQUEST_TIMEOUT_MS);
  return { type: 'maintenance-notify.completed', nowMs: env.nowMs(), requestId: effect.requestId, outcome: maintenanceOutcome(reply, env.compat) };
}

/** The HA client's answer check (§8.1): 0 and 3 succeed, a HEAD conflict is its own outcome, anything else fails. */
function peerVerdict(reply: PeerReply, compat: KeaCompat): LeaseUpdateOutcome {
  if (reply.kind === 'transport-error') return { kind: 'error', text: reply.message };
  const peer = parsePeerAnswer(reply.body, compat);
  return match(peer)
    .with({ kind: 'ok' }, (): LeaseUpdateOutcome => ({ kind: 'ok' }))
    .with({ kind: 'conflict' }, (p): LeaseUpdateOutcome => ({ kind: 'conflict', text: p.text }))
    .with({ kind: 'unsupported' }, { kind: 'error' }, (p): LeaseUpdateOutcome => ({ kind: 'error', text: p.text }))
    .exhaustive();
}

/**
 * §8.9: result 0 accepted; a transport failure or result 1 (which HTTP refusals such as 401 become)
 * means the partner is gone; any other result is a refusal quoted with the partner's own text.
 */
function maintenanceOutcome(reply: PeerReply, compat: KeaCompat): MaintenanceNotifyOutcome {
  if (reply.kind === 'transport-error') return { kind: 'unreachable', text: reply.message };
  const peer = parsePeerAnswer(reply.body, compat);
  // The core adds ", error code <n>" itself, so a refusal carries the partner's text as sent.
  const sent = firstAnswerText(reply.body);
  return match(peer)
    .with({ kind: 'ok' }, (): MaintenanceNotifyOutcome => ({ kind: 'accepted' }))
    .with({ kind: 'unsupported' }, (p): MaintenanceNotifyOutcome => ({ kind: 'refused', text: sent ?? p.text, code: 2 }))
    .with({ kind: 'conflict' }, (p): MaintenanceNotifyOutcome => ({ kind: 'refused', text: sent ?? p.text, code: 4 }))
    .with({ kind: 'error' }, (p): MaintenanceNotifyOutcome =>
      p.result === undefined || p.result === 1 ? { kind: 'unreachable', text: p.text } : { kind: 'refused', text: p.peerText ?? p.text, code: p.result },
    )
    .exhaustive();
}

const firstAnswerText = (body: unknown): string | undefined => {
  const first: unknown = Array.isArray(body) ? body[0] : undefined;
  const text = typeof first === 'object' && first !== null ? (first as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : undefined;
};
