import { existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { answerToJson, failure, type ControlAnswer } from '../commands/answer.js';
import { toKeaJson } from '../commands/json.js';
import { JsonFrame } from './json-frame.js';

export interface UnixControlSocketOptions {
  readonly path: string;
  /** Decoded request in, answer out; never rejects (the registry turns handler failures into answers). */
  readonly dispatch: (request: unknown) => Promise<ControlAnswer>;
  /** Kea closes a connection that sent no complete command within 10 s. */
  readonly idleTimeoutMs?: number;
  /** Bound on one request; a larger one is answered with an error and the connection closed. */
  readonly maxRequestBytes?: number;
  readonly onError?: (error: Error) => void;
}

/**
 * Kea's unix control channel: a client connects, writes one JSON command, and reads back one JSON answer
 * object (not a list: only the HTTP side wraps answers in a list), after which the daemon closes the
 * connection. kea-ctrl-agent forwards HTTP commands this way.
 */
export class UnixControlSocket {
  readonly #server: net.Server;
  readonly #connections = new Set<net.Socket>();

  private constructor(private readonly options: UnixControlSocketOptions) {
    this.#server = net.createServer((socket) => this.#serve(socket));
  }

  static async open(options: UnixControlSocketOptions): Promise<UnixControlSocket> {
    await removeStaleSocket(options.path);
    const control = new UnixControlSocket(options);
    await new Promise<void>((resolve, reject) => {
      control.#server.once('error', reject);
      control.#server.listen(options.path, () => {
        control.#server.off('error', reject);
        resolve();
      });
    });
    return control;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#connections) socket.destroy();
    try {
      unlinkSync(this.options.path);
    } catch {
      // Already gone.
    }
  }

  #serve(socket: net.Socket): void {
    this.#connections.add(socket);
    socket.setEncoding('utf8');
    const frame = new JsonFrame();
    const maxBytes = this.options.maxRequestBytes ?? 16 * 1024 * 1024;
    let answered = false;
    const reply = (answer: ControlAnswer) => {
      if (answered) return;
      answered = true;
      socket.setTimeout(0);
      socket.end(toKeaJson(answerToJson(answer)));
    };
    socket.setTimeout(this.options.idleTimeoutMs ?? 10_000, () => {
      const partial = frame.size > 0 ? `, discarded partial command of ${frame.size} bytes` : '';
      reply(failure(`Connection over control channel timed out${partial}`));
    });
    socket.on('data', (chunk: string) => {
      if (answered) return;
      frame.push(chunk);
      if (frame.size > maxBytes) {
        reply(failure(`command exceeds the control channel limit of ${maxBytes} bytes`));
        return;
      }
      const text = frame.complete();
      if (text === undefined) return;
      let request: unknown;
      try {
        request = JSON.parse(text);
      } catch (error) {
        reply(failure(`invalid JSON command: ${(error as Error).message}`));
        return;
      }
      void this.options.dispatch(request).then(reply, (error: unknown) => {
        reply(failure(`internal server error: ${error instanceof Error ? error.message : String(error)}`));
      });
    });
    socket.on('error', (error) => this.options.onError?.(error));
    socket.on('close', () => this.#connections.delete(socket));
  }
}

/** A socket file left by a daemon that died is removed; one a live daemon answers on is not. */
const removeStaleSocket = async (path: string): Promise<void> => {
  if (!existsSync(path)) return;
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`control socket ${path} is in use by another running daemon`);
  unlinkSync(path);
};
