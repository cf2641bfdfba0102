/**
 * `ha-heartbeat` (spec §8.3, §6.2): the request a server sends its partner, the answer it
 * gives, and the rules by which an answer counts as a successful heartbeat.
 */

import { match } from 'ts-pattern';
import { type KeaCompat, STATE_LABELS, type StateLabel } from '../config/types.js';
import { formatRfc1123, parseRfc1123 } from './date-time.js';
import { type ControlAnswer, ControlResult, type ControlRequest, type KeaService, answer, parsePeerAnswer, request } from './envelope.js';
import { getKey, isJsonInteger, isJsonMap } from './json-value.js';
import { compareCodePoints } from './kea-json.js';

export const HEARTBEAT_ANSWER_TEXT = 'HA peer status returned.';

/**
 * Kea 2.2 sends the bare command; HEAD names the sender in `server-name` so that a server
 * with several relationships can tell which one the heartbeat belongs to.
 */
export function buildHeartbeatRequest(opts: {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  readonly serverName: string;
}): ControlRequest {
  return match(opts.compat)
    .with('2.2', () => request('ha-heartbeat', opts.service))
    .with('head', () => request('ha-heartbeat', opts.service, { 'server-name': opts.serverName }))
    .exhaustive();
}

export interface HeartbeatAnswerInput {
  /** The current state, reported even while the state machine is paused. */
  readonly state: StateLabel;
  readonly nowMs: number;
  readonly scopes: readonly string[];
  readonly unsentUpdateCount: number;
}

/** Kea reports the served scopes as a set, hence sorted and without duplicates. */
export function buildHeartbeatAnswer(input: HeartbeatAnswerInput): ControlAnswer {
  return answer(ControlResult.SUCCESS, HEARTBEAT_ANSWER_TEXT, {
    state: input.state,
    'date-time': formatRfc1123(input.nowMs),
    scopes: sortedScopeSet(input.scopes),
    'unsent-update-count': input.unsentUpdateCount,
  });
}

const sortedScopeSet = (scopes: readonly string[]): string[] => [...new Set(scopes)].sort(compareCodePoints);

export type HeartbeatOutcome =
  | {
      readonly ok: true;
      readonly state: StateLabel | 'unavailable';
      /** Partner clock, for the clock-skew check. */
      readonly dateTimeS: number;
      /** Absent when the partner sent none or a malformed list; the previous value then stands. */
      readonly scopes?: readonly string[];
      /** Absent when the partner sent none (old versions); the stored pair then stays unchanged. */
      readonly unsentUpdateCount?: number;
    }
  | { readonly ok: false; readonly reason: string };

const KNOWN_PARTNER_STATES: ReadonlySet<string> = new Set<string>([...STATE_LABELS, 'unavailable']);

const isPartnerState = (label: string): label is StateLabel | 'unavailable' => KNOWN_PARTNER_STATES.has(label);

/**
 * Applies every rule of spec §6.2 to a heartbeat answer body (HB-05, HB-06). A failure means
 * the partner is to be recorded as `unavailable`.
 */
export function parseHeartbeatAnswer(body: unknown, compat: KeaCompat = '2.2'): HeartbeatOutcome {
  const peer = parsePeerAnswer(body, compat);
  if (peer.kind !== 'ok') return { ok: false, reason: peer.text };
  const args = peer.arguments;
  if (!isJsonMap(args)) return { ok: false, reason: 'returned arguments in the response must be a map' };
  const state = getKey(args, 'state');
  if (typeof state !== 'string') {
    return { ok: false, reason: 'server state not returned in response to a ha-heartbeat command or it is not a string' };
  }
  if (!isPartnerState(state)) return { ok: false, reason: `unsupported HA partner state returned ${state}` };
  const dateTime = getKey(args, 'date-time');
  if (typeof dateTime !== 'string') {
    return { ok: false, reason: 'date-time not returned in response to a ha-heartbeat command or it is not a string' };
  }
  const dateTimeS = parseRfc1123(dateTime);
  if (dateTimeS === undefined) return { ok: false, reason: `unable to parse RFC 1123 time value of '${dateTime}'` };
  const unsent = getKey(args, 'unsent-update-count');
  if (unsent !== undefined && !isJsonInteger(unsent)) {
    return { ok: false, reason: 'unsent-update-count returned in the ha-heartbeat response is not an integer' };
  }
  const scopes = partnerScopes(getKey(args, 'scopes'));
  return {
    ok: true,
    state,
    dateTimeS,
    ...(scopes === undefined ? {} : { scopes }),
    ...(unsent === undefined ? {} : { unsentUpdateCount: unsent }),
  };
}

/** A list of strings, empty names dropped, as a sorted set; anything else is ignored for backward compatibility. */
function partnerScopes(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) return undefined;
  return sortedScopeSet(value.filter((scope) => scope !== ''));
}
