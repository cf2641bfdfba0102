import { ConfigError, expectInteger, expectObject, expectString, rejectUnknownKeys, type ConfigWarning } from './config-error.js';

export type LogSeverity = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
export type LogOutput = { readonly kind: 'stdout' } | { readonly kind: 'stderr' } | { readonly kind: 'file'; readonly path: string };

/** Where and how much tandemd logs: pino JSON lines, one destination. */
export interface LoggingConfig {
  readonly severity: LogSeverity;
  readonly output: LogOutput;
}

export const DEFAULT_LOGGING: LoggingConfig = { severity: 'info', output: { kind: 'stdout' } };

const SEVERITIES: Readonly<Record<string, LogSeverity>> = {
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  NONE: 'silent',
};

const LOGGER_KEYS = new Set(['name', 'output_options', 'output-options', 'severity', 'debuglevel', 'user-context', 'comment']);
const OUTPUT_KEYS = new Set(['output', 'flush', 'maxsize', 'maxver', 'pattern']);

/**
 * Kea's `loggers`: Tandem honours the `kea-dhcp4` logger (the root of every DHCPv4 logger) — its severity
 * and its first output. Child loggers (`kea-dhcp4.leases`, ...) cannot be tuned separately in Tandem.
 */
export const parseLoggers = (value: unknown, path: string, warnings: ConfigWarning[]): LoggingConfig => {
  if (value === undefined) return DEFAULT_LOGGING;
  if (!Array.isArray(value)) throw new ConfigError(`${path} must be a list`);
  let chosen: LoggingConfig | undefined;
  value.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const logger = expectObject(entry, at);
    rejectUnknownKeys(logger, LOGGER_KEYS, at);
    const name = expectString(logger.name, `${at}.name`);
    const severityText = expectString(logger.severity ?? 'INFO', `${at}.severity`);
    const severity = SEVERITIES[severityText.toUpperCase()];
    if (severity === undefined) throw new ConfigError(`${at}.severity '${severityText}' is not one of FATAL, ERROR, WARN, INFO, DEBUG, NONE`);
    if (logger.debuglevel !== undefined) expectInteger(logger.debuglevel, `${at}.debuglevel`, 0, 99);
    const outputsValue = logger.output_options ?? logger['output-options'] ?? [];
    if (!Array.isArray(outputsValue)) throw new ConfigError(`${at}.output_options must be a list`);
    const outputs = outputsValue.map((o, j): LogOutput => {
      const oAt = `${at}.output_options[${j}]`;
      const options = expectObject(o, oAt);
      rejectUnknownKeys(options, OUTPUT_KEYS, oAt);
      for (const key of ['maxsize', 'maxver', 'pattern']) {
        if (options[key] !== undefined) warnings.push({ path: `${oAt}.${key}`, text: 'accepted and ignored: Tandem writes one JSON object per line and does not rotate files' });
      }
      const output = expectString(options.output, `${oAt}.output`);
      if (output === 'stdout') return { kind: 'stdout' };
      if (output === 'stderr') return { kind: 'stderr' };
      if (output === 'syslog' || output.startsWith('syslog:')) {
        warnings.push({ path: `${oAt}.output`, text: `'${output}' accepted: Tandem writes JSON lines to stdout instead of syslog` });
        return { kind: 'stdout' };
      }
      return { kind: 'file', path: output };
    });
    if (outputs.length > 1) warnings.push({ path: `${at}.output_options`, text: 'Tandem writes to the first output only' });
    if (name === 'kea-dhcp4') {
      chosen = { severity, output: outputs[0] ?? { kind: 'stdout' } };
    } else if (name.startsWith('kea-dhcp4.')) {
      warnings.push({ path: `${at}.name`, text: `logger '${name}' accepted and ignored: Tandem configures all DHCPv4 logging through 'kea-dhcp4'` });
    } else {
      throw new ConfigError(`${at}.name '${name}' is not a logger of kea-dhcp4`);
    }
  });
  return chosen ?? DEFAULT_LOGGING;
};
