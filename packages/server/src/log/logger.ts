import pino, { type Logger } from 'pino';
import type { LoggingConfig } from '../config/loggers.js';
import type { MessageId } from './message-ids.js';

/** tandemd's log: pino JSON lines, each with a Kea-style `msgId`. */
export interface DaemonLog {
  fatal(msgId: MessageId, text: string, fields?: Record<string, unknown>): void;
  error(msgId: MessageId, text: string, fields?: Record<string, unknown>): void;
  warn(msgId: MessageId, text: string, fields?: Record<string, unknown>): void;
  info(msgId: MessageId, text: string, fields?: Record<string, unknown>): void;
  debug(msgId: MessageId, text: string, fields?: Record<string, unknown>): void;
  isDebug(): boolean;
  /** Writes out what is buffered; called before exit. */
  flush(): void;
}

const wrap = (logger: Logger, flush: () => void): DaemonLog => {
  const at =
    (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug') =>
    (msgId: MessageId, text: string, fields?: Record<string, unknown>) =>
      logger[level]({ msgId, ...fields }, text);
  return {
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    isDebug: () => logger.isLevelEnabled('debug'),
    flush,
  };
};

export const createDaemonLog = (config: LoggingConfig): DaemonLog => {
  const dest =
    config.output.kind === 'stdout' ? 1 : config.output.kind === 'stderr' ? 2 : config.output.path;
  const destination = pino.destination({ dest, sync: false, mkdir: config.output.kind === 'file' });
  const logger = pino({ level: config.severity, base: { pid: process.pid, name: 'tandemd' } }, destination);
  return wrap(logger, () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing was buffered yet (the stream is not ready): nothing to lose.
    }
  });
};

/** For `-t` and early start-up errors: synchronous stderr, so nothing is lost before exit. */
export const createStartupLog = (): DaemonLog => {
  const logger = pino({ level: 'info', base: { pid: process.pid, name: 'tandemd' } }, pino.destination({ dest: 2, sync: true }));
  return wrap(logger, () => undefined);
};
