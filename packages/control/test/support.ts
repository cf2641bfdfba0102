/**
 * Test support: the captured Kea 2.2 exchanges of /work/shared/kea-wire, and a raw TCP connection
 * that sends exact bytes and reads exact bytes, so framing is checked below any HTTP library.
 */

import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { parseKeaJson } from '@tandem/core';

export const KEA_WIRE = '/work/shared/kea-wire';

export interface HttpMessage {
  /** Start line and header lines, without the blank line. */
  readonly head: string;
  readonly startLine: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export interface CapturedExchange {
  readonly name: string;
  readonly request: HttpMessage;
  readonly response: HttpMessage;
  /** The raw bytes of each message as they crossed the wire. */
  readonly requestBytes: string;
  readonly responseBytes: string;
}

/**
 * Reads one HTTP message starting at `offset` of `text`: head up to the blank line, then exactly
 * Content-Length bytes of body. Returns the message and the offset just after it.
 */
export function readHttpMessage(text: string, offset = 0): { message: HttpMessage; raw: string; end: number } | undefined {
  const headEnd = text.indexOf('\r\n\r\n', offset);
  if (headEnd < 0) return undefined;
  const head = text.slice(offset, headEnd);
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()] as const;
  });
  const length = Number(headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? '0');
  const bodyStart = headEnd + 4;
  const bodyBytes = Buffer.from(text.slice(bodyStart), 'latin1');
  if (bodyBytes.length < length) return undefined;
  const body = bodyBytes.subarray(0, length).toString('latin1');
  const end = bodyStart + body.length;
  return { message: { head, startLine, headers, body }, raw: text.slice(offset, end), end };
}

/** A `*.http.txt` capture: one comment line, the request, a blank line, the response. */
export function capturedExchange(path: string): CapturedExchange {
  const text = readFileSync(join(KEA_WIRE, path), 'latin1');
  const request = readHttpMessage(text, text.indexOf('\n') + 1);
  if (request === undefined) throw new Error(`${path}: no complete request`);
  const response = readHttpMessage(text, text.indexOf('HTTP/1.1 ', request.end));
  if (response === undefined) throw new Error(`${path}: no complete response`);
  return { name: path, request: request.message, response: response.message, requestBytes: request.raw, responseBytes: response.raw };
}

/** Every top-level capture, i.e. the canonical samples named in INDEX.md. */
export const topLevelCaptures = (): string[] => readdirSync(KEA_WIRE).filter((name) => name.endsWith('.http.txt')).sort();

/** Kea-formatted bodies start `{ "`; the harness' curl requests are compact. */
export const isKeaFormatted = (body: string): boolean => body.startsWith('{ ') || body.startsWith('[ ');

export function parseBody(body: string): unknown {
  const parsed = parseKeaJson(body, { doubles: 'keep' });
  if (!parsed.ok) throw new Error(`not JSON: ${parsed.reason}`);
  return parsed.value;
}

export const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** One client TCP connection for byte-level tests. */
export class RawConnection {
  #buffer = '';
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: string): void {
    this.socket.write(Buffer.from(bytes, 'latin1'));
  }

  /** The next complete HTTP message from the server. */
  async readMessage(timeoutMs = 5000): Promise<HttpMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = readHttpMessage(this.#buffer);
      if (found !== undefined) {
        this.#buffer = this.#buffer.slice(found.end);
        return found.message;
      }
      if (this.#closed) throw new Error(`connection closed; unread bytes: ${JSON.stringify(this.#buffer)}`);
      await this.#waitForChange(deadline - Date.now());
      if (Date.now() >= deadline) throw new Error(`no complete HTTP message within ${timeoutMs} ms; got ${JSON.stringify(this.#buffer)}`);
    }
  }

  /** Resolves true when the server closes the connection within the time. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) await this.#waitForChange(deadline - Date.now());
    return this.#closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Closes with a TCP RST instead of a FIN. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  #waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** A POST as a generic client would send it. */
export function postBytes(body: string, extraHeaders: readonly string[] = [], method = 'POST'): string {
  return [
    `${method} / HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    ...extraHeaders,
    '',
    body,
  ].join('\r\n');
}

/** A loopback port that nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Retries an assertion until it passes or `timeoutMs` ends (for state the other side updates asynchronously). */
export async function eventually(check: () => void, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
