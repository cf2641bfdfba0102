import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease4 } from '../src/lease.js';
import { PostgresqlLeaseStore, type PostgresqlLeaseStoreOptions } from '../src/postgresql-store.js';
import { controlCommand } from '../../../test/harness/control-client.js';
import { startKeaDhcp4, tempDir, writeConfig } from '../../../test/harness/daemons.js';
import { postgresUnavailableReason, startPostgres, type ThrowawayPostgres } from '../../../test/harness/postgres.js';
import type { Started } from '../../../test/harness/processes.js';
import { leaseAt } from './store-contract.js';

/**
 * Tandem on a database made by Kea's own tools, shared with Kea's own server: kea-admin creates the
 * schema, Tandem uses it unchanged, and kea-dhcp4 (its PostgreSQL lease manager, through the
 * lease_cmds hook) reads what Tandem wrote and writes what Tandem reads.
 */

const run = promisify(execFile);
const unavailable = postgresUnavailableReason();
if (unavailable !== undefined) console.warn(`skipping PostgreSQL tests with Kea's schema: ${unavailable}`);

const KEA_ADMIN = ['/usr/sbin/kea-admin', '/usr/bin/kea-admin'].find((path) => existsSync(path)) ?? 'kea-admin';
const LEASE_CMDS = '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so';

/** Everything in the public schema that a migration could change, one line per object. */
const SCHEMA_FINGERPRINT = `
  SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
    SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
           coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE n.nspname = 'public' AND c.relkind = 'r'
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
     WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'schema_version ' || version || '.' || minor FROM schema_version
  ) objects`;

/** A lease as Kea's lease4-get shows it (Lease4::toElement). */
const keaView = (lease: Lease4): Record<string, unknown> => ({
  'ip-address': lease.address,
  'hw-address': lease.hwAddress,
  ...(lease.clientId === undefined ? {} : { 'client-id': lease.clientId }),
  'valid-lft': lease.validLifetime,
  cltt: lease.cltt,
  'subnet-id': lease.subnetId,
  'fqdn-fwd': lease.fqdnFwd,
  'fqdn-rev': lease.fqdnRev,
  hostname: lease.hostname,
  state: lease.state,
  ...(lease.userContext === undefined ? {} : { 'user-context': lease.userContext }),
});

describe.skipIf(unavailable !== undefined)("PostgresqlLeaseStore on a database made by 'kea-admin db-init pgsql'", () => {
  const database = 'kea_leases';
  let server: ThrowawayPostgres;
  let options: PostgresqlLeaseStoreOptions;
  let keaSchema: string;
  let dir: string;
  let kea: Started | undefined;

  beforeAll(async () => {
    server = await startPostgres();
    await server.createDatabase(database);
    await run(KEA_ADMIN, ['db-init', 'pgsql', '-h', server.host, '-P', String(server.port), '-u', server.user, '-p', server.password, '-n', database]);
    keaSchema = await server.psql(SCHEMA_FINGERPRINT, database);
    options = { host: server.host, port: server.port, name: database, user: server.user, password: server.password };
    dir = tempDir('pg-kea');
  });
  afterAll(async () => {
    await kea?.stop();
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const startKea = async (): Promise<string> => {
    const socket = join(dir, 'kea4.sock');
    const config = writeConfig(dir, 'kea-dhcp4.json', {
      Dhcp4: {
        'interfaces-config': { interfaces: [] },
        'lease-database': { type: 'postgresql', name: database, host: server.host, port: server.port, user: server.user, password: server.password },
        'valid-lifetime': 3600,
        subnet4: [{ id: 1, subnet: '192.0.2.0/24' }],
        'control-socket': { 'socket-type': 'unix', 'socket-name': socket },
        'hooks-libraries': [{ library: LEASE_CMDS }],
        loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: 'stdout' }] }],
      },
    });
    kea = await startKeaDhcp4(undefined, config, dir, join(dir, 'kea-dhcp4.log'));
    return socket;
  };

  it("uses Kea's schema as it is: recognises schema 13.0 and creates, alters or records nothing", async () => {
    expect(keaSchema).toContain('schema_version 13.0');
    expect(keaSchema).toContain('column lease4.hwaddr bytea');
    const store = await PostgresqlLeaseStore.open(options);
    try {
      expect(store.schema).toEqual({ kind: 'kea', keaVersion: '13.0' });
      expect(await store.add(leaseAt('192.0.2.1'))).toBe(true);
      expect(await store.update(leaseAt('192.0.2.1', { state: 1 }))).toBe(true);
      expect(await store.delete('192.0.2.1')).toBe(true);
    } finally {
      await store.close();
    }
    // Opening again finds the same.
    const again = await PostgresqlLeaseStore.open(options);
    expect(again.schema).toEqual({ kind: 'kea', keaVersion: '13.0' });
    await again.close();
    expect(await server.psql(SCHEMA_FINGERPRINT, database)).toBe(keaSchema);
    // Kea's own statistics triggers ran on Tandem's writes: the declined lease was counted and uncounted.
    expect(await server.psql('SELECT coalesce(sum(leases), 0) FROM lease4_stat', database)).toBe('0');
  });

  it('kea-dhcp4 reads the leases Tandem wrote, and Tandem reads what kea-dhcp4 writes', async () => {
    const store = await PostgresqlLeaseStore.open(options);
    try {
      const written: Lease4[] = [
        leaseAt('192.0.2.10', { hostname: 'printer.example.org', fqdnFwd: true, fqdnRev: true, userContext: { owner: 'lab, room 2', tags: ['a', 1] } }),
        leaseAt('192.0.2.11', { clientId: undefined, hwAddress: '02:00:00:00:00:11', cltt: 1_700_000_100, validLifetime: 7200 }),
        leaseAt('192.0.2.12', { hwAddress: '', clientId: undefined, state: 1, validLifetime: 86_400 }),
        leaseAt('192.0.2.13', { validLifetime: 0xffff_ffff, state: 2 }),
      ];
      for (const lease of written) expect(await store.add(lease)).toBe(true);
      const socket = await startKea();

      for (const lease of written) {
        const answer = await controlCommand(socket, { command: 'lease4-get', arguments: { 'ip-address': lease.address } });
        expect(answer, lease.address).toMatchObject({ result: 0 });
        expect(answer.arguments).toEqual(keaView(lease));
      }

      // Kea adds and updates; Tandem reads Kea's rows.
      const added = await controlCommand(socket, {
        command: 'lease4-add',
        arguments: {
          'ip-address': '192.0.2.50', 'hw-address': '0a:00:00:00:00:50', 'client-id': 'ff:00:00:00:01', 'subnet-id': 1,
          'valid-lft': 1800, expire: 1_800_001_800, hostname: 'kea.example.org', 'fqdn-fwd': true, 'user-context': { from: 'kea' },
        },
      });
      expect(added).toMatchObject({ result: 0 });
      expect(await store.get('192.0.2.50')).toEqual({
        address: '192.0.2.50', hwAddress: '0a:00:00:00:00:50', clientId: 'ff:00:00:00:01', validLifetime: 1800, cltt: 1_800_000_000,
        subnetId: 1, fqdnFwd: true, fqdnRev: false, hostname: 'kea.example.org', state: 0, userContext: { from: 'kea' },
      });
      const updated = await controlCommand(socket, {
        command: 'lease4-update',
        arguments: { 'ip-address': '192.0.2.11', 'hw-address': '02:00:00:00:00:11', 'subnet-id': 1, 'valid-lft': 600, expire: 1_700_000_700, hostname: 'renamed' },
      });
      expect(updated).toMatchObject({ result: 0 });
      expect(await store.get('192.0.2.11')).toEqual({ ...written[1], validLifetime: 600, cltt: 1_700_000_100, hostname: 'renamed' });

      // Tandem deletes and updates; Kea sees it at once.
      expect(await store.delete('192.0.2.12')).toBe(true);
      expect(await controlCommand(socket, { command: 'lease4-get', arguments: { 'ip-address': '192.0.2.12' } })).toMatchObject({ result: 3 });
      const renewed = { ...written[0]!, cltt: 1_700_001_000, state: 0 as const };
      expect(await store.update(renewed)).toBe(true);
      expect((await controlCommand(socket, { command: 'lease4-get', arguments: { 'ip-address': '192.0.2.10' } })).arguments).toEqual(keaView(renewed));

      // Both page the same table in the same order.
      const page = await controlCommand(socket, { command: 'lease4-get-page', arguments: { from: 'start', limit: 100 } });
      const keaAddresses = ((page.arguments as { leases: Array<{ 'ip-address': string }> }).leases).map((lease) => lease['ip-address']);
      expect(keaAddresses).toEqual((await store.page('start', 100)).map((lease) => lease.address));
      expect(keaAddresses).toEqual(['192.0.2.10', '192.0.2.11', '192.0.2.13', '192.0.2.50']);
    } finally {
      await store.close();
    }
  });
});
