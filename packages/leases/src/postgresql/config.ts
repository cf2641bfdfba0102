/**
 * Kea 2.2's `lease-database` map for `"type": "postgresql"`, read into the options of
 * `PostgresqlLeaseStore.open()`. Keys, ranges and defaults are Kea's (DbAccessParser and
 * PgSqlConnection at Kea-2.2.0); what Kea accepts but does not use with PostgreSQL is accepted and
 * reported as a warning, and anything else is refused naming the path.
 */

/** Kea's `on-fail`: what the server does while (and after) it cannot reach its lease database. */
export type PostgresqlOnFail = 'stop-retry-exit' | 'serve-retry-exit' | 'serve-retry-continue';

export const POSTGRESQL_ON_FAIL: readonly PostgresqlOnFail[] = ['stop-retry-exit', 'serve-retry-exit', 'serve-retry-continue'];

/** Kea's PGSQL_DEFAULT_CONNECTION_TIMEOUT. */
export const DEFAULT_CONNECT_TIMEOUT_S = 5;
/** libpq's default, which Kea uses when `port` is absent or 0. */
export const DEFAULT_POSTGRESQL_PORT = 5432;

/** The connection settings of a PostgreSQL lease database (the options of `PostgresqlLeaseStore.open()`). */
export interface PostgresqlLeaseDatabase {
  readonly host: string;
  readonly port: number;
  /** The database name (Kea's `name`). */
  readonly name: string;
  /** Absent: the driver's default (PGUSER, else the OS user name), as libpq does for Kea. */
  readonly user?: string;
  readonly password?: string;
  readonly connectTimeoutS?: number;
  /** How many connections the store keeps open at most; Tandem's own setting (Kea opens one per thread). */
  readonly maxConnections?: number;
  /** Attempts to reconnect after the connection is lost; 0 gives up at once (Kea's default). */
  readonly maxReconnectTries?: number;
  /** Wait before each reconnect attempt. */
  readonly reconnectWaitTimeMs?: number;
  /** Not acted on by the store: the daemon decides whether to keep serving or exit. */
  readonly onFail?: PostgresqlOnFail;
}

/** A Kea setting accepted without the effect it would have in Kea; logged once at start. */
export interface PostgresqlConfigWarning {
  readonly path: string;
  readonly text: string;
}

/** A lease-database map Tandem refuses; the message names the key and its path. */
export class PostgresqlConfigError extends Error {
  override readonly name = 'ConfigError';
}

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffff_ffff;
const INT32_MAX = 0x7fff_ffff;

/** The keys of Kea 2.2's grammar for a database map (`database_map_param` in dhcp4_parser.yy). */
const KEA_DATABASE_KEYS = new Set([
  'type', 'user', 'password', 'host', 'port', 'name', 'persist', 'lfc-interval', 'readonly',
  'connect-timeout', 'max-reconnect-tries', 'reconnect-wait-time', 'on-fail', 'max-row-errors',
  'trust-anchor', 'cert-file', 'key-file', 'cipher-list',
]);

/** Kea keeps these for memfile (or host databases) and ignores them for a PostgreSQL lease database. */
const IGNORED_FOR_POSTGRESQL: Readonly<Record<string, 'boolean' | 'integer'>> = {
  persist: 'boolean',
  'lfc-interval': 'integer',
  readonly: 'boolean',
  'max-row-errors': 'integer',
};

/** Kea 2.2 parses these but its PostgreSQL backend does not use them (no TLS to PostgreSQL before Kea 2.5). */
const TLS_KEYS = ['trust-anchor', 'cert-file', 'key-file', 'cipher-list'];

type JsonMap = { readonly [key: string]: unknown };

const isMap = (value: unknown): value is JsonMap => typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (message: string): never => {
  throw new PostgresqlConfigError(message);
};

const stringAt = (map: JsonMap, key: string, path: string): string | undefined => {
  const value = map[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(`${path}.${key} must be a string`);
  return value as string;
};

const integerAt = (map: JsonMap, key: string, path: string, min: number, max: number): number | undefined => {
  const value = map[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(`${path}.${key} must be an integer`);
  const number = value as number;
  if (number < min || number > max) fail(`${path}.${key} value ${number} is out of range ${min}..${max}`);
  return number;
};

/**
 * Validates Kea's lease-database map for a PostgreSQL database (`json` is the map, `path` where it
 * sits, e.g. `Dhcp4.lease-database`) and returns the store's options with the warnings to log.
 * Throws PostgresqlConfigError naming the offending key.
 */
export const parsePostgresqlLeaseDatabase = (
  json: unknown,
  path: string,
): { readonly database: PostgresqlLeaseDatabase; readonly warnings: readonly PostgresqlConfigWarning[] } => {
  if (!isMap(json)) return fail(`${path} must be a map`);
  const unknown = Object.keys(json).filter((key) => !KEA_DATABASE_KEYS.has(key));
  if (unknown.length > 0) {
    fail(`${path}: unsupported parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}`);
  }
  const type = stringAt(json, 'type', path);
  if (type === undefined) fail(`${path}.type is required ('postgresql' for this database)`);
  if (type !== 'postgresql') fail(`${path}.type '${type}' is not 'postgresql'`);

  const name = stringAt(json, 'name', path);
  if (name === undefined || name === '') fail(`${path}.name (the database name) must be given for type 'postgresql'`);
  const host = stringAt(json, 'host', path);
  if (host === '') fail(`${path}.host must not be empty (leave it out for localhost)`);
  const port = integerAt(json, 'port', path, 0, UINT16_MAX);
  const user = stringAt(json, 'user', path);
  const password = stringAt(json, 'password', path);
  // Kea's parser takes 0..2^32-1, then its PostgreSQL connection refuses 0 and anything above INT_MAX.
  const connectTimeoutS = integerAt(json, 'connect-timeout', path, 1, INT32_MAX);
  const maxReconnectTries = integerAt(json, 'max-reconnect-tries', path, 0, Number.MAX_SAFE_INTEGER);
  const reconnectWaitTimeMs = integerAt(json, 'reconnect-wait-time', path, 0, UINT32_MAX);
  const onFailText = stringAt(json, 'on-fail', path);
  if (onFailText !== undefined && !(POSTGRESQL_ON_FAIL as readonly string[]).includes(onFailText)) {
    fail(`${path}.on-fail '${onFailText}' is not one of ${POSTGRESQL_ON_FAIL.map((mode) => `'${mode}'`).join(', ')}`);
  }

  const warnings: PostgresqlConfigWarning[] = [];
  for (const [key, kind] of Object.entries(IGNORED_FOR_POSTGRESQL)) {
    const value = json[key];
    if (value === undefined) continue;
    if (kind === 'boolean' && typeof value !== 'boolean') fail(`${path}.${key} must be a boolean`);
    if (kind === 'integer') integerAt(json, key, path, 0, UINT32_MAX);
    warnings.push({ path: `${path}.${key}`, text: "accepted and ignored: it has no effect on a 'postgresql' lease database (in Kea neither)" });
  }
  for (const key of TLS_KEYS) {
    if (json[key] === undefined) continue;
    stringAt(json, key, path);
    warnings.push({
      path: `${path}.${key}`,
      text: 'accepted and ignored: Kea 2.2 does not use TLS to PostgreSQL, and neither does Tandem; the connection is not encrypted',
    });
  }

  const database: PostgresqlLeaseDatabase = {
    host: host ?? 'localhost',
    port: port === undefined || port === 0 ? DEFAULT_POSTGRESQL_PORT : port,
    name: name as string,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    connectTimeoutS: connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S,
    maxReconnectTries: maxReconnectTries ?? 0,
    reconnectWaitTimeMs: reconnectWaitTimeMs ?? 0,
    onFail: (onFailText as PostgresqlOnFail | undefined) ?? 'stop-retry-exit',
  };
  return { database, warnings };
};
