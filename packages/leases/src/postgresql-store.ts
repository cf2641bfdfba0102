import pg from 'pg';
import type { Lease4 } from './lease.js';
import {
  DEFAULT_CONNECT_TIMEOUT_S,
  type PostgresqlLeaseDatabase,
} from './postgresql/config.js';
import { IssueOrder } from './postgresql/issue-order.js';
import {
  clientIdLookupKey,
  describeRowProblem,
  hwAddressLookupKey,
  INFINITE_LIFETIME,
  LEASE4_SELECT_LIST,
  Lease4RowError,
  leaseParameters,
  rowLease,
  type Lease4Row,
} from './postgresql/lease-row.js';
import { migrateLeaseSchema, type Lease4Schema } from './postgresql/schema.js';
import { requireAddress, requireExpiredQuery, requirePageLimit } from './store-arguments.js';
import type { LeaseStore } from './store.js';

export {
  parsePostgresqlLeaseDatabase,
  PostgresqlConfigError,
  type PostgresqlConfigWarning,
  type PostgresqlLeaseDatabase,
  type PostgresqlOnFail,
} from './postgresql/config.js';
export { Lease4RowError } from './postgresql/lease-row.js';
export { Lease4SchemaError, TANDEM_SCHEMA_VERSION, type Lease4Schema } from './postgresql/schema.js';

/**
 * What the store saw of its connection to the server. Every `lost` is followed by exactly one
 * `recovered` or `failed`; the daemon applies Kea's `on-fail` to them.
 */
export type PostgresqlConnectionEvent =
  | { readonly kind: 'lost'; readonly error: Error; readonly maxReconnectTries: number }
  | { readonly kind: 'recovered'; readonly attempts: number }
  | { readonly kind: 'failed'; readonly error: Error; readonly attempts: number };

export interface PostgresqlLeaseStoreOptions extends PostgresqlLeaseDatabase {
  /** Told when the connection is lost and when reconnecting succeeded or gave up. */
  readonly onConnectionEvent?: (event: PostgresqlConnectionEvent) => void;
}

/** A statement that failed; says where the database is, and keeps the server's SQLSTATE when it sent one. */
export class PostgresqlLeaseStoreError extends Error {
  override readonly name = 'PostgresqlLeaseStoreError';
  constructor(
    message: string,
    readonly code: string | undefined,
    cause: Error,
  ) {
    super(message, { cause });
  }
}

/** Kea's lease state for leases reclaimed already; the expiry scan skips them. */
const STATE_EXPIRED_RECLAIMED = 2;
const DEFAULT_MAX_CONNECTIONS = 4;

// Named statements: the pool prepares each once per connection and then only binds parameters.
// Column lists and representations follow Kea 2.2's PgSqlLeaseMgr so Kea reads what Tandem writes.
const STATEMENTS = {
  get: `SELECT ${LEASE4_SELECT_LIST} FROM lease4 WHERE address = $1`,
  byHwAddress: `SELECT ${LEASE4_SELECT_LIST} FROM lease4 WHERE hwaddr = $1 ORDER BY address`,
  byClientId: `SELECT ${LEASE4_SELECT_LIST} FROM lease4 WHERE client_id = $1 ORDER BY address`,
  // One statement: the unique address decides atomically which of two concurrent adds wins.
  insert:
    'INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context) ' +
    'VALUES ($1, $2, $3, $4, to_timestamp($5::double precision), $6, $7, $8, $9, $10, $11) ON CONFLICT (address) DO NOTHING',
  update:
    'UPDATE lease4 SET hwaddr = $2, client_id = $3, valid_lifetime = $4, expire = to_timestamp($5::double precision), ' +
    'subnet_id = $6, fqdn_fwd = $7, fqdn_rev = $8, hostname = $9, state = $10, user_context = $11 WHERE address = $1',
  delete: 'DELETE FROM lease4 WHERE address = $1',
  page: `SELECT ${LEASE4_SELECT_LIST} FROM lease4 WHERE address > $1 ORDER BY address LIMIT $2`,
  count: 'SELECT count(*) AS count FROM lease4',
  // As Kea's getExpiredLeases4: leases of infinite lifetime never expire (their stored expire is their cltt).
  expired:
    `SELECT ${LEASE4_SELECT_LIST} FROM lease4 WHERE state <> ${STATE_EXPIRED_RECLAIMED} AND valid_lifetime <> ${INFINITE_LIFETIME} ` +
    'AND expire < to_timestamp($1::double precision) ORDER BY lease4.expire, address LIMIT $2',
} as const;

type StatementName = keyof typeof STATEMENTS;

/** Error codes of a connection that broke, as opposed to a statement the server refused. */
const isConnectionError = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01..57P03 (server shutting down or starting).
    if (/^08|^57P0[123]$/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, ...
    return false;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(error.message);
};

/**
 * Kea's PostgreSQL lease backend: leases in the `lease4` table of a PostgreSQL database, which Kea
 * 2.2 can share (see `postgresql/schema.ts` for the table and `postgresql/lease-row.ts` for the
 * representation).
 *
 * Every change is one statement, committed when it returns (add: INSERT ... ON CONFLICT DO NOTHING;
 * update: UPDATE; delete: DELETE), so a resolved promise means the change is durable as far as the
 * server's commit is, and `flush()` has nothing left to do but wait for changes already issued. The
 * only explicit transaction is the schema migration at start-up. Calls run on a pool of connections
 * but keep their issue order per address (see `postgresql/issue-order.ts`).
 */
export class PostgresqlLeaseStore implements LeaseStore {
  private readonly order = new IssueOrder();
  private closed = false;
  private reconnecting = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresqlLeaseStoreOptions,
    /** Whose lease4 table this is: created now, made by Tandem earlier, or Kea's (left as it is). */
    readonly schema: Lease4Schema,
  ) {
    // An idle connection that breaks (server restart, network loss) must not crash the process.
    pool.on('error', (error) => this.connectionFailed(error));
  }

  /** Where the database is, for every error message. */
  get location(): string {
    return describeLocation(this.options);
  }

  /**
   * Connects, creates or checks the lease4 table, and resolves with a store ready for use. Rejects
   * (naming database, host and port) when the server cannot be reached or refuses the login: Kea 2.2
   * does not retry at start-up either.
   */
  static async open(options: PostgresqlLeaseStoreOptions): Promise<PostgresqlLeaseStore> {
    const pool = new pg.Pool({
      host: options.host,
      port: options.port,
      database: options.name,
      ...(options.user === undefined ? {} : { user: options.user }),
      ...(options.password === undefined ? {} : { password: options.password }),
      connectionTimeoutMillis: (options.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S) * 1000,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      application_name: 'tandem',
    });
    // Until the store owns the pool, an idle client's error has no one else to go to.
    const earlyError = (): void => undefined;
    pool.on('error', earlyError);
    let schema: Lease4Schema;
    try {
      const client = await pool.connect().catch((error: unknown) => {
        throw new Error(`cannot connect to the PostgreSQL lease database ${describeLocation(options)}: ${(error as Error).message}`, {
          cause: error,
        });
      });
      try {
        schema = await migrateLeaseSchema(client);
      } catch (error) {
        throw new Error(`PostgreSQL lease database ${describeLocation(options)}: ${(error as Error).message}`, { cause: error });
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    pool.off('error', earlyError);
    return new PostgresqlLeaseStore(pool, options, schema);
  }

  async get(address: string): Promise<Lease4 | undefined> {
    this.requireOpen();
    const value = requireAddress(address, 'lease lookup');
    return this.order.onAddress(value, async () => (await this.select('get', [value]))[0]);
  }

  async getByHwAddress(hwAddress: string): Promise<readonly Lease4[]> {
    this.requireOpen();
    const key = hwAddressLookupKey(hwAddress);
    if (key === undefined) return this.order.afterEarlierChanges(async () => []);
    return this.order.afterEarlierChanges(() => this.select('byHwAddress', [key]));
  }

  async getByClientId(clientId: string): Promise<readonly Lease4[]> {
    this.requireOpen();
    const key = clientIdLookupKey(clientId);
    if (key === undefined) return this.order.afterEarlierChanges(async () => []);
    return this.order.afterEarlierChanges(() => this.select('byClientId', [key]));
  }

  async add(lease: Lease4): Promise<boolean> {
    this.requireOpen();
    const parameters = this.requireStorable(lease);
    return this.order.onAddress(parameters[0], async () => (await this.change('insert', parameters, lease)) === 1);
  }

  async update(lease: Lease4): Promise<boolean> {
    this.requireOpen();
    const parameters = this.requireStorable(lease);
    return this.order.onAddress(parameters[0], async () => (await this.change('update', parameters, lease)) === 1);
  }

  async delete(address: string): Promise<boolean> {
    this.requireOpen();
    const value = requireAddress(address, 'lease delete');
    return this.order.onAddress(value, async () => (await this.execute('delete', [value])).rowCount === 1);
  }

  async page(from: string | 'start', limit: number): Promise<readonly Lease4[]> {
    this.requireOpen();
    requirePageLimit(limit);
    // -1 is below every address, so 'start' is the same statement.
    const after = from === 'start' ? -1 : requireAddress(from, 'lease page "from"');
    return this.order.afterEarlierChanges(() => this.select('page', [after, limit]));
  }

  async count(): Promise<number> {
    this.requireOpen();
    return this.order.afterEarlierChanges(async () => Number((await this.execute<{ count: string }>('count', [])).rows[0]!.count));
  }

  async expired(nowS: number, limit: number): Promise<readonly Lease4[]> {
    this.requireOpen();
    requireExpiredQuery(nowS, limit);
    // LIMIT NULL is LIMIT ALL: Kea's max-reclaim-leases 0.
    return this.order.afterEarlierChanges(() => this.select('expired', [nowS, limit === 0 ? null : limit]));
  }

  /** Every change is committed when its call resolves; this waits for the calls already made. */
  async flush(): Promise<void> {
    this.requireOpen();
    await this.order.afterEverything(async () => undefined);
  }

  /** Waits for the calls already made, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.order.afterEverything(async () => undefined);
    await this.pool.end();
  }

  private requireOpen(): void {
    if (this.closed) throw new Error(`PostgreSQL lease store ${this.location}: used after close()`);
  }

  private requireStorable(lease: Lease4): ReturnType<typeof leaseParameters> {
    const problem = describeRowProblem(lease);
    if (problem !== undefined) throw new TypeError(problem);
    return leaseParameters(lease);
  }

  private async select(statement: StatementName, values: unknown[]): Promise<Lease4[]> {
    const { rows } = await this.execute<Lease4Row>(statement, values);
    try {
      return rows.map(rowLease);
    } catch (error) {
      // A row Kea could not read either (NULLs, a bad user context): say which database holds it.
      throw new Lease4RowError(`PostgreSQL lease database ${this.location}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Runs an insert or update; a value the server refuses is reported against the lease. */
  private async change(statement: 'insert' | 'update', values: unknown[], lease: Lease4): Promise<number> {
    try {
      return (await this.execute(statement, values)).rowCount ?? 0;
    } catch (error) {
      // SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the lease, not the server.
      if (error instanceof PostgresqlLeaseStoreError && /^2[23]/.test(error.code ?? '')) {
        const reason = (error.cause as Error).message;
        throw new TypeError(`lease ${JSON.stringify(lease.address)}: the lease4 table refused it: ${reason}`, { cause: error.cause });
      }
      throw error;
    }
  }

  /** Runs a named statement; any failure is reported with where the database is. */
  private async execute<R extends pg.QueryResultRow = pg.QueryResultRow>(
    statement: StatementName,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>({ name: `tandem_lease4_${statement}`, text: STATEMENTS[statement], values });
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      const rawCode: unknown = (cause as Error & { code?: unknown }).code;
      const code = typeof rawCode === 'string' ? rawCode : undefined;
      if (isConnectionError(cause)) {
        this.connectionFailed(cause);
        throw new PostgresqlLeaseStoreError(`PostgreSQL lease database ${this.location}: ${statement} failed, connection lost: ${cause.message}`, code, cause);
      }
      throw new PostgresqlLeaseStoreError(`PostgreSQL lease database ${this.location}: ${statement} failed: ${cause.message}`, code, cause);
    }
  }

  /**
   * Kea's reconnect control: after a loss, try again every reconnect-wait-time ms, at most
   * max-reconnect-tries times, and report the outcome. Calls made meanwhile are not held: each
   * tries the pool (which opens fresh connections) and fails on its own if the server is still away.
   */
  private connectionFailed(error: Error): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    const maxTries = this.options.maxReconnectTries ?? 0;
    const waitMs = this.options.reconnectWaitTimeMs ?? 0;
    const report = this.options.onConnectionEvent ?? (() => undefined);
    report({ kind: 'lost', error, maxReconnectTries: maxTries });
    let attempts = 0;
    let lastError = error;
    const attempt = (): void => {
      if (this.closed) return;
      if (attempts >= maxTries) {
        this.reconnecting = false;
        report({ kind: 'failed', error: lastError, attempts });
        return;
      }
      this.reconnectTimer = setTimeout(() => {
        attempts++;
        this.pool.query('SELECT 1').then(
          () => {
            if (this.closed) return;
            this.reconnecting = false;
            report({ kind: 'recovered', attempts });
          },
          (failure: unknown) => {
            lastError = failure as Error;
            attempt();
          },
        );
      }, waitMs);
    };
    attempt();
  }
}

const describeLocation = (options: PostgresqlLeaseDatabase): string =>
  `"${options.name}" at ${options.host}:${options.port}${options.user === undefined ? '' : ` (user "${options.user}")`}`;
