/**
 * The HA client's side of the control channel: sends one command to a peer and hands back the
 * peer's answer as parsed JSON, or says why there is none. Framing is Kea 2.2's (see
 * /work/shared/kea-wire/INDEX.md): `POST / HTTP/1.1`, `Host` without port, then `Authorization`
 * (when configured), `Content-Length` and `Content-Type` in that order, no `Connection`, `Accept` or
 * `User-Agent`, and a Kea-formatted body. Connections are persistent and shared by concurrent
 * requests up to `maxSockets`.
 *
 * Reconnect policy. A peer closes idle connections (Kea: after 30 s), and a request can be written
 * onto a connection at the very moment the peer closes it. Such a request is sent once more on a
 * fresh connection, only when all of these hold: the connection was a reused keep-alive one, it
 * failed with a reset or broken pipe, not one byte of an answer had arrived, and time is left
 * before the deadline. A peer that closes an idle connection has not read the request, so nothing
 * runs twice in that case. The rare remaining case — a peer that read and executed the command,
 * then crashed before answering — is harmless for every command HA sends: heartbeats, page reads
 * and status are read-only, lease4-update/del, dhcp-disable and ha-sync-complete-notify converge
 * to the same state when repeated. A fresh connection that fails is never retried.
 */

import http from 'node:http';
import https from 'node:https';
import { type ControlRequest, parseKeaJson, serializeKea } from '@tandem/core';
import { type BasicAuthCredential, basicAuthHeader } from './basic-auth.js';
import { readCertFile, readKeyFile, readTrustAnchor } from './tls-files.js';

export interface PeerClientTls {
  readonly trustAnchor: string;
  /** Client certificate and key, both or neither (kea-shell may authenticate the server only). */
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface PeerClientOptions {
  /** The peer's URL, `http(s)://<address>:<port>/`; its path is not used (Kea always posts to `/`). */
  readonly url: string;
  readonly basicAuth?: BasicAuthCredential;
  readonly tls?: PeerClientTls;
  /** Parallel requests (and so connections) to this peer; further ones wait their turn. Default 4. */
  readonly maxSockets?: number;
  /** Answers bigger than this are refused (a full lease page of 10 000 leases is about 3 MB). */
  readonly maxAnswerBytes?: number;
}

/** Why no answer arrived; `message` is what Kea would print for it (e.g. `Connection refused`). */
export type TransportFailure = 'timeout' | 'refused' | 'reset' | 'unreachable' | 'tls' | 'bad-answer' | 'other';

export type PeerReply =
  | { readonly kind: 'answer'; readonly status: number; /** Parsed JSON; undefined for an empty body. */ readonly body: unknown }
  | { readonly kind: 'transport-error'; readonly failure: TransportFailure; readonly message: string };

export interface SendOptions {
  /** The whole exchange — waiting for a free connection, connecting, sending, answer — must fit in this. */
  readonly timeoutMs: number;
}

export const DEFAULT_MAX_SOCKETS = 4;
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;

type Attempt = { readonly reply: PeerReply; readonly retry: boolean };

export class PeerClient {
  readonly #agent: http.Agent;
  readonly #transport: typeof http | typeof https;
  readonly #hostname: string;
  readonly #port: number;
  readonly #authorization: string | undefined;
  readonly #maxAnswerBytes: number;
  #closed = false;

  /** Throws when the URL is not http(s) or a TLS file cannot be read: both are configuration errors. */
  constructor(opts: PeerClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new Error(`bad peer url '${opts.url}': not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`bad peer url '${opts.url}': the scheme must be http or https`);
    }
    const secure = url.protocol === 'https:';
    // URL keeps the brackets of an IPv6 literal; neither the Host header nor connect() wants them.
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    // Kea sends no Authorization header when the peer's basic-auth-user is empty (spec §5.2).
    this.#authorization = opts.basicAuth === undefined || opts.basicAuth.user === '' ? undefined : basicAuthHeader(opts.basicAuth);
    this.#maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS;
    const agentOptions: http.AgentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    this.#transport = secure ? https : http;
    // No TLS session resumption: Kea 2.2's listener with require-client-certs refuses resumed
    // handshakes ("session id context uninitialized"), which would fail the first lease updates.
    this.#agent = secure
      ? new https.Agent({ ...agentOptions, ...clientTlsOptions(opts.tls), maxCachedSessions: 0 })
      : new http.Agent(agentOptions);
  }

  async send(request: ControlRequest, opts: SendOptions): Promise<PeerReply> {
    if (this.#closed) return { kind: 'transport-error', failure: 'other', message: 'the peer client is closed' };
    const body = serializeKea(request);
    const deadline = Date.now() + opts.timeoutMs;
    const first = await this.#attempt(body, deadline);
    if (!first.retry) return first.reply;
    return (await this.#attempt(body, deadline)).reply;
  }

  /** Closes every connection; requests still under way end with a transport error. */
  close(): void {
    this.#closed = true;
    this.#agent.destroy();
  }

  #attempt(body: string, deadline: number): Promise<Attempt> {
    return new Promise((resolve) => {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        resolve({ reply: timeoutReply(), retry: false });
        return;
      }
      let settled = false;
      let answerStarted = false;
      let timedOut = false;
      const settle = (attempt: Attempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };

      const headers: [string, string][] = [['Host', this.#hostname]];
      if (this.#authorization !== undefined) headers.push(['Authorization', this.#authorization]);
      headers.push(['Content-Length', String(Buffer.byteLength(body, 'utf8'))], ['Content-Type', 'application/json']);

      const req = this.#transport.request({
        agent: this.#agent,
        host: this.#hostname,
        port: this.#port,
        method: 'POST',
        path: '/',
        setHost: false,
      });
      for (const [name, value] of headers) req.setHeader(name, value);
      // Kea sends no `Connection` header; removing it keeps Node from adding `keep-alive` while the
      // connection stays persistent (HTTP/1.1's default).
      req.removeHeader('Connection');

      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
        settle({ reply: timeoutReply(), retry: false });
      }, remainingMs);

      req.on('response', (res: http.IncomingMessage) => {
        answerStarted = true;
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > this.#maxAnswerBytes) {
            req.destroy();
            settle({
              reply: { kind: 'transport-error', failure: 'bad-answer', message: `the answer exceeds ${this.#maxAnswerBytes} bytes` },
              retry: false,
            });
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error: Error) => settle({ reply: failureReply(error), retry: false }));
        res.on('end', () => {
          if (!res.complete) {
            settle({ reply: { kind: 'transport-error', failure: 'reset', message: 'the connection closed before the whole answer arrived' }, retry: false });
            return;
          }
          settle({ reply: parseAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')), retry: false });
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (timedOut) return;
        const staleConnection =
          req.reusedSocket && !answerStarted && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && Date.now() < deadline;
        settle({ reply: failureReply(error), retry: staleConnection });
      });
      req.end(body);
    });
  }
}

function clientTlsOptions(tls: PeerClientTls | undefined): https.AgentOptions {
  if (tls === undefined) return {};
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new Error('TLS cert-file and key-file must be given together');
  }
  return {
    ca: readTrustAnchor(tls.trustAnchor),
    ...(tls.certFile === undefined ? {} : { cert: readCertFile(tls.certFile) }),
    ...(tls.keyFile === undefined ? {} : { key: readKeyFile(tls.keyFile) }),
    rejectUnauthorized: true,
    // Kea verifies the chain against the trust anchor only, never the name in the certificate:
    // peers are addressed by IP and their certificates rarely carry it.
    checkServerIdentity: () => undefined,
  };
}

function parseAnswer(status: number, text: string): PeerReply {
  if (text.trim() === '') return { kind: 'answer', status, body: undefined };
  const parsed = parseKeaJson(text);
  if (!parsed.ok) {
    return { kind: 'transport-error', failure: 'bad-answer', message: `unable to parse the body of the HTTP response: ${parsed.reason}` };
  }
  return { kind: 'answer', status, body: parsed.value };
}

const timeoutReply = (): PeerReply => ({ kind: 'transport-error', failure: 'timeout', message: 'Connection timed out' });

/** The system error texts Kea prints (via Boost.Asio) for the same conditions. */
const SOCKET_ERRORS: Readonly<Record<string, { failure: TransportFailure; message: string }>> = {
  ECONNREFUSED: { failure: 'refused', message: 'Connection refused' },
  ECONNRESET: { failure: 'reset', message: 'Connection reset by peer' },
  EPIPE: { failure: 'reset', message: 'Broken pipe' },
  ECONNABORTED: { failure: 'reset', message: 'Software caused connection abort' },
  ETIMEDOUT: { failure: 'timeout', message: 'Connection timed out' },
  EHOSTUNREACH: { failure: 'unreachable', message: 'No route to host' },
  ENETUNREACH: { failure: 'unreachable', message: 'Network is unreachable' },
  EHOSTDOWN: { failure: 'unreachable', message: 'Host is down' },
  EADDRNOTAVAIL: { failure: 'unreachable', message: 'Cannot assign requested address' },
  ENOTFOUND: { failure: 'unreachable', message: 'Host not found' },
};

function failureReply(error: NodeJS.ErrnoException): PeerReply {
  const known = error.code === undefined ? undefined : SOCKET_ERRORS[error.code];
  if (known !== undefined) return { kind: 'transport-error', ...known };
  if (isTlsError(error)) {
    // OpenSSL's `reason` is the readable part of its multi-field message.
    const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : error.message.trim();
    return { kind: 'transport-error', failure: 'tls', message: `TLS handshake failed: ${reason}` };
  }
  return { kind: 'transport-error', failure: 'other', message: error.message };
}

/** OpenSSL errors carry `library`/`reason`; certificate verification errors have upper-case codes like `CERT_HAS_EXPIRED`. */
const isTlsError = (error: NodeJS.ErrnoException): boolean =>
  'library' in error ||
  (error.code !== undefined && (/^ERR_SSL_/.test(error.code) || /^ERR_TLS_/.test(error.code) || /CERT|SIGNATURE|ISSUER/.test(error.code)));
