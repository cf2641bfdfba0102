/**
 * The control channel's log vocabulary. Message ids are Kea's own where Kea logs the same event
 * (libkea-http, libkea-config), so an operator greps one name across Kea and Tandem peers.
 */

export type ControlLogLevel = 'debug' | 'info' | 'warn' | 'error';

export type ControlMessageId =
  /** A request could not be accepted at the HTTP level (method, headers, JSON, size). */
  | 'HTTP_BAD_CLIENT_REQUEST_RECEIVED'
  | 'HTTP_CLIENT_REQUEST_RECEIVED'
  | 'HTTP_CLIENT_REQUEST_TIMEOUT_OCCURRED'
  | 'HTTP_IDLE_CONNECTION_TIMEOUT_OCCURRED'
  | 'HTTP_CONNECTION_HANDSHAKE_FAILED'
  | 'HTTP_CONNECTION_STOP'
  | 'HTTP_CLIENT_REQUEST_AUTHORIZED'
  | 'HTTP_CLIENT_REQUEST_NOT_AUTHORIZED'
  | 'HTTP_CLIENT_REQUEST_NO_AUTH_HEADER'
  | 'HTTP_CLIENT_REQUEST_BAD_AUTH_HEADER'
  | 'COMMAND_HTTP_LISTENER_COMMAND_REJECTED'
  | 'COMMAND_PROCESS_ERROR2'
  | 'COMMAND_HTTP_LISTENER_STARTED'
  | 'COMMAND_HTTP_LISTENER_STOPPED';

/** `data` carries the structured fields (remote address, command, reason) a JSON log line keeps. */
export type ControlLog = (
  level: ControlLogLevel,
  msgId: ControlMessageId,
  message: string,
  data?: Readonly<Record<string, unknown>>,
) => void;

export const silentLog: ControlLog = () => undefined;
