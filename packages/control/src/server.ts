/**
 * The HTTP(S) control channel listener: what a peer's HA client, kea-shell or tandemctl talks to.
 *
 * It behaves like Kea 2.2's kea-ctrl-agent and HA dedicated listener (spec §8.1): POST on any path,
 * the body is one command map, the answer is always a JSON list holding one answer map, written in
 * Kea's JSON formatting with Kea's three headers. Refusals at the HTTP level use Kea's stock map
 * bodies. Connections are persistent and closed after `idleTimeoutMs` without a request (Kea: 30 s).
 *
 * Check order, and why it differs from Kea in one place: method and headers (400), body size (413,
 * Tandem's own), Basic auth (401), JSON (400), `restrict-commands` (403), envelope (list, result 1),
 * then the dispatcher. Kea parses the JSON before it checks the credentials; checking credentials
 * first means a body from an unauthenticated client is never parsed, and no valid client can tell.
 */

import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import {
  type ControlAnswer,
  type ControlRequest,
  ControlResult,
  answer,
  answerList,
  parseControlRequest,
  parseKeaJson,
  serializeKea,
} from '@tandem/core';
import { type BasicAuthCredential, BasicAuthChecker } from './basic-auth.js';
import { type HeaderLine, type HttpAnswer, formatHttpAnswer, jsonAnswer, statusPhrase, stockAnswer } from './http-answer.js';
import { isMap } from './json-map.js';
import { type ControlLog, silentLog } from './log.js';
import { readCertFile, readKeyFile, readTrustAnchor } from './tls-files.js';

export interface ControlServerTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly trustAnchor: string;
  /** Kea's `require-client-certs`: ask for a client certificate and refuse the handshake without a valid one. */
  readonly requireClientCerts: boolean;
}

export interface ControlRequestMeta {
  readonly remoteAddress: string;
}

/** Answers one well-formed command; unknown commands are its business (result 2, `'<cmd>' command not supported.`). */
export type ControlDispatch = (request: ControlRequest, meta: ControlRequestMeta) => Promise<ControlAnswer>;

export interface ControlServerOptions {
  readonly host: string;
  /** 0 picks an ephemeral port; `ControlServer.address` tells which. */
  readonly port: number;
  readonly tls?: ControlServerTls;
  /** Accepted credentials; absent or empty means no authentication, as in Kea. */
  readonly basicAuth?: readonly BasicAuthCredential[];
  /** Realm named in the `WWW-Authenticate` header of a 401. */
  readonly authRealm?: string;
  readonly dispatch: ControlDispatch;
  /** Largest accepted request body; bigger ones are refused before they are read into memory. */
  readonly maxBodyBytes?: number;
  /** Kea's `restrict-commands` accept list: other commands are refused with 403. Absent = all accepted. */
  readonly restrictCommands?: ReadonlySet<string>;
  /** A connection without a request for this long is closed (Kea's agent and listener: 30 s). */
  readonly idleTimeoutMs?: number;
  /** A request must arrive completely within this time, or it is answered 408 (Kea: 10 s). */
  readonly requestTimeoutMs?: number;
  readonly log?: ControlLog;
}

export interface ControlServerStats {
  /** TCP connections accepted since start (each keep-alive connection counts once). */
  readonly connectionsAccepted: number;
  readonly connectionsOpen: number;
  readonly requestsAnswered: number;
}

export interface ControlServer {
  readonly address: { readonly host: string; readonly port: number };
  stats(): ControlServerStats;
  /** Stops listening and closes every connection, idle or not. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_AUTH_REALM = 'tandem';

const CLOSE_CONNECTION: HeaderLine = ['Connection', 'close'];

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const listener = new ControlListener(opts);
  return listener.listen();
}

class ControlListener {
  readonly #opts: ControlServerOptions;
  readonly #log: ControlLog;
  readonly #maxBodyBytes: number;
  readonly #auth: BasicAuthChecker | undefined;
  readonly #server: http.Server;
  #connectionsAccepted = 0;
  #connectionsOpen = 0;
  #requestsAnswered = 0;
  readonly #idle = new WeakMap<object, { started(): void; finished(): void }>();

  constructor(opts: ControlServerOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? silentLog;
    this.#maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#auth = opts.basicAuth !== undefined && opts.basicAuth.length > 0 ? new BasicAuthChecker(opts.basicAuth) : undefined;
    const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const serverOptions: http.ServerOptions = {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      // Node checks request deadlines on this period; the default (30 s) would make a 10 s timeout fire late.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(requestTimeoutMs / 4))),
    };
    const handshakeTimeout = requestTimeoutMs;
    this.#server = opts.tls === undefined ? http.createServer(serverOptions) : https.createServer({ ...serverOptions, handshakeTimeout, ...tlsOptions(opts.tls) });
    // Node's own keep-alive timer closes about a second late; the listener keeps its own (see #trackIdle).
    this.#server.keepAliveTimeout = 0;
    this.#server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      void this.#handle(req, res);
    });
    // Without this listener Node answers `100 Continue` itself; with it an oversized body is refused
    // before the client sends it (curl asks first for bodies over 1 MiB).
    this.#server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (this.#declaredLength(req) <= this.#maxBodyBytes) res.writeContinue();
      void this.#handle(req, res);
    });
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.#onClientError(error, socket));
    this.#server.on('tlsClientError', (error: Error, socket: Duplex) => {
      this.#log('info', 'HTTP_CONNECTION_HANDSHAKE_FAILED', `TLS handshake with ${remoteOf(socket)} failed with ${error.message}`, {
        remoteAddress: remoteOf(socket),
        reason: error.message,
      });
    });
    this.#server.on('connection', (socket: Socket) => this.#onConnection(socket));
    // The socket requests arrive on: the TCP socket, or the TLS socket once the handshake is done.
    this.#server.on(opts.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => this.#trackIdle(socket));
  }

  listen(): Promise<ControlServer> {
    const { host, port } = this.#opts;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(new Error(`cannot start the control channel listener on ${host} port ${port}: ${error.message}`));
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        // A listener error after start-up (rare: e.g. EMFILE on accept) must not crash the daemon.
        this.#server.on('error', (error: Error) => {
          this.#log('error', 'HTTP_CONNECTION_STOP', `control channel listener error: ${error.message}`, { reason: error.message });
        });
        const bound = this.#server.address();
        const address = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : { host, port };
        const tls = this.#opts.tls === undefined ? 'false' : 'true';
        this.#log('info', 'COMMAND_HTTP_LISTENER_STARTED', `Command HTTP listener started, listening on address: ${address.host} port: ${address.port}, TLS: ${tls}`, {
          ...address,
          tls: this.#opts.tls !== undefined,
        });
        resolve({
          address,
          stats: () => ({
            connectionsAccepted: this.#connectionsAccepted,
            connectionsOpen: this.#connectionsOpen,
            requestsAnswered: this.#requestsAnswered,
          }),
          close: () => this.#close(address),
        });
      });
    });
  }

  #close(address: { host: string; port: number }): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => {
        this.#log('info', 'COMMAND_HTTP_LISTENER_STOPPED', `Command HTTP listener on ${address.host} port ${address.port} stopped`, address);
        resolve();
      });
      this.#server.closeAllConnections();
    });
  }

  #onConnection(socket: Socket): void {
    this.#connectionsAccepted++;
    this.#connectionsOpen++;
    socket.on('close', () => {
      this.#connectionsOpen--;
    });
  }

  /**
   * Closes a connection that has had no request under way for `idleTimeoutMs`, as Kea drops idle
   * persistent connections. The clock starts at accept and again whenever the last answer is sent.
   */
  #trackIdle(socket: Socket): void {
    const idleTimeoutMs = this.#opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const remoteAddress = socket.remoteAddress ?? '(unknown address)';
    let underWay = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.#log('debug', 'HTTP_IDLE_CONNECTION_TIMEOUT_OCCURRED', `closing persistent connection with ${remoteAddress} as a result of a timeout`, {
          remoteAddress,
        });
        socket.destroy();
      }, idleTimeoutMs);
      timer.unref();
    };
    this.#idle.set(socket, {
      started: () => {
        underWay++;
        clearTimeout(timer);
      },
      finished: () => {
        underWay--;
        if (underWay === 0 && !socket.destroyed) arm();
      },
    });
    socket.on('close', () => clearTimeout(timer));
    arm();
  }

  /** Errors before a request object exists: unparsable HTTP, request timeouts, resets. */
  #onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const remoteAddress = remoteOf(socket);
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
      this.#log('debug', 'HTTP_CONNECTION_STOP', `stopping HTTP connection from ${remoteAddress}: ${error.message}`, { remoteAddress });
      socket.destroy();
      return;
    }
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const refusal = timedOut
      ? stockAnswer(408, Date.now(), { extra: [CLOSE_CONNECTION] })
      : stockAnswer(400, Date.now(), { detail: `malformed HTTP request: ${error.message}`, extra: [CLOSE_CONNECTION] });
    if (timedOut) {
      this.#log('debug', 'HTTP_CLIENT_REQUEST_TIMEOUT_OCCURRED', `HTTP request timeout occurred when communicating with ${remoteAddress}`, {
        remoteAddress,
      });
    } else {
      this.#logBadRequest(remoteAddress, `malformed HTTP request: ${error.message}`);
    }
    socket.end(formatHttpAnswer(refusal));
  }

  #declaredLength(req: http.IncomingMessage): number {
    const header = req.headers['content-length'];
    return header === undefined ? 0 : Number(header);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A client that goes away mid-request must never take the listener down.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const idle = this.#idle.get(req.socket);
    idle?.started();
    res.once('close', () => idle?.finished());
    const remoteAddress = req.socket.remoteAddress ?? '(unknown address)';
    try {
      const answered = await this.#answer(req, remoteAddress);
      if (answered.drainFirst) await drain(req);
      this.#send(res, answered.answer);
    } catch (error) {
      // Only a bug gets here; the client still gets Kea's stock answer for it.
      const reason = error instanceof Error ? error.message : String(error);
      this.#log('error', 'COMMAND_PROCESS_ERROR2', `internal error while answering ${remoteAddress}: ${reason}`, { remoteAddress, reason });
      this.#send(res, stockAnswer(500, Date.now(), { extra: [CLOSE_CONNECTION] }));
    }
  }

  async #answer(req: http.IncomingMessage, remoteAddress: string): Promise<{ answer: HttpAnswer; drainFirst?: boolean }> {
    const headProblem = checkHead(req);
    if (headProblem !== undefined) {
      this.#logBadRequest(remoteAddress, headProblem);
      return { answer: stockAnswer(400, Date.now(), { detail: headProblem }) };
    }
    const declared = this.#declaredLength(req);
    if (declared > this.#maxBodyBytes) {
      const reason = `request body too large: ${declared} bytes exceed the limit of ${this.#maxBodyBytes} bytes`;
      this.#logBadRequest(remoteAddress, reason);
      // The body is read and discarded (never stored) before answering, so the client is not reset while
      // still sending; a client that sends slowly is cut by the request timeout.
      const body = serializeKea({ result: ControlResult.ERROR, text: reason });
      return { answer: jsonAnswer(413, body, Date.now(), [CLOSE_CONNECTION]), drainFirst: !expectsContinue(req) };
    }
    const refusal = this.#checkAuth(req, remoteAddress);
    if (refusal !== undefined) return { answer: refusal };

    const body = await readBody(req);
    if (body === undefined) return { answer: stockAnswer(400, Date.now(), { detail: 'the request body was not received' }) };
    this.#log('debug', 'HTTP_CLIENT_REQUEST_RECEIVED', `received HTTP request from ${remoteAddress}`, { remoteAddress, bytes: body.length });
    return { answer: await this.#answerBody(body.toString('utf8'), remoteAddress) };
  }

  #checkAuth(req: http.IncomingMessage, remoteAddress: string): HttpAnswer | undefined {
    if (this.#auth === undefined) return undefined;
    const verdict = this.#auth.check(req.headers.authorization);
    switch (verdict.kind) {
      case 'authorized':
        this.#log('debug', 'HTTP_CLIENT_REQUEST_AUTHORIZED', `received HTTP request authorized for '${verdict.user}'`, {
          remoteAddress,
          user: verdict.user,
        });
        return undefined;
      case 'no-header':
        this.#log('info', 'HTTP_CLIENT_REQUEST_NO_AUTH_HEADER', `received HTTP request from ${remoteAddress} without required authentication header`, {
          remoteAddress,
        });
        break;
      case 'bad-header':
        this.#log('info', 'HTTP_CLIENT_REQUEST_BAD_AUTH_HEADER', `received HTTP request from ${remoteAddress} with malformed authentication header: ${verdict.reason}`, {
          remoteAddress,
          reason: verdict.reason,
        });
        break;
      case 'not-authorized':
        this.#log('info', 'HTTP_CLIENT_REQUEST_NOT_AUTHORIZED', `received HTTP request from ${remoteAddress} with not matching authentication header`, {
          remoteAddress,
        });
        break;
      default:
        return assertNever(verdict);
    }
    const realm = this.#opts.authRealm ?? DEFAULT_AUTH_REALM;
    return stockAnswer(401, Date.now(), { extra: [['WWW-Authenticate', `Basic realm="${realm}"`]] });
  }

  async #answerBody(text: string, remoteAddress: string): Promise<HttpAnswer> {
    if (text.trim() === '') {
      return this.#answerList(answer(ControlResult.ERROR, 'Command processing failed: the request body is empty'));
    }
    const json = parseKeaJson(text);
    if (!json.ok) {
      const reason = `unable to parse the body of the HTTP request: ${json.reason}`;
      this.#logBadRequest(remoteAddress, reason);
      return stockAnswer(400, Date.now(), { detail: reason });
    }
    const restricted = this.#restrictedCommand(json.value);
    if (restricted !== undefined) {
      this.#log('info', 'COMMAND_HTTP_LISTENER_COMMAND_REJECTED', `command '${restricted}' from ${remoteAddress} is not in the accepted command list`, {
        remoteAddress,
        command: restricted,
      });
      return stockAnswer(403, Date.now());
    }
    const request = parseControlRequest(json.value);
    if (!request.ok) {
      const reason = `Error during command processing: ${request.reason}`;
      this.#log('warn', 'COMMAND_PROCESS_ERROR2', `command from ${remoteAddress} refused: ${request.reason}`, { remoteAddress, reason: request.reason });
      return this.#answerList(answer(ControlResult.ERROR, reason));
    }
    try {
      return this.#answerList(await this.#opts.dispatch(request.value, { remoteAddress }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#log('error', 'COMMAND_PROCESS_ERROR2', `command '${request.value.command}' from ${remoteAddress} failed: ${reason}`, {
        remoteAddress,
        command: request.value.command,
        reason,
      });
      return this.#answerList(answer(ControlResult.ERROR, `Error during command processing: ${reason}`));
    }
  }

  #answerList(single: ControlAnswer): HttpAnswer {
    return jsonAnswer(200, serializeKea(answerList(single)), Date.now());
  }

  /** Kea filters only a map whose `command` is a non-empty string; anything else goes on to fail in the parser. */
  #restrictedCommand(body: unknown): string | undefined {
    const accepted = this.#opts.restrictCommands;
    if (accepted === undefined || !isMap(body)) return undefined;
    const command = Object.prototype.hasOwnProperty.call(body, 'command') ? body.command : undefined;
    if (typeof command !== 'string' || command === '' || accepted.has(command)) return undefined;
    return command;
  }

  #logBadRequest(remoteAddress: string, reason: string): void {
    this.#log('info', 'HTTP_BAD_CLIENT_REQUEST_RECEIVED', `bad request received from ${remoteAddress}: ${reason}`, { remoteAddress, reason });
  }

  #send(res: http.ServerResponse, reply: HttpAnswer): void {
    if (res.headersSent || res.destroyed) return;
    this.#requestsAnswered++;
    res.sendDate = false;
    const closes = reply.headers.some(([name, value]) => name.toLowerCase() === 'connection' && value === 'close');
    // Kea sends neither `Connection` nor `Keep-Alive`; removing the header keeps Node from adding them
    // while the connection stays persistent (HTTP/1.1's default).
    if (!closes) res.removeHeader('Connection');
    for (const [name, value] of reply.headers) res.setHeader(name, value);
    res.writeHead(reply.status, statusPhrase(reply.status));
    res.end(reply.body);
  }
}

/** The request-line and header checks of Kea's `PostHttpRequestJson`, with Kea's texts. */
function checkHead(req: http.IncomingMessage): string | undefined {
  if (req.method !== 'POST') return `use of HTTP ${req.method ?? '(none)'} not allowed`;
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return 'required header content-type not found in the HTTP request';
  // Kea compares the whole value; a `; charset=utf-8` parameter is accepted here as it changes nothing.
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return `required header's content-type value is application/json, but ${contentType} was found`;
  }
  // Kea refuses a chunked request: without Content-Length it cannot know where the body ends.
  if (req.headers['content-length'] === undefined) return 'required header content-length not found in the HTTP request';
  return undefined;
}

const expectsContinue = (req: http.IncomingMessage): boolean => (req.headers.expect ?? '').toLowerCase() === '100-continue';

/** The body, or undefined when the client went away before sending all of it. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    return undefined;
  }
  return req.complete ? Buffer.concat(chunks) : undefined;
}

/** Reads and forgets the rest of a body. */
async function drain(req: http.IncomingMessage): Promise<void> {
  try {
    for await (const _chunk of req) {
      // discarded
    }
  } catch {
    // The client went away; nothing to answer.
  }
}

function tlsOptions(tls: ControlServerTls): https.ServerOptions {
  return {
    cert: readCertFile(tls.certFile),
    key: readKeyFile(tls.keyFile),
    ca: readTrustAnchor(tls.trustAnchor),
    requestCert: tls.requireClientCerts,
    rejectUnauthorized: tls.requireClientCerts,
  };
}

const remoteOf = (socket: Duplex): string => (socket as Partial<Socket>).remoteAddress ?? '(unknown address)';

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
