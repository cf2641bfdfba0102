import { MemfileLeaseStore, PostgresqlLeaseStore, type Lease4Schema, type LeaseStore, type PostgresqlConnectionEvent } from '@tandem/leases';
import { match } from 'ts-pattern';
import type { ServerConfig } from '../config/server-config.js';
import type { DaemonLog } from '../log/logger.js';
import { MSG } from '../log/message-ids.js';
import { dbReconnectPolicy, type DbReconnectPolicy } from './db-reconnect-policy.js';

/** What a lease database connection reports after start, for the daemon's on-fail handling. */
export interface LeaseDatabaseConnection {
  readonly policy: DbReconnectPolicy;
  /** `"name" at host:port`, for messages. */
  readonly where: string;
  /** Hands every event to `handler`, first those that came before anyone watched. */
  watch(handler: (event: PostgresqlConnectionEvent) => void): void;
}

export interface OpenedLeaseDatabase {
  readonly store: LeaseStore;
  /** Undefined for a memfile: a file has no connection to lose. */
  readonly connection: LeaseDatabaseConnection | undefined;
}

const LEASE_DATABASE_PATH = '$.Dhcp4.lease-database';

const describeSchema = (schema: Lease4Schema): string =>
  match(schema)
    .with({ kind: 'created' }, (s) => `lease4 table created (Tandem schema ${s.tandemVersion})`)
    .with({ kind: 'tandem' }, (s) => `Tandem schema ${s.tandemVersion}`)
    .with({ kind: 'kea' }, (s) => `Kea's schema ${s.keaVersion ?? '(version not recorded)'}, used as it is`)
    .with({ kind: 'foreign' }, () => 'a lease4 table with Kea\'s columns, made by neither Kea nor Tandem, used as it is')
    .exhaustive();

/**
 * Opens the configured lease database, as kea-dhcp4 does before it opens its sockets: the memfile
 * is loaded, a PostgreSQL database is connected to and its lease4 table created or checked. A
 * database that cannot be reached fails the start (Kea 2.2 does not retry at start-up either) with
 * the configuration file, the key and where the server was looked for.
 */
export const openLeaseDatabase = async (config: ServerConfig, log: DaemonLog): Promise<OpenedLeaseDatabase> => {
  const db = config.daemon.leaseDatabase;
  if (db.type === 'memfile') {
    log.info(MSG.DHCPSRV_MEMFILE_DB, `opening memory file lease database: ${db.persist ? db.path : '(not persisted)'}`, {
      persist: db.persist,
      lfcIntervalS: db.lfcIntervalS,
    });
    const store = await MemfileLeaseStore.open({
      path: db.path,
      persist: db.persist,
      lfcIntervalS: db.lfcIntervalS,
      onWarning: (warning) =>
        log.warn(MSG.DHCPSRV_MEMFILE_LEASES_RELOAD, `lease file ${warning.file}: ${warning.kind}${'reason' in warning ? `: ${warning.reason}` : ''}${'error' in warning ? `: ${warning.error.message}` : ''}`, {
          ...('line' in warning ? { line: warning.line } : {}),
        }),
    });
    return { store, connection: undefined };
  }

  const { database } = db;
  const where = `"${database.name}" at ${database.host}:${database.port}`;
  // Never the password: the log may be read by people who may not connect.
  log.info(MSG.DHCPSRV_PGSQL_DB, `opening PostgreSQL lease database ${where}`, {
    name: database.name,
    host: database.host,
    port: database.port,
    ...(database.user === undefined ? {} : { user: database.user }),
    connectTimeoutS: database.connectTimeoutS,
    maxReconnectTries: database.maxReconnectTries,
    reconnectWaitTimeMs: database.reconnectWaitTimeMs,
    onFail: database.onFail,
  });
  // Events can come as soon as the pool exists, before the daemon that acts on them does.
  const early: PostgresqlConnectionEvent[] = [];
  let deliver: (event: PostgresqlConnectionEvent) => void = (event) => early.push(event);
  let store: PostgresqlLeaseStore;
  try {
    store = await PostgresqlLeaseStore.open({ ...database, onConnectionEvent: (event) => deliver(event) });
  } catch (error) {
    throw new Error(`${config.source}: ${LEASE_DATABASE_PATH}: ${(error as Error).message}`, { cause: error });
  }
  log.info(MSG.DHCPSRV_PGSQL_DB, `PostgreSQL lease database ${where} opened: ${describeSchema(store.schema)}`);
  return {
    store,
    connection: {
      policy: dbReconnectPolicy(database),
      where,
      watch: (handler) => {
        deliver = handler;
        for (const event of early.splice(0)) handler(event);
      },
    },
  };
};
