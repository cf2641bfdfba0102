import { isJsonMap, type JsonValue } from './json.js';

/** A control-channel request after its envelope was checked: `{"command", "service", "arguments"}`. */
export interface ControlCommand {
  readonly name: string;
  /** Absent when the request carried no `arguments` key (several commands distinguish that from `{}`). */
  readonly args?: JsonValue;
  readonly service?: readonly string[];
  /** Added by kea-ctrl-agent when it forwards a request; only logged. */
  readonly remoteAddress?: string;
}

export type EnvelopeParse =
  | { readonly kind: 'command'; readonly command: ControlCommand }
  | { readonly kind: 'malformed'; readonly reason: string };

const ENVELOPE_KEYS = new Set(['command', 'arguments', 'service', 'remote-address']);

/**
 * Checks a decoded request the way Kea's command interpreter does, with Kea's error texts, so that
 * kea-ctrl-agent and kea-shell see the same refusals from Tandem as from Kea.
 */
export const parseEnvelope = (request: unknown): EnvelopeParse => {
  if (!isJsonMap(request)) return { kind: 'malformed', reason: 'Invalid command Element specified, expected map' };
  if (!('command' in request)) {
    return { kind: 'malformed', reason: "Invalid answer specified, does not contain mandatory 'command'" };
  }
  for (const key of Object.keys(request)) {
    if (!ENVELOPE_KEYS.has(key)) {
      return { kind: 'malformed', reason: `Received command contains unsupported parameter '${key}'` };
    }
  }
  const name = request.command;
  if (typeof name !== 'string') {
    return { kind: 'malformed', reason: "'command' element in command message is not a string" };
  }
  const service = request.service;
  if (service !== undefined && !(Array.isArray(service) && service.every((s) => typeof s === 'string'))) {
    return { kind: 'malformed', reason: "service value must be a list of strings" };
  }
  const remote = request['remote-address'];
  const command: ControlCommand = {
    name,
    ...(request.arguments !== undefined ? { args: request.arguments } : {}),
    ...(service !== undefined ? { service: service as readonly string[] } : {}),
    ...(typeof remote === 'string' ? { remoteAddress: remote } : {}),
  };
  return { kind: 'command', command };
};
