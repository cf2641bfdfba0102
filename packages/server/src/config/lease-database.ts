import { PostgresqlConfigError, parsePostgresqlLeaseDatabase, type PostgresqlLeaseDatabase } from '@tandem/leases';
import { ConfigError, expectBoolean, expectInteger, expectObject, expectString, rejectUnknownKeys, type ConfigWarning } from './config-error.js';

export interface MemfileDatabaseConfig {
  readonly type: 'memfile';
  /** Absolute or relative (to the working directory) CSV path. */
  readonly path: string;
  readonly persist: boolean;
  /** 0 disables lease file cleanup. */
  readonly lfcIntervalS: number;
}

export interface PostgresqlDatabaseConfig {
  readonly type: 'postgresql';
  /** Kea's keys read by @tandem/leases (host, port, name, user, password, timeouts, on-fail). */
  readonly database: PostgresqlLeaseDatabase;
}

export type LeaseDatabaseConfig = MemfileDatabaseConfig | PostgresqlDatabaseConfig;

/** Where Kea 2.2 from Debian keeps its DHCPv4 memfile when `name` is not given. */
export const DEFAULT_LEASE_FILE = '/var/lib/kea/kea-leases4.csv';

const KNOWN = new Set(['type', 'name', 'persist', 'lfc-interval', 'max-row-errors', 'user-context', 'comment']);
const SQL_KEYS = new Set([
  'host', 'port', 'user', 'password', 'connect-timeout', 'max-reconnect-tries', 'reconnect-wait-time',
  'on-fail', 'readonly', 'trust-anchor', 'cert-file', 'key-file', 'cipher-list', 'contact-points', 'keyspace',
  'consistency', 'serial-consistency', 'max-statement-tries', 'request-timeout', 'tcp-keepalive', 'tcp-nodelay',
]);

/** Kea's PostgreSQL keys, checked without connecting (so `-t` works wherever the file is). */
const parsePostgresql = (section: Readonly<Record<string, unknown>>, path: string, warnings: ConfigWarning[]): PostgresqlDatabaseConfig => {
  try {
    const parsed = parsePostgresqlLeaseDatabase(section, path);
    warnings.push(...parsed.warnings);
    return { type: 'postgresql', database: parsed.database };
  } catch (error) {
    // The daemon reports ConfigErrors as configuration errors (exit 1 with the path), not as crashes.
    if (error instanceof PostgresqlConfigError) throw new ConfigError(error.message);
    throw error;
  }
};

export const parseLeaseDatabase = (value: unknown, path: string, warnings: ConfigWarning[]): LeaseDatabaseConfig => {
  if (value === undefined) {
    return { type: 'memfile', path: DEFAULT_LEASE_FILE, persist: true, lfcIntervalS: 3600 };
  }
  const section = expectObject(value, path);
  const type = expectString(section.type ?? 'memfile', `${path}.type`);
  if (type === 'postgresql') return parsePostgresql(section, path, warnings);
  if (type !== 'memfile') {
    throw new ConfigError(`${path}.type '${type}' is not supported: Tandem stores leases in a Kea memfile CSV ('memfile') or a PostgreSQL database ('postgresql')`);
  }
  const sql = Object.keys(section).filter((k) => SQL_KEYS.has(k));
  if (sql.length > 0) {
    throw new ConfigError(`${path}: ${sql.map((k) => `'${k}'`).join(', ')} not supported for type 'memfile'`);
  }
  rejectUnknownKeys(section, KNOWN, path);
  const persist = section.persist === undefined ? true : expectBoolean(section.persist, `${path}.persist`);
  const name = section.name === undefined ? DEFAULT_LEASE_FILE : expectString(section.name, `${path}.name`);
  if (name === '') throw new ConfigError(`${path}.name must not be empty`);
  const lfcIntervalS = section['lfc-interval'] === undefined ? 3600 : expectInteger(section['lfc-interval'], `${path}.lfc-interval`, 0, 0xffffffff);
  if (section['max-row-errors'] !== undefined) {
    warnings.push({ path: `${path}.max-row-errors`, text: 'accepted and ignored: Tandem skips every unreadable lease file row and logs it' });
  }
  return { type: 'memfile', path: name, persist, lfcIntervalS };
};
