/**
 * @tandem/control — Kea's control channel over HTTP(S): the listener peers and administrators talk
 * to, the client the HA service uses to reach its partner, and the pieces tandemctl is built from.
 */

export { startControlServer, DEFAULT_MAX_BODY_BYTES, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_AUTH_REALM } from './server.js';
export type {
  ControlServer,
  ControlServerOptions,
  ControlServerStats,
  ControlServerTls,
  ControlDispatch,
  ControlRequestMeta,
} from './server.js';
export { PeerClient, DEFAULT_MAX_SOCKETS, DEFAULT_MAX_ANSWER_BYTES } from './client.js';
export type { PeerClientOptions, PeerClientTls, PeerReply, SendOptions, TransportFailure } from './client.js';
export { BasicAuthChecker, basicAuthHeader } from './basic-auth.js';
export type { BasicAuthCredential, BasicAuthVerdict } from './basic-auth.js';
export { jsonAnswer, stockAnswer, formatHttpAnswer, statusPhrase } from './http-answer.js';
export type { HttpAnswer, HttpStatus, HeaderLine } from './http-answer.js';
export { silentLog } from './log.js';
export type { ControlLog, ControlLogLevel, ControlMessageId } from './log.js';
export { parseTandemctlArgs, buildArguments, exitCodeForAnswer, ExitCode, HELP_TEXT } from './tandemctl-args.js';
export type { TandemctlArgs, TandemctlInvocation } from './tandemctl-args.js';
