import type { JsonValue } from './json.js';

/**
 * Kea's control-channel result codes. Kea 2.2 knows 0–3; HA treats 3 ("empty") as success.
 */
export const CONTROL_RESULT_SUCCESS = 0 as const;
export const CONTROL_RESULT_ERROR = 1 as const;
export const CONTROL_RESULT_COMMAND_UNSUPPORTED = 2 as const;
export const CONTROL_RESULT_EMPTY = 3 as const;

export type ControlResult =
  | typeof CONTROL_RESULT_SUCCESS
  | typeof CONTROL_RESULT_ERROR
  | typeof CONTROL_RESULT_COMMAND_UNSUPPORTED
  | typeof CONTROL_RESULT_EMPTY;

/** One answer of a command handler: the object Kea's unix control socket writes back. */
export interface ControlAnswer {
  readonly result: ControlResult;
  /** Kea leaves `text` out when it is empty (config-get, list-commands). */
  readonly text?: string;
  readonly arguments?: JsonValue;
}

export const success = (text: string, args?: JsonValue): ControlAnswer =>
  args === undefined ? { result: CONTROL_RESULT_SUCCESS, text } : { result: CONTROL_RESULT_SUCCESS, text, arguments: args };

/** Success carrying only arguments, as Kea's `createAnswer(0, arguments)` does. */
export const successArgs = (args: JsonValue): ControlAnswer => ({ result: CONTROL_RESULT_SUCCESS, arguments: args });

export const failure = (text: string): ControlAnswer => ({ result: CONTROL_RESULT_ERROR, text });

export const empty = (text: string, args?: JsonValue): ControlAnswer =>
  args === undefined ? { result: CONTROL_RESULT_EMPTY, text } : { result: CONTROL_RESULT_EMPTY, text, arguments: args };

export const unsupported = (command: string): ControlAnswer => ({
  result: CONTROL_RESULT_COMMAND_UNSUPPORTED,
  text: `'${command}' command not supported.`,
});

/** Plain JSON object form (for serialisers), keys as Kea names them. */
export const answerToJson = (answer: ControlAnswer): { [key: string]: JsonValue } => {
  const out: { [key: string]: JsonValue } = { result: answer.result };
  if (answer.text !== undefined && answer.text !== '') out.text = answer.text;
  if (answer.arguments !== undefined) out.arguments = answer.arguments;
  return out;
};
