import { failure, successArgs, unsupported, type ControlAnswer } from './answer.js';
import { parseEnvelope, type ControlCommand } from './envelope.js';
import type { JsonValue } from './json.js';

/**
 * One command's implementation. Transport-agnostic: the unix control socket and (next) an HTTP listener
 * hand the same decoded request to the same registry.
 */
export type CommandHandler<Ctx> = (args: JsonValue | undefined, ctx: Ctx) => Promise<ControlAnswer>;

export interface DispatchObserver {
  received?(command: ControlCommand): void;
  failed?(command: ControlCommand | undefined, reason: string): void;
}

/**
 * Kea's command manager: a name → handler table with `list-commands` built in. Unknown names get result 2,
 * malformed envelopes result 1 with Kea's texts; an exception escaping a handler becomes result 1 naming it,
 * so one bad command never takes the daemon down.
 */
export class CommandRegistry<Ctx> {
  readonly #handlers = new Map<string, CommandHandler<Ctx>>();

  constructor() {
    this.#handlers.set('list-commands', async () => successArgs(this.names()));
  }

  register(name: string, handler: CommandHandler<Ctx>): this {
    if (this.#handlers.has(name)) throw new Error(`command '${name}' is already registered`);
    this.#handlers.set(name, handler);
    return this;
  }

  registerAll(handlers: Readonly<Record<string, CommandHandler<Ctx>>>): this {
    for (const [name, handler] of Object.entries(handlers)) this.register(name, handler);
    return this;
  }

  has(name: string): boolean {
    return this.#handlers.has(name);
  }

  /** Sorted, as Kea lists them. */
  names(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  async dispatch(request: unknown, ctx: Ctx, observer: DispatchObserver = {}): Promise<ControlAnswer> {
    const parsed = parseEnvelope(request);
    if (parsed.kind === 'malformed') {
      const text = `Error during command processing: ${parsed.reason}`;
      observer.failed?.(undefined, text);
      return failure(text);
    }
    const { command } = parsed;
    observer.received?.(command);
    const handler = this.#handlers.get(command.name);
    if (handler === undefined) return unsupported(command.name);
    try {
      return await handler(command.args, ctx);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      observer.failed?.(command, reason);
      return failure(`Error during command processing: ${reason}`);
    }
  }
}
