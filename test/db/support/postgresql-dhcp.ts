import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, dhcp4Config } from '../../harness/daemons.js';
import type { ThrowawayPostgres } from '../../harness/postgres.js';
import { startProcess, type Started } from '../../harness/processes.js';

/**
 * DHCP servers on a throwaway PostgreSQL (test/harness/postgres.ts). The daemons run in network
 * namespaces, where the server's 127.0.0.1 is not reachable, so they connect through its Unix socket
 * (`host` = the socket directory, as libpq and Kea allow): a socket is a file, reachable from every
 * namespace. Local connections are trusted by the harness' pg_hba; the password is still configured.
 */

const run = promisify(execFile);
const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');

export const KEA_ADMIN = ['/usr/sbin/kea-admin', '/usr/bin/kea-admin'].find((path) => existsSync(path));

/** Kea 2.2's `lease-database` map for the throwaway server's database `name`. */
export const pgLeaseDatabase = (pg: ThrowawayPostgres, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'postgresql',
  name,
  host: pg.directory,
  port: pg.port,
  user: pg.user,
  password: pg.password,
  ...extra,
});

export interface PgDhcp4Options {
  readonly interfaces: readonly string[];
  readonly leaseDatabase: Record<string, unknown>;
  readonly controlSocket?: string;
  readonly severity?: 'DEBUG' | 'INFO' | 'WARN';
  readonly validLifetimeS?: number;
}

/** The harness' kea-dhcp4/tandemd document, with a PostgreSQL lease database and lease_cmds. */
export const pgDhcp4Config = (o: PgDhcp4Options): { Dhcp4: Record<string, unknown> } => {
  const base = dhcp4Config({
    interfaces: o.interfaces,
    leaseFile: '/nonexistent/replaced-below.csv',
    leaseCmds: true,
    ...(o.controlSocket !== undefined ? { controlSocket: o.controlSocket } : {}),
    ...(o.severity !== undefined ? { severity: o.severity } : {}),
    ...(o.validLifetimeS !== undefined ? { validLifetimeS: o.validLifetimeS } : {}),
  }) as { Dhcp4: Record<string, unknown> };
  return { Dhcp4: { ...base.Dhcp4, 'lease-database': o.leaseDatabase } };
};

/** Runs `kea-admin db-init pgsql` on `name` (which must exist and be empty) as the harness' user. */
export const keaAdminDbInit = async (pg: ThrowawayPostgres, name: string): Promise<void> => {
  if (KEA_ADMIN === undefined) throw new Error('kea-admin not found (Debian package kea-admin)');
  await run(KEA_ADMIN, ['db-init', 'pgsql', '-h', pg.host, '-P', String(pg.port), '-u', pg.user, '-p', pg.password, '-n', name]);
};

/** A row of lease4 as the server holds it, read with SQL (not through any DHCP server). */
export interface LeaseRow {
  readonly address: string;
  readonly hwAddress: string;
  readonly validLifetime: number;
  readonly expire: number;
  readonly subnetId: number;
  readonly state: number;
}

const colonHex = (hex: string): string => hex.match(/../g)?.join(':') ?? '';

export const leaseRows = async (pg: ThrowawayPostgres, database: string): Promise<LeaseRow[]> => {
  const text = await pg.psql(
    "SELECT host('0.0.0.0'::inet + address) || ',' || encode(hwaddr, 'hex') || ',' || valid_lifetime || ',' || " +
      "extract(epoch FROM expire)::bigint || ',' || subnet_id || ',' || state FROM lease4 ORDER BY address",
    database,
  );
  return text === ''
    ? []
    : text.split('\n').map((line) => {
        const [address, hw, valid, expire, subnet, state] = line.split(',') as [string, string, string, string, string, string];
        return { address, hwAddress: colonHex(hw), validLifetime: Number(valid), expire: Number(expire), subnetId: Number(subnet), state: Number(state) };
      });
};

/**
 * The public schema's tables, columns, indexes, constraints, triggers and functions, one line each,
 * sorted: equal before and after means nothing was created, altered or dropped.
 */
export const schemaFingerprint = (pg: ThrowawayPostgres, database: string): Promise<string> =>
  pg.psql(
    `SELECT string_agg(item, E'\\n' ORDER BY item) FROM (
       SELECT 'table ' || table_name || ' ' || column_name || ' ' || data_type AS item FROM information_schema.columns WHERE table_schema = 'public'
       UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
       UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
       UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
       UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
     ) AS items`,
    database,
  );

export interface RelayEvent {
  readonly event: 'ack' | 'nak' | 'no-ack' | 'no-offer' | 'done';
  readonly address?: string;
  readonly mac?: string;
  readonly lease?: number;
}

export interface RelayClients {
  readonly process: Started;
  events(): RelayEvent[];
  /** Resolves with every outcome once the run printed `done`. */
  finished(timeoutMs?: number): Promise<RelayEvent[]>;
}

/**
 * The harness relay client (a second, independent DHCP codec that prints each ACK with its address)
 * in namespace `ns`: `dora` for `clients` new clients, or `rebind` for the given leases (REQUEST with
 * ciaddr and no server id — the server must find the lease and extend it).
 */
export const startRelayClients = (
  o: {
    readonly ns: string;
    readonly servers: readonly string[];
    readonly giaddr: string;
    readonly dir: string;
    readonly tag: string;
    readonly concurrency?: number;
    readonly timeoutMs?: number;
    readonly retries?: number;
  } & ({ readonly mode: 'dora'; readonly clients: number; readonly macBase: string } | { readonly mode: 'rebind'; readonly leases: readonly { address: string; mac: string }[] }),
): RelayClients => {
  const modeArgs =
    o.mode === 'dora'
      ? ['--mode', 'dora', '--clients', String(o.clients), '--mac-base', o.macBase]
      : ['--mode', 'rebind', '--leases', writeLeases(o.dir, o.tag, o.leases)];
  const process = startProcess(
    o.ns,
    globalThis.process.execPath,
    [
      RELAY_CLIENT,
      '--server', o.servers.join(','),
      '--giaddr', o.giaddr,
      '--concurrency', String(o.concurrency ?? 16),
      '--timeout-ms', String(o.timeoutMs ?? 1000),
      '--retries', String(o.retries ?? 3),
      ...modeArgs,
    ],
    join(o.dir, `relay-${o.tag}.log`),
  );
  const events = (): RelayEvent[] =>
    process
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as RelayEvent);
  return {
    process,
    events,
    finished: async (timeoutMs = 120_000) => {
      await process.waitFor(/"event":"done"/, timeoutMs);
      return events();
    },
  };
};

const writeLeases = (dir: string, tag: string, leases: readonly { address: string; mac: string }[]): string => {
  const file = join(dir, `leases-${tag}.json`);
  writeFileSync(file, JSON.stringify(leases));
  return file;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
