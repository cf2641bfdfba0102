import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { leaseScope4, parseHaConfigOrThrow, queryFilterFor } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnavailable } from '../harness/netns.js';
import { postgresUnavailableReason, startPostgres, type ThrowawayPostgres } from '../harness/postgres.js';
import { leaseRows, startRelayClients, type RelayEvent } from './support/postgresql-dhcp.js';
import { SHARED_POOLS, SharedDatabasePair, replicationHaParameters, type PeerName } from './support/shared-database-pair.js';

/**
 * Kea's HA "database replication" deployment (ARM, Lease Information Sharing): a load-balancing pair
 * whose two servers use one PostgreSQL database, with `send-lease-updates: false` and `sync-leases:
 * false` — the database, not HA, shares the leases. Real tandemd processes in a netns LAN, the
 * harness relay client forwarding each query to both servers, leases checked with SQL.
 */

const noNetns = netnsUnavailable();
const noPostgres = postgresUnavailableReason();
const skip = noNetns ?? noPostgres;
if (skip !== undefined) console.warn(`skipping HA on a shared PostgreSQL database: ${skip}`);

const DATABASE = 'shared_leases';
/** Commands a peer would receive if lease updates or a synchronisation were going on (the test itself uses lease4-get-all). */
const LEASE_TRAFFIC = ['lease4-update', 'lease4-del', 'lease4-add', 'lease4-get-page', 'ha-sync-complete-notify', 'dhcp-disable'];

const macBytes = (mac: string): Uint8Array => Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
const addressNumber = (address: string): number => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const poolOf = (address: string): PeerName | undefined => {
  const value = addressNumber(address);
  const pool = SHARED_POOLS.find((p) => {
    const [first, last] = p.pool.split(' - ').map(addressNumber) as [number, number];
    return value >= first && value <= last;
  });
  return pool === undefined ? undefined : (pool['client-class'].slice('HA_'.length) as PeerName);
};

/** The scope a client belongs to by the core's load-balancing hash (§7.2); the relay client sends client-id 01+MAC. */
const filter = queryFilterFor(parseHaConfigOrThrow(replicationHaParameters('server1')), ['server1', 'server2']);
const ownerOf = (mac: string): PeerName => {
  const hw = macBytes(mac);
  return leaseScope4(filter, { hwAddress: hw, clientId: Uint8Array.from([1, ...hw]) }).scope as PeerName;
};

const acksOf = (events: readonly RelayEvent[]): RelayEvent[] => events.filter((e) => e.event === 'ack');
const pairs = (list: readonly { address?: string; mac?: string; hwAddress?: string }[]): string[] =>
  list.map((l) => `${l.address} ${l.mac ?? l.hwAddress}`).sort();

describe.skipIf(skip !== undefined)('HA load-balancing pair on one shared PostgreSQL database (send-lease-updates and sync-leases false)', () => {
  let pg: ThrowawayPostgres;
  let pair: SharedDatabasePair;
  let firstAcks: RelayEvent[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    await pg.createDatabase(DATABASE);
    pair = SharedDatabasePair.create('repl', pg, DATABASE);
  });

  afterAll(async () => {
    await pair?.destroy();
    await pg?.stop();
    if (pair !== undefined) rmSync(pair.dir, { recursive: true, force: true });
  });

  const relay = (tag: string, mode: { mode: 'dora'; clients: number; macBase: string } | { mode: 'rebind'; leases: { address: string; mac: string }[] }) =>
    startRelayClients({ ns: pair.client.ns, servers: pair.addresses, giaddr: pair.client.address, dir: pair.dir, tag, concurrency: 8, timeoutMs: 700, retries: 5, ...mode });

  it('both peer files are valid for kea-dhcp4 -t too (the deployment as Kea documents it)', () => {
    for (const name of ['server1', 'server2'] as const) {
      const peer = pair.peer(name);
      const check = spawnSync('ip', ['netns', 'exec', peer.host.ns, 'kea-dhcp4', '-t', peer.configFile], { encoding: 'utf8' });
      if (check.error !== undefined) return; // kea-dhcp4 not installed: tandemd's own runs below still test the deployment
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    }
  });

  it('SM-06 SM-16 SM-17 a concurrent start reaches load-balancing on both without a synchronisation: no syncing state, no lease page fetched', async () => {
    await pair.start();
    await pair.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' });
    for (const name of ['server1', 'server2'] as const) {
      const records = pair.records(name);
      const transitions = records.filter((r) => r.msgId === 'HA_STATE_TRANSITION').map((r) => String(r.msg));
      expect(transitions.length, name).toBeGreaterThan(0);
      expect(transitions.filter((t) => /syncing/i.test(t)), name).toEqual([]);
      expect(records.filter((r) => typeof r.msgId === 'string' && /^HA_SYNC_START|^HA_LEASES_SYNC/.test(r.msgId)), name).toEqual([]);
      const received = pair.commandsReceived(name);
      expect(LEASE_TRAFFIC.filter((c) => received.has(c)), name).toEqual([]);
    }
  });

  it('LB-02 LB-05 LU-12 each server answers its half from its pool, every lease lands in the one database, and no lease update goes between the peers', async () => {
    firstAcks = acksOf(await relay('lb', { mode: 'dora', clients: 400, macBase: '02:5a:00' }).finished());
    expect(firstAcks).toHaveLength(400);

    // The one database holds exactly what the clients were given.
    const rows = await leaseRows(pg, DATABASE);
    expect(pairs(rows)).toEqual(pairs(firstAcks));
    // Each client was served by the owner of its hash bucket, from that owner's pool; both halves got work.
    const served = { server1: 0, server2: 0 };
    for (const ack of firstAcks) {
      const owner = ownerOf(ack.mac!);
      expect({ mac: ack.mac, pool: poolOf(ack.address!) }).toEqual({ mac: ack.mac, pool: owner });
      served[owner] += 1;
    }
    expect(served.server1).toBeGreaterThan(100);
    expect(served.server2).toBeGreaterThan(100);

    // Both peers talk (heartbeats), but no lease update, deletion or page request ever went between them.
    for (const name of ['server1', 'server2'] as const) {
      const received = pair.commandsReceived(name);
      expect(received.get('ha-heartbeat') ?? 0, name).toBeGreaterThan(0);
      expect(LEASE_TRAFFIC.filter((c) => received.has(c)), name).toEqual([]);
    }
    // Each server's lease commands read the same table: both see all 400.
    for (const name of ['server1', 'server2'] as const) {
      const all = await pair.command(name, 'lease4-get-all');
      expect((all.arguments as { leases: unknown[] }).leases, name).toHaveLength(400);
    }
  });

  it('SM-13 server2 killed: server1 goes partner-down and serves the clients of both halves, renewing server2\'s leases from the shared database', async () => {
    await pair.stop('server2', 'SIGKILL');
    await pair.waitForStates({ server1: 'partner-down' }, 20_000);

    // Clients of both halves renew: server1 finds each lease in the database (none was ever sent to it) and extends it.
    const renewed = acksOf(await relay('pd-rebind', { mode: 'rebind', leases: firstAcks.map((a) => ({ address: a.address!, mac: a.mac! })) }).finished());
    expect(pairs(renewed)).toEqual(pairs(firstAcks));
    expect(renewed.filter((a) => ownerOf(a.mac!) === 'server2').length).toBeGreaterThan(100);

    // New clients of both halves get addresses, each from its scope's pool, now all from server1.
    const fresh = acksOf(await relay('pd-new', { mode: 'dora', clients: 200, macBase: '02:5b:00' }).finished());
    expect(fresh).toHaveLength(200);
    for (const ack of fresh) expect({ mac: ack.mac, pool: poolOf(ack.address!) }).toEqual({ mac: ack.mac, pool: ownerOf(ack.mac!) });
    expect(new Set(fresh.map((a) => ownerOf(a.mac!)))).toEqual(new Set(['server1', 'server2']));

    const rows = await leaseRows(pg, DATABASE);
    expect(pairs(rows)).toEqual(pairs([...firstAcks, ...fresh]));
    expect(LEASE_TRAFFIC.filter((c) => pair.commandsReceived('server1').has(c))).toEqual([]);
  });

  it('SM-06 server2 restarts: back to load-balancing on both without synchronising, and it serves its half again', async () => {
    await pair.start(['server2']);
    await pair.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 30_000);
    for (const name of ['server1', 'server2'] as const) {
      const transitions = pair.records(name).filter((r) => r.msgId === 'HA_STATE_TRANSITION').map((r) => String(r.msg));
      expect(transitions.filter((t) => /syncing/i.test(t)), name).toEqual([]);
      expect(LEASE_TRAFFIC.filter((c) => pair.commandsReceived(name).has(c)), name).toEqual([]);
    }
    const again = acksOf(await relay('lb-again', { mode: 'dora', clients: 100, macBase: '02:5c:00' }).finished());
    expect(again).toHaveLength(100);
    for (const ack of again) expect(poolOf(ack.address!)).toBe(ownerOf(ack.mac!));
    expect(await leaseRows(pg, DATABASE)).toHaveLength(700);
  });
});
