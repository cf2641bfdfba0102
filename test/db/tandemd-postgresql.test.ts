import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCommand } from '../harness/control-client.js';
import { requireBuiltTandemd, startKeaDhcp4, startTandemd, tempDir, writeConfig } from '../harness/daemons.js';
import { createTestLan, netnsUnavailable, type TestLan } from '../harness/netns.js';
import { runPerfdhcp } from '../harness/perfdhcp.js';
import { freePort } from '../harness/ports.js';
import { postgresUnavailableReason, startPostgres, type ThrowawayPostgres } from '../harness/postgres.js';
import { startProcess, type Started } from '../harness/processes.js';
import {
  KEA_ADMIN,
  keaAdminDbInit,
  leaseRows,
  pgDhcp4Config,
  pgLeaseDatabase,
  schemaFingerprint,
  sleep,
  startRelayClients,
  type RelayEvent,
} from './support/postgresql-dhcp.js';

/**
 * tandemd with `lease-database: { type: postgresql }`: real tandemd processes in a netns LAN, a real
 * PostgreSQL server, perfdhcp and the harness relay client as DHCP clients; what the daemon granted is
 * checked with SQL against the lease4 table.
 */

const noNetns = netnsUnavailable();
const noPostgres = postgresUnavailableReason();
const noKea = spawnSync('kea-dhcp4', ['-v']).error !== undefined || KEA_ADMIN === undefined ? 'kea-dhcp4 and kea-admin (Debian packages kea-dhcp4-server, kea-admin) are needed' : undefined;
const skip = noNetns ?? noPostgres ?? noKea;
if (skip !== undefined) console.warn(`skipping tandemd PostgreSQL tests: ${skip}`);

const acksOf = (events: readonly RelayEvent[]): RelayEvent[] => events.filter((e) => e.event === 'ack');
const pairs = (list: readonly { address?: string; mac?: string; hwAddress?: string }[]): string[] =>
  list.map((l) => `${l.address} ${l.mac ?? l.hwAddress}`).sort();

/** Runs a tandemd or kea-dhcp4 `-t` in namespace `ns` (Kea checks the interfaces exist) and returns its exit status and output. */
const checkConfig = (ns: string, command: string, args: readonly string[]): { status: number | null; output: string } => {
  const result = spawnSync('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The `msg` of the first log record with that message id. */
const logMessage = (output: string, msgId: string): string | undefined => {
  const line = output.split('\n').find((l) => l.includes(`"msgId":"${msgId}"`));
  return line === undefined ? undefined : (JSON.parse(line) as { msg: string }).msg;
};

describe.skipIf(skip !== undefined)('tandemd on a PostgreSQL lease database (real tandemd, PostgreSQL, perfdhcp in a netns LAN)', () => {
  let pg: ThrowawayPostgres;
  let lan: TestLan;
  let dir: string;
  const started: Started[] = [];

  beforeAll(async () => {
    requireBuiltTandemd();
    pg = await startPostgres();
    lan = createTestLan('pgd', { server: '0.1', client: '0.2' });
    dir = tempDir('pg-tandemd');
  });

  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    lan?.destroy();
    await pg?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const configFor = (database: string, file: string, extra: Record<string, unknown> = {}): { path: string; controlSocket: string } => {
    const controlSocket = join(dir, `${file}.sock`);
    const server = lan.hosts.server!;
    const path = writeConfig(dir, `${file}.json`, pgDhcp4Config({ interfaces: [server.iface], leaseDatabase: pgLeaseDatabase(pg, database, extra), controlSocket }));
    return { path, controlSocket };
  };

  const start = async (config: string, log: string): Promise<Started> => {
    const daemon = await startTandemd(lan.hosts.server!.ns, config, join(dir, log));
    started.push(daemon);
    return daemon;
  };

  const relay = (tag: string, mode: { mode: 'dora'; clients: number; macBase: string } | { mode: 'rebind'; leases: { address: string; mac: string }[] }) =>
    startRelayClients({ ns: lan.hosts.client!.ns, servers: [lan.hosts.server!.address], giaddr: lan.hosts.client!.address, dir, tag, ...mode });

  it('-t validates a postgresql lease-database without connecting, and kea-dhcp4 -t accepts the very same file', async () => {
    // Nothing listens there: a check that connected would fail.
    const closedPort = await freePort('tcp');
    const server = lan.hosts.server!;
    const document = pgDhcp4Config({
      interfaces: [server.iface],
      leaseDatabase: {
        type: 'postgresql', name: 'kea', host: '127.0.0.1', port: closedPort, user: 'kea', password: 'secret',
        'connect-timeout': 3, 'max-reconnect-tries': 10, 'reconnect-wait-time': 500, 'on-fail': 'serve-retry-continue',
      },
      controlSocket: join(dir, 'unused.sock'),
    });
    const file = writeConfig(dir, 'check.json', document);
    const tandemd = checkConfig(server.ns, process.execPath, [requireBuiltTandemd(), '-t', file]);
    expect(tandemd, tandemd.output).toMatchObject({ status: 0 });
    expect(tandemd.output).toContain('is valid');
    const kea = checkConfig(server.ns, 'kea-dhcp4', ['-t', file]);
    expect(kea, kea.output).toMatchObject({ status: 0 });

    // A value both refuse, each naming the key.
    const bad = writeConfig(dir, 'check-bad.json', { Dhcp4: { ...document.Dhcp4, 'lease-database': { ...(document.Dhcp4['lease-database'] as object), 'on-fail': 'retry-forever' } } });
    const tandemdBad = checkConfig(server.ns, process.execPath, [requireBuiltTandemd(), '-t', bad]);
    expect(tandemdBad.status).toBe(1);
    expect(tandemdBad.output).toContain("$.Dhcp4.lease-database.on-fail 'retry-forever' is not one of");
    const keaBad = checkConfig(server.ns, 'kea-dhcp4', ['-t', bad]);
    expect(keaBad.status).toBe(1);
    expect(keaBad.output).toMatch(/expecting stop-retry-exit or serve-retry-exit or serve-retry-continue/);
  });

  it('a database it cannot reach at start: tandemd exits 1 naming the configuration file and host:port', async () => {
    const closedPort = await freePort('tcp');
    const file = writeConfig(
      dir,
      'unreachable.json',
      pgDhcp4Config({ interfaces: ['lo'], leaseDatabase: { type: 'postgresql', name: 'leases', host: '127.0.0.1', port: closedPort, user: 'kea', password: 'x', 'connect-timeout': 2 } }),
    );
    // In its own namespace, with only loopback up, so nothing at all answers on that port.
    const daemon = startProcess(lan.hosts.server!.ns, process.execPath, [requireBuiltTandemd(), '-c', file], join(dir, 'unreachable.log'));
    started.push(daemon);
    const exit = await Promise.race([daemon.exited, sleep(15_000).then(() => 'still running')]);
    expect(exit, daemon.output()).toBe(1);
    expect(logMessage(daemon.output(), 'DHCP4_CONFIG_LOAD_FAIL')).toMatch(
      new RegExp(`^${escapeRegExp(`tandemd could not start: ${file}: $.Dhcp4.lease-database: cannot connect to the PostgreSQL lease database "leases" at 127.0.0.1:${closedPort} (user "kea"): `)}.*ECONNREFUSED`),
    );
    // The password never reaches the log.
    expect(daemon.output()).not.toMatch(/password|"x"/);
  });

  it('DORA for 2000 perfdhcp clients, then 300 relay clients: lease4 holds exactly the leases granted; restarted, it renews them from the database', async () => {
    await pg.createDatabase('dora');
    const { path, controlSocket } = configFor('dora', 'dora');
    const first = await start(path, 'dora-1.log');
    expect(first.output()).toContain('lease4 table created (Tandem schema');

    const client = lan.hosts.client!;
    // A rate well below what one PostgreSQL round trip per statement allows on a shared 2-core test machine.
    const report = await runPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 100, clients: 2000, exchanges: 2000, periodS: 25, dropTimeS: 3, macBase: '00:3a:00:00:00:00' });
    expect(report.exchanges['DISCOVER-OFFER']).toMatchObject({ sent: 2000, received: 2000, drops: 0, rejectedLeases: 0 });
    expect(report.exchanges['REQUEST-ACK']).toMatchObject({ sent: 2000, received: 2000, drops: 0, rejectedLeases: 0 });

    const dora = relay('dora', { mode: 'dora', clients: 300, macBase: '02:3b:00' });
    const acks = acksOf(await dora.finished());
    expect(acks).toHaveLength(300);

    const rows = await leaseRows(pg, 'dora');
    expect(rows).toHaveLength(2300);
    const perfdhcpRows = rows.filter((r) => r.hwAddress.startsWith('00:3a:'));
    expect(new Set(perfdhcpRows.map((r) => r.hwAddress)).size).toBe(2000);
    expect(new Set(rows.map((r) => r.address)).size).toBe(2300);
    const nowS = Date.now() / 1000;
    expect(rows.every((r) => r.validLifetime === 3600 && r.subnetId === 1 && r.state === 0 && Math.abs(r.expire - 3600 - nowS) < 120)).toBe(true);
    // Every ACK the relay clients got is a row with that address and MAC, and there is no other row of theirs.
    expect(pairs(rows.filter((r) => r.hwAddress.startsWith('02:3b:')))).toEqual(pairs(acks));
    // The daemon's own view agrees (lease_cmds reads the same table).
    const count = await controlCommand(controlSocket, { command: 'lease4-get-all' });
    expect((count.arguments as { leases: unknown[] }).leases).toHaveLength(2300);

    expect(await first.stop('SIGTERM')).toBe(0);
    const second = await start(path, 'dora-2.log');
    expect(second.output()).toMatch(/"leases":2300/);
    await sleep(1100); // so a renewal's new expiry is visibly later than the original's
    const before = new Map(rows.map((r) => [r.address, r]));
    const rebind = relay('rebind', { mode: 'rebind', leases: acks.map((a) => ({ address: a.address!, mac: a.mac! })) });
    const renewed = acksOf(await rebind.finished());
    expect(pairs(renewed)).toEqual(pairs(acks));
    const after = await leaseRows(pg, 'dora');
    expect(after).toHaveLength(2300);
    for (const ack of acks) {
      const row = after.find((r) => r.address === ack.address)!;
      expect(row.hwAddress).toBe(ack.mac);
      expect(row.expire).toBeGreaterThan(before.get(ack.address!)!.expire);
    }
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('a lease database slower than the offered load: exchanges under way are still answered in time, new ones are turned away', async () => {
    await pg.createDatabase('slow');
    const { path } = configFor('slow', 'slow');
    const daemon = await start(path, 'slow.log');
    // Every insert or update now takes 20 ms in the server: a few dozen leases per second at most.
    await pg.psql(
      "CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$;\n" +
        'CREATE TRIGGER slow_down BEFORE INSERT OR UPDATE ON lease4 FOR EACH ROW EXECUTE FUNCTION slow_down();',
      'slow',
    );
    const client = lan.hosts.client!;
    const report = await runPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 300, clients: 3000, exchanges: 3000, periodS: 15, dropTimeS: 2, macBase: '00:3d:00:00:00:00' });
    const discover = report.exchanges['DISCOVER-OFFER']!;
    const request = report.exchanges['REQUEST-ACK']!;
    // Far more was offered than the database can take: many DISCOVERs go unanswered ...
    expect(discover.drops).toBeGreaterThan(1000);
    // ... but the exchanges the server took on finish: their REQUESTs are answered before the client gives up,
    // rather than every answer coming too late from a queue hundreds of queries deep.
    expect(request.received).toBeGreaterThan(50);
    expect(request.drops / request.sent).toBeLessThan(0.1);
    expect((await leaseRows(pg, 'slow')).length).toBeGreaterThanOrEqual(request.received);
    expect(await daemon.stop('SIGTERM')).toBe(0);
  });

  it("uses a database made by 'kea-admin db-init pgsql' as it is, and kea-dhcp4 with the same file renews what tandemd granted", async () => {
    await pg.createDatabase('kea_made');
    await keaAdminDbInit(pg, 'kea_made');
    const schema = await schemaFingerprint(pg, 'kea_made');
    const { path } = configFor('kea_made', 'kea-made');
    const tandemd = await start(path, 'kea-made.log');
    expect(tandemd.output()).toContain("Kea's schema 13.0, used as it is");

    const acks = acksOf(await relay('kea-made', { mode: 'dora', clients: 200, macBase: '02:3c:00' }).finished());
    expect(acks).toHaveLength(200);
    expect(pairs(await leaseRows(pg, 'kea_made'))).toEqual(pairs(acks));
    expect(await tandemd.stop('SIGTERM')).toBe(0);
    // Nothing of Kea's schema was created, altered or dropped; Kea's statistics triggers counted Tandem's leases.
    expect(await schemaFingerprint(pg, 'kea_made')).toBe(schema);
    expect(await pg.psql('SELECT sum(leases) FROM lease4_stat WHERE state = 0', 'kea_made')).toBe('200');

    // Kea itself, on the same file and database, finds each client's lease and extends it.
    const kea = await startKeaDhcp4(lan.hosts.server!.ns, path, dir, join(dir, 'kea-dhcp4.log'));
    started.push(kea);
    const renewed = acksOf(await relay('kea-rebind', { mode: 'rebind', leases: acks.map((a) => ({ address: a.address!, mac: a.mac! })) }).finished());
    expect(pairs(renewed), kea.output().slice(-3000)).toEqual(pairs(acks));
    expect(await kea.stop('SIGTERM')).toBe(0);
  });
});

describe.skipIf(skip !== undefined)("tandemd when its PostgreSQL server goes away (Kea's on-fail)", () => {
  let pg: ThrowawayPostgres;
  let lan: TestLan;
  let dir: string;
  const started: Started[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    lan = createTestLan('pgf', { server: '0.1', client: '0.2' });
    dir = tempDir('pg-onfail');
  });

  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    lan?.destroy();
    await pg?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const startWith = async (database: string, extra: Record<string, unknown>): Promise<Started> => {
    await pg.createDatabase(database);
    const server = lan.hosts.server!;
    const path = writeConfig(dir, `${database}.json`, pgDhcp4Config({ interfaces: [server.iface], leaseDatabase: pgLeaseDatabase(pg, database, extra) }));
    const daemon = await startTandemd(server.ns, path, join(dir, `${database}.log`));
    started.push(daemon);
    return daemon;
  };

  const relay = (tag: string, clients: number, macBase: string, retries = 3) =>
    startRelayClients({ ns: lan.hosts.client!.ns, servers: [lan.hosts.server!.address], giaddr: lan.hosts.client!.address, dir, tag, mode: 'dora', clients, macBase, retries, timeoutMs: 500 });

  it('stop-retry-exit: the DHCP service is disabled while the database is away and enabled when it is back', async () => {
    const daemon = await startWith('stop_retry', { 'on-fail': 'stop-retry-exit', 'max-reconnect-tries': 100, 'reconnect-wait-time': 300 });
    expect(acksOf(await relay('before', 20, '02:4a:00').finished())).toHaveLength(20);

    await pg.pauseServer();
    // The pool's idle connections are ended by the server: the loss is seen without any query.
    await daemon.waitFor(/DHCP4_DB_RECONNECT_LOST_CONNECTION/, 15_000);
    await daemon.waitFor(/"msgId":"TANDEM_DHCP4_SERVICE_DISABLED"/, 5_000);
    const whileAway = await relay('away', 5, '02:4b:00', 1).finished();
    expect(acksOf(whileAway)).toHaveLength(0);
    // Dropped as a disabled service drops them, not failed against the database one by one.
    expect(daemon.output()).not.toMatch(/DHCP4_PACKET_PROCESS_EXCEPTION/);

    await pg.resumeServer();
    await daemon.waitFor(/DHCP4_DB_RECONNECT_SUCCEEDED/, 15_000);
    await daemon.waitFor(/"msgId":"TANDEM_DHCP4_SERVICE_ENABLED"/, 5_000);
    expect(acksOf(await relay('after', 20, '02:4c:00').finished())).toHaveLength(20);
    expect(await leaseRows(pg, 'stop_retry')).toHaveLength(40);
    expect(await daemon.stop('SIGTERM')).toBe(0);
  });

  it('serve-retry-exit: serves on while reconnecting, exits 1 once max-reconnect-tries are used up', async () => {
    const daemon = await startWith('serve_exit', { 'on-fail': 'serve-retry-exit', 'max-reconnect-tries': 3, 'reconnect-wait-time': 200 });
    expect(acksOf(await relay('se-before', 10, '02:4d:00').finished())).toHaveLength(10);
    await pg.pauseServer();
    try {
      await daemon.waitFor(/DHCP4_DB_RECONNECT_LOST_CONNECTION/, 15_000);
      expect(daemon.output()).not.toMatch(/"msgId":"TANDEM_DHCP4_SERVICE_DISABLED"/);
      const exit = await Promise.race([daemon.exited, sleep(15_000).then(() => 'still running')]);
      expect(exit, daemon.output()).toBe(1);
      expect(daemon.output()).toMatch(/"msgId":"DHCP4_DB_RECONNECT_FAILED".*gave up after 3 attempts.*on-fail 'serve-retry-exit', shutting down/);
    } finally {
      await pg.resumeServer();
    }
  });

  it('serve-retry-continue: gives up reconnecting but keeps running, and serves again once the database is back', async () => {
    const daemon = await startWith('serve_continue', { 'on-fail': 'serve-retry-continue', 'max-reconnect-tries': 2, 'reconnect-wait-time': 200 });
    await pg.pauseServer();
    try {
      await daemon.waitFor(/DHCP4_DB_RECONNECT_FAILED.*still serving/, 15_000);
      await sleep(500);
      expect(daemon.child.exitCode).toBeNull();
    } finally {
      await pg.resumeServer();
    }
    expect(acksOf(await relay('sc-after', 10, '02:4e:00').finished())).toHaveLength(10);
    expect(await daemon.stop('SIGTERM')).toBe(0);
  });

  it("Kea's defaults (stop-retry-exit, max-reconnect-tries 0): the first loss stops the server with status 1", async () => {
    const daemon = await startWith('defaults', {});
    await pg.pauseServer();
    try {
      const exit = await Promise.race([daemon.exited, sleep(15_000).then(() => 'still running')]);
      expect(exit, daemon.output()).toBe(1);
      expect(daemon.output()).toMatch(/"msgId":"DHCP4_DB_RECONNECT_DISABLED".*reconnecting is disabled/);
    } finally {
      await pg.resumeServer();
    }
  });
});
