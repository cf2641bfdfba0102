/**
 * Kea's control-channel envelope (spec §8.1): the command map a peer or an administrator
 * POSTs, the answer map a daemon returns, and the check the HA client applies to a peer's
 * answer before it trusts anything inside it.
 */

import { match } from 'ts-pattern';
import type { KeaCompat } from '../config/types.js';
import { type JsonMap, type Parsed, getKey, isJsonInteger, isJsonMap, parsedError, parsedOk } from './json-value.js';

export { serializeKea } from './kea-json.js';

/** The daemon a command is forwarded to; HA always names exactly one. */
export type KeaService = 'dhcp4' | 'dhcp6';

export interface ControlRequest {
  readonly command: string;
  readonly service?: readonly string[];
  readonly arguments?: JsonMap;
}

/** Result codes of Kea's control channel; 4 exists from Kea 2.3.1 on, 1001 is HA's own. */
export const ControlResult = {
  SUCCESS: 0,
  ERROR: 1,
  UNSUPPORTED: 2,
  EMPTY: 3,
  CONFLICT: 4,
  MAINTENANCE_NOT_ALLOWED: 1001,
} as const;
export type ControlResultCode = (typeof ControlResult)[keyof typeof ControlResult];

/**
 * One answer map. Kea leaves `text` out when it is empty (status-get carries none), so it is
 * optional here even though every HA answer has one.
 */
export interface ControlAnswer {
  readonly result: number;
  readonly text?: string;
  readonly arguments?: unknown;
}

/** Builds an answer the way Kea's `createAnswer` does: an empty text is omitted. */
export function answer(result: number, text: string, args?: unknown): ControlAnswer {
  return {
    result,
    ...(text === '' ? {} : { text }),
    ...(args === undefined ? {} : { arguments: args }),
  };
}

/** HTTP answers are always a list with one answer per service; the UNIX socket form is the bare map. */
export const answerList = (single: ControlAnswer): readonly ControlAnswer[] => [single];

export const unsupportedCommandText = (command: string): string => `'${command}' command not supported.`;

/** The keys Kea's command parser admits at the top level of a command. */
const ENVELOPE_KEYS = new Set(['command', 'service', 'arguments', 'remote-address']);

/** Builds a request with `service` always present, as HA sends it, and `arguments` only when given. */
export function request(command: string, service: KeaService, args?: JsonMap): ControlRequest {
  return { command, service: [service], ...(args === undefined ? {} : { arguments: args }) };
}

/**
 * Validates a received command map. Stricter than Kea in one respect: `arguments` must be a
 * map here, whereas Kea leaves that check to each handler — the text used is the one Kea's
 * HA handlers give for the same mistake.
 */
export function parseControlRequest(body: unknown): Parsed<ControlRequest> {
  if (!isJsonMap(body)) return parsedError('Invalid command Element specified, expected map');
  const command = getKey(body, 'command');
  if (command === undefined) return parsedError("Invalid answer specified, does not contain mandatory 'command'");
  for (const key of Object.keys(body)) {
    if (!ENVELOPE_KEYS.has(key)) return parsedError(`Received command contains unsupported parameter '${key}'`);
  }
  if (typeof command !== 'string') return parsedError("'command' element in command message is not a string");
  if (command === '') return parsedError("'command' element in command message must not be empty");
  const service = getKey(body, 'service');
  if (service !== undefined && !(Array.isArray(service) && service.every((entry) => typeof entry === 'string'))) {
    return parsedError('service value must be a list of strings');
  }
  const args = getKey(body, 'arguments');
  if (args !== undefined && !isJsonMap(args)) {
    return parsedError(`arguments in the '${command}' command are not a map`);
  }
  return parsedOk({
    command,
    ...(service === undefined ? {} : { service: service as string[] }),
    ...(args === undefined ? {} : { arguments: args }),
  });
}

/** What the HA client makes of a peer's answer (spec §8.1). */
export type PeerAnswer =
  | { readonly kind: 'ok'; readonly result: 0 | 3; readonly text: string; readonly arguments: unknown }
  /** Result 2: only `ha-sync-complete-notify` treats it differently (falls back to `dhcp-enable`). */
  | { readonly kind: 'unsupported'; readonly text: string }
  /** Result 4 from a HEAD peer: the lease update was rejected, the partner is not unavailable. */
  | { readonly kind: 'conflict'; readonly text: string }
  /**
   * Anything else. `text` is the message Kea logs and reports (e.g. in ha-sync's answer);
   * `peerText` is the peer's own text when it sent one; `result` is absent when no
   * well-formed answer was found.
   */
  | { readonly kind: 'error'; readonly text: string; readonly result?: number; readonly peerText?: string };

/** Kea 2.2: `"<text>, error code <n>"`; HEAD: `"<text> (error code <n>)"`. */
export function formatPeerError(text: string | undefined, code: number, compat: KeaCompat): string {
  return match(compat)
    .with('2.2', () => (text === undefined ? `error code ${code}` : `${text}, error code ${code}`))
    .with('head', () => (text === undefined ? `error code ${code}` : `${text} (error code ${code})`))
    .exhaustive();
}

/**
 * The HA client's response check. `body` is the parsed HTTP body, `undefined` when there was
 * none. A map body — the agent's and listener's form for HTTP refusals such as 401/403 — is an
 * error with result 1 whatever result it claims. `compat` selects the error text format and
 * whether result 4 means a conflict (HEAD) or a plain error (Kea 2.2 does not know it).
 */
export function parsePeerAnswer(body: unknown, compat: KeaCompat = '2.2'): PeerAnswer {
  if (body === undefined) return { kind: 'error', text: 'no body found in the response' };
  let first: unknown;
  if (isJsonMap(body)) {
    const text = getKey(body, 'text');
    first = { result: ControlResult.ERROR, ...(text === undefined ? {} : { text }) };
  } else if (Array.isArray(body)) {
    if (body.length === 0) return { kind: 'error', text: 'list of responses must not be empty' };
    first = body[0];
  } else {
    return { kind: 'error', text: 'body of the response must be a list' };
  }
  if (!isJsonMap(first)) return { kind: 'error', text: 'Invalid answer Element specified, expected map' };
  const result = getKey(first, 'result');
  if (result === undefined) {
    return { kind: 'error', text: "Invalid answer specified, does not contain mandatory 'result'" };
  }
  if (!isJsonInteger(result)) return { kind: 'error', text: "'result' in the answer is not an integer" };
  const rawText = getKey(first, 'text');
  const args = getKey(first, 'arguments');
  if (result === ControlResult.SUCCESS || result === ControlResult.EMPTY) {
    return { kind: 'ok', result, text: typeof rawText === 'string' ? rawText : '', arguments: args };
  }
  // Kea only quotes the peer's text when the answer carries no arguments (its parseAnswer
  // returns the arguments in preference to the text).
  const quoted = args === undefined && typeof rawText === 'string' ? rawText : undefined;
  const text = formatPeerError(quoted, result, compat);
  if (result === ControlResult.UNSUPPORTED) return { kind: 'unsupported', text };
  if (result === ControlResult.CONFLICT && compat === 'head') return { kind: 'conflict', text };
  return { kind: 'error', text, result, ...(typeof rawText === 'string' ? { peerText: rawText } : {}) };
}
