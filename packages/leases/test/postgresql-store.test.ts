import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseIpv4 } from '../src/ipv4.js';
import type { Lease4 } from '../src/lease.js';
import {
  Lease4RowError,
  Lease4SchemaError,
  parsePostgresqlLeaseDatabase,
  PostgresqlLeaseStore,
  TANDEM_SCHEMA_VERSION,
  type PostgresqlConnectionEvent,
  type PostgresqlLeaseStoreOptions,
} from '../src/postgresql-store.js';
import { freePort } from '../../../test/harness/ports.js';
import { postgresUnavailableReason, startPostgres, type ThrowawayPostgres } from '../../../test/harness/postgres.js';
import { describeLeaseStoreContract, leaseAt } from './store-contract.js';

const unavailable = postgresUnavailableReason();
if (unavailable !== undefined) console.warn(`skipping PostgreSQL lease store tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('PostgresqlLeaseStore on a throwaway server', () => {
  let server: ThrowawayPostgres;
  let databases = 0;
  const opened: PostgresqlLeaseStore[] = [];

  const optionsFor = (name: string, extra: Partial<PostgresqlLeaseStoreOptions> = {}): PostgresqlLeaseStoreOptions => ({
    host: server.host,
    port: server.port,
    name,
    user: server.user,
    password: server.password,
    ...extra,
  });
  const open = async (name: string, extra: Partial<PostgresqlLeaseStoreOptions> = {}): Promise<PostgresqlLeaseStore> => {
    const store = await PostgresqlLeaseStore.open(optionsFor(name, extra));
    opened.push(store);
    return store;
  };
  /** A database of its own, for tests that look at what open() creates. */
  const freshDatabase = async (): Promise<string> => {
    const name = `store_test_${++databases}`;
    await server.createDatabase(name);
    return name;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Runs SQL as the test user (who owns the tables the store creates), on a connection of its own. */
  const sql = async (name: string, text: string): Promise<pg.QueryResult> => {
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: name });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };

  // Each contract test starts from an empty lease4 table in the shared database.
  describeLeaseStoreContract('PostgresqlLeaseStore', async () => {
    const store = await PostgresqlLeaseStore.open(optionsFor(server.database));
    await sql(server.database, 'TRUNCATE lease4');
    return store;
  });

  it('migration creates Kea 2.2 lease4 columns and records the schema version once, however often it runs', async () => {
    const name = await freshDatabase();
    // Two servers starting at once on an empty database: the advisory lock lets exactly one create it.
    const [first, second] = await Promise.all([open(name), open(name)]);
    expect([first.schema.kind, second.schema.kind].sort()).toEqual(['created', 'tandem']);
    await first.add(leaseAt('192.0.2.1'));
    await first.close();
    await second.close();
    const third = await open(name);
    expect(third.schema).toEqual({ kind: 'tandem', tandemVersion: TANDEM_SCHEMA_VERSION });
    expect(await third.get('192.0.2.1')).toEqual(leaseAt('192.0.2.1'));

    const columns = await server.psql(
      "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = 'lease4' ORDER BY ordinal_position",
      name,
    );
    expect(columns.split('\n')).toEqual([
      'address bigint', 'hwaddr bytea', 'client_id bytea', 'valid_lifetime bigint', 'expire timestamp with time zone',
      'subnet_id bigint', 'fqdn_fwd boolean', 'fqdn_rev boolean', 'hostname character varying', 'state bigint', 'user_context text',
    ]);
    expect(await server.psql('SELECT version FROM tandem_schema_version', name)).toBe(String(TANDEM_SCHEMA_VERSION));
    // Not Kea's schema_version: kea-admin must not take this database for one of its own.
    expect(await server.psql("SELECT to_regclass('schema_version') IS NULL", name)).toBe('t');
  });

  it('a lease written by Tandem is read back identically by another connection, stored as Kea stores it', async () => {
    const name = await freshDatabase();
    const writer = await open(name);
    const leases: Lease4[] = [
      leaseAt('192.0.2.10', {
        hostname: 'printer.lab.example.org', fqdnFwd: true, fqdnRev: false, subnetId: 4_294_967_295,
        userContext: { 'ha-server-name': 'server1', note: 'zürich, "quoted"', list: [1, -2.5, null, true, { deep: [] }] },
      }),
      // No client-id, infinite lifetime: Kea stores expire = cltt for it.
      leaseAt('192.0.2.11', { clientId: undefined, validLifetime: 0xffff_ffff, cltt: 1_600_000_000 }),
      // A declined lease with no client identity at all.
      leaseAt('192.0.2.12', { hwAddress: '', clientId: undefined, state: 1, validLifetime: 86_400 }),
      leaseAt('255.255.255.255', { hwAddress: '01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14', state: 2, validLifetime: 0 }),
      leaseAt('0.0.0.0', { hostname: 'h'.repeat(255) }),
    ];
    for (const lease of leases) expect(await writer.add(lease)).toBe(true);
    await writer.close();

    const reader = await open(name);
    for (const lease of leases) expect(await reader.get(lease.address)).toEqual(lease);
    expect(await reader.page('start', 10)).toEqual([...leases].sort((a, b) => parseIpv4(a.address)! - parseIpv4(b.address)!));

    const raw = await server.psql(
      "SELECT address || '|' || encode(hwaddr, 'hex') || '|' || encode(client_id, 'hex') || '|' || extract(epoch FROM expire)::bigint || '|' || state || '|' || user_context " +
        `FROM lease4 WHERE address IN (${['192.0.2.10', '192.0.2.11', '192.0.2.12'].map(parseIpv4).join(', ')}) ORDER BY address`,
      name,
    );
    expect(raw.split('\n')).toEqual([
      `${parseIpv4('192.0.2.10')}|0a0b0c0d0e01|010a0b0c0d0e01|1700003600|0|` +
        '{ "ha-server-name": "server1", "list": [ 1, -2.5, null, true, { "deep": [  ] } ], "note": "z\\u00c3\\u00bcrich, \\"quoted\\"" }',
      `${parseIpv4('192.0.2.11')}|0a0b0c0d0e01||1600000000|0|`,
      `${parseIpv4('192.0.2.12')}|||1700086400|1|`,
    ]);
  });

  it('calls made without awaiting apply in call order on the pool, per address and across addresses', async () => {
    const store = await open(await freshDatabase(), { maxConnections: 8 });
    for (let round = 0; round < 20; round++) {
      const address = `10.0.0.${round}`;
      const results = await Promise.all([
        store.add(leaseAt(address, { cltt: 1 })),
        store.update(leaseAt(address, { cltt: 2 })),
        store.get(address),
        store.delete(address),
        store.get(address),
        store.add(leaseAt(address, { cltt: 3 })),
        store.count(),
      ]);
      expect(results).toEqual([true, true, leaseAt(address, { cltt: 2 }), true, undefined, true, round + 1]);
    }
  });

  it('refuses what Kea cannot keep in lease4: a hostname over 255 characters, an expiry after 2038', async () => {
    const store = await open(await freshDatabase());
    await expect(store.add(leaseAt('192.0.2.1', { hostname: 'é'.repeat(256) }))).rejects.toThrow(/lease "192.0.2.1": hostname of 256 characters/);
    await expect(store.add(leaseAt('192.0.2.1', { cltt: 2_147_483_647, validLifetime: 1 }))).rejects.toThrow(
      /lease "192.0.2.1": expiry 2147483648 .*2038-01-19/,
    );
    await expect(store.add(leaseAt('192.0.2.1', { hostname: 'a\u0000b' }))).rejects.toThrow(TypeError);
    // An infinite lifetime is stored with expire = cltt, so it does not hit the limit.
    expect(await store.add(leaseAt('192.0.2.2', { cltt: 2_000_000_000, validLifetime: 0xffff_ffff }))).toBe(true);
    expect(await store.count()).toBe(1);
    expect(await store.expired(2_147_483_647, 0)).toEqual([]);
  });

  it('refuses to open a database whose lease4 table is not Kea\'s, naming what is wrong', async () => {
    const name = await freshDatabase();
    await sql(name, 'CREATE TABLE lease4 (address BIGINT PRIMARY KEY, hwaddr TEXT, expire TIMESTAMP)');
    const failure = PostgresqlLeaseStore.open(optionsFor(name));
    await expect(failure).rejects.toThrow(/lease4 is not Kea's DHCPv4 lease table \(column hwaddr is text, not bytea; column client_id is missing/);
    await expect(failure).rejects.toThrow(new RegExp(`at 127\\.0\\.0\\.1:${server.port}`));
    await expect(failure.catch((error: Error) => Promise.reject(error.cause))).rejects.toBeInstanceOf(Lease4SchemaError);
    // Nothing was created beside it.
    expect(await server.psql("SELECT to_regclass('tandem_schema_version') IS NULL", name)).toBe('t');
  });

  it('a server that cannot be reached, a wrong password or a missing database is an error naming database, host and port', async () => {
    const closedPort = await freePort('tcp');
    const refused = PostgresqlLeaseStore.open({ ...optionsFor('tandem'), port: closedPort, connectTimeoutS: 2 });
    await expect(refused).rejects.toThrow(
      new RegExp(`cannot connect to the PostgreSQL lease database "tandem" at 127\\.0\\.0\\.1:${closedPort} \\(user "tandem"\\): .*ECONNREFUSED`),
    );
    await expect(PostgresqlLeaseStore.open({ ...optionsFor(server.database), password: 'wrong' })).rejects.toThrow(
      new RegExp(`"tandem" at 127\\.0\\.0\\.1:${server.port} \\(user "tandem"\\): password authentication failed`),
    );
    await expect(PostgresqlLeaseStore.open(optionsFor('no_such_database'))).rejects.toThrow(
      /"no_such_database" at 127\.0\.0\.1:\d+ .*database "no_such_database" does not exist/,
    );
  });

  it('a stored row Kea could not read either is refused naming the database and the address, and other rows still read', async () => {
    const name = await freshDatabase();
    const store = await open(name);
    await store.add(leaseAt('192.0.2.1'));
    await sql(name, `INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context)
      VALUES (${parseIpv4('192.0.2.2')}, '\\x0102', '', NULL, now(), 1, false, false, '', 0, '')`);
    await sql(name, `INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context)
      VALUES (${parseIpv4('192.0.2.3')}, '\\x0102', '', 60, now(), 1, false, false, '', 0, '[1]')`);
    await expect(store.get('192.0.2.2')).rejects.toThrow(
      new RegExp(`^PostgreSQL lease database "${name}" at 127\\.0\\.0\\.1:\\d+ \\(user "tandem"\\): lease4 row for 192\\.0\\.2\\.2: column valid_lifetime is NULL$`),
    );
    await expect(store.get('192.0.2.3')).rejects.toThrow(/lease4 row for 192\.0\.2\.3: user_context is not a JSON map/);
    await expect(store.page('start', 10)).rejects.toThrow(Lease4RowError);
    expect(await store.get('192.0.2.1')).toEqual(leaseAt('192.0.2.1'));
  });

  it("a Kea lease-database map, parsed, opens the store it describes", async () => {
    const { database } = parsePostgresqlLeaseDatabase(
      { type: 'postgresql', name: server.database, host: server.host, port: server.port, user: server.user, password: server.password, 'connect-timeout': 3 },
      'Dhcp4.lease-database',
    );
    const store = await PostgresqlLeaseStore.open(database);
    opened.push(store);
    expect(store.location).toBe(`"${server.database}" at 127.0.0.1:${server.port} (user "${server.user}")`);
    expect(await store.count()).toBeGreaterThanOrEqual(0);
  });

  it('a lost server fails calls with its address, is reported, and the store recovers when it returns', async () => {
    const name = await freshDatabase();
    const events: PostgresqlConnectionEvent[] = [];
    const store = await open(name, { maxReconnectTries: 100, reconnectWaitTimeMs: 100, onConnectionEvent: (event) => events.push(event) });
    await store.add(leaseAt('192.0.2.1'));
    await server.pauseServer();
    try {
      await expect(store.get('192.0.2.1')).rejects.toThrow(new RegExp(`PostgreSQL lease database "${name}" at 127\\.0\\.0\\.1:${server.port}`));
      await expect.poll(() => events.map((event) => event.kind)).toEqual(['lost']);
    } finally {
      await server.resumeServer();
    }
    await expect.poll(() => events.map((event) => event.kind), { timeout: 15_000 }).toEqual(['lost', 'recovered']);
    expect(await store.get('192.0.2.1')).toEqual(leaseAt('192.0.2.1'));
    expect(await store.add(leaseAt('192.0.2.2'))).toBe(true);
  });

  it('with max-reconnect-tries 0 (Kea\'s default) a lost connection is reported as failed at once', async () => {
    const events: PostgresqlConnectionEvent[] = [];
    const store = await open(await freshDatabase(), { onConnectionEvent: (event) => events.push(event) });
    await store.count();
    await server.pauseServer();
    try {
      await expect(store.count()).rejects.toThrow(/connection lost|ECONNREFUSED|terminat/);
      await expect.poll(() => events.map((event) => event.kind).slice(0, 2)).toEqual(['lost', 'failed']);
      expect(events[1]).toMatchObject({ kind: 'failed', attempts: 0 });
      // A call failing after that is a new loss, again followed by exactly one outcome.
      expect(events.map((event) => event.kind).join(' ')).toMatch(/^(lost failed ?)+$/);
    } finally {
      await server.resumeServer();
    }
    // A later call opens a fresh connection: the store does not stay broken.
    expect(await store.count()).toBe(0);
  });
});
