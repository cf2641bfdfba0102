/**
 * HTTP responses framed the way Kea's HTTP layer frames them (libkea-http `HttpResponse::toString`):
 * status line, then the headers in the byte order of their lower-case names — which puts
 * `Content-Length`, `Content-Type`, `Date` in that order — then the body. Refusals at the HTTP
 * level carry Kea's "stock" body, a JSON map whose `result` is the HTTP status code (spec §8.1:
 * the HA client treats any map body as an error, which is the point).
 */

import { formatRfc1123, serializeKea } from '@tandem/core';

/** The statuses this listener answers with. 413 is Tandem's own: Kea's parser has no body limit. */
export type HttpStatus = 200 | 400 | 401 | 403 | 408 | 413 | 500;

const STATUS_PHRASES: Readonly<Record<HttpStatus, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
};

export const statusPhrase = (status: HttpStatus): string => STATUS_PHRASES[status];

export type HeaderLine = readonly [name: string, value: string];

export interface HttpAnswer {
  readonly status: HttpStatus;
  readonly headers: readonly HeaderLine[];
  readonly body: string;
}

/** Kea writes its header map in key order; keys are the lower-cased names. */
const byLowerCaseName = (a: HeaderLine, b: HeaderLine): number => {
  const left = a[0].toLowerCase();
  const right = b[0].toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
};

/** A JSON response with Kea's header set; `extra` adds e.g. `WWW-Authenticate` or `Connection: close`. */
export function jsonAnswer(status: HttpStatus, body: string, nowMs: number, extra: readonly HeaderLine[] = []): HttpAnswer {
  const headers: HeaderLine[] = [
    ['Content-Length', String(Buffer.byteLength(body, 'utf8'))],
    ['Content-Type', 'application/json'],
    ['Date', formatRfc1123(nowMs)],
    ...extra,
  ];
  return { status, headers: headers.sort(byLowerCaseName), body };
}

/**
 * Kea's stock answer for an HTTP-level refusal: `{ "result": <status>, "text": "<phrase>" }`.
 * `detail` is appended to the phrase so an operator reading the body learns what was wrong; Kea
 * only logs it, and no client parses the text of a map body.
 */
export function stockAnswer(
  status: Exclude<HttpStatus, 200>,
  nowMs: number,
  options: { readonly detail?: string; readonly extra?: readonly HeaderLine[] } = {},
): HttpAnswer {
  const text = options.detail === undefined ? statusPhrase(status) : `${statusPhrase(status)}: ${options.detail}`;
  return jsonAnswer(status, serializeKea({ result: status, text }), nowMs, options.extra);
}

/** The whole message as bytes, for paths where Node's response object is not available (parser errors). */
export function formatHttpAnswer(answer: HttpAnswer): string {
  const head = [`HTTP/1.1 ${answer.status} ${statusPhrase(answer.status)}`, ...answer.headers.map(([n, v]) => `${n}: ${v}`)];
  return `${head.join('\r\n')}\r\n\r\n${answer.body}`;
}
