/**
 * A byte-level HTTP/1.1 server for client tests: records every request exactly as it arrived and
 * answers with whatever bytes (or misbehaviour) the test scripts, e.g. a captured Kea answer.
 */

import net from 'node:net';
import { type HttpMessage, readHttpMessage } from './support.js';

export interface RecordedRequest {
  /** 1-based number of the TCP connection it arrived on. */
  readonly connection: number;
  readonly raw: string;
  readonly message: HttpMessage;
}

/** What the server does with one request: send bytes, close abruptly, or say nothing. */
export type RawAction = { readonly send: string; readonly thenClose?: boolean } | { readonly destroy: true } | { readonly silence: true };

export type RawResponder = (request: RecordedRequest, index: number) => RawAction;

export class RawHttpServer {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(respond: RawResponder) {
    this.#server = net.createServer((socket) => {
      const connection = ++this.connections;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.setEncoding('latin1');
      let buffer = '';
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        for (;;) {
          const found = readHttpMessage(buffer);
          if (found === undefined) return;
          buffer = buffer.slice(found.end);
          const request = { connection, raw: found.raw, message: found.message };
          this.requests.push(request);
          const action = respond(request, this.requests.length - 1);
          if ('destroy' in action) {
            socket.destroy();
            return;
          }
          if ('send' in action) {
            socket.write(Buffer.from(action.send, 'latin1'));
            if (action.thenClose === true) socket.end();
          }
        }
      });
    });
  }

  static async start(respond: RawResponder): Promise<RawHttpServer> {
    const server = new RawHttpServer(respond);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Closes every open connection, as a peer's idle timer would, without stopping the listener. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** An HTTP/1.1 200 answer framed as Kea frames it. */
export const keaAnswerBytes = (body: string, date = 'Sun, 22 Nov 2026 00:11:38 GMT'): string =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\nContent-Type: application/json\r\nDate: ${date}\r\n\r\n${body}`;
