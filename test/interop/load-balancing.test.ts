import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectAcksHeld, expectEveryClientServed, expectEveryExchangeAnswered, expectLeaseSetsAgree, loadBalancingOwners, runPatientPerfdhcp, startRelayClients, waitForAcks } from './support/checks.js';
import { MixedPair, bulkLeases } from './support/mixed-pair.js';
import type { PeerSpec, RelationshipSpec } from './support/pair-config.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 load-balancing interop tests: ${unavailable}`);

/**
 * Leases pre-loaded into the secondary's memfile (from 198.18.64.0, outside the pools). In a concurrent
 * start the primary syncs first (§3.7), so all of them cross the wire twice: from the secondary to the
 * primary (inserted), then back from the primary to the secondary (kept, same cltt) — Tandem and Kea
 * each serve and fetch 10,000 leases in pages.
 */
const PRELOADED = 10_000;

/** Lease pages a server fetched, as both log them (HA_LEASES_SYNC_LEASE_PAGE_RECEIVED, one per page). */
const syncedPages = (log: string): number => (log.match(/HA_LEASES_SYNC_LEASE_PAGE_RECEIVED/g) ?? []).length;

interface Assignment {
  readonly title: string;
  readonly tag: string;
  readonly peers: readonly [PeerSpec, PeerSpec];
  /** The server killed (SIGKILL) under load and restarted. */
  readonly victim: 'server1' | 'server2';
  /** What the kill scenario covers: IO-05/06 when Kea dies, IO-07 when Tandem does. */
  readonly killIds: string;
}

const assignments: readonly Assignment[] = [
  {
    title: 'Tandem primary + Kea 2.2 secondary (dedicated HA+MT listener)',
    tag: 'lbtk',
    peers: [
      { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
      { name: 'server2', role: 'secondary', impl: 'kea', transport: 'dedicated', octet: 12 },
    ],
    victim: 'server2',
    killIds: 'IO-05 IO-06 the Kea secondary',
  },
  {
    title: 'Kea 2.2 primary (dedicated HA+MT listener) + Tandem secondary',
    tag: 'lbkt',
    peers: [
      { name: 'server1', role: 'primary', impl: 'kea', transport: 'dedicated', octet: 11 },
      { name: 'server2', role: 'secondary', impl: 'tandem', octet: 12 },
    ],
    victim: 'server2',
    killIds: 'IO-07 the Tandem secondary',
  },
];

describe.skipIf(unavailable !== undefined).each(assignments)('load-balancing: $title', ({ tag, peers, victim, killIds }) => {
  const spec: RelationshipSpec = {
    mode: 'load-balancing',
    peers,
    // Pages of 2500: four full pages and an empty last one (result 3) per direction.
    syncPageLimit: 2500,
  };
  let pair: MixedPair | undefined;
  const kea = peers.find((p) => p.impl === 'kea')!.name;
  const tandem = peers.find((p) => p.impl === 'tandem')!.name;

  beforeAll(() => {
    pair = MixedPair.create(tag, spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('IO-01 IO-02 SY-01 a concurrent start with 10,000 leases on the secondary reaches load-balancing on both; §9 sync both ways leaves equal lease sets', async () => {
    pair!.preloadLeases('server2', bulkLeases('198.18.64.0', PRELOADED, '0a:02:00'));
    await pair!.start();
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 60_000);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server1!.size).toBe(PRELOADED);
    expect(syncedPages(pair!.output('server1'))).toBe(PRELOADED / 2500 + 1);
    expect(syncedPages(pair!.output('server2'))).toBe(PRELOADED / 2500 + 1);
    for (const name of ['server1', 'server2']) {
      const heartbeat = await pair!.command(name, 'ha-heartbeat');
      expect(heartbeat).toMatchObject({ result: 0, text: 'HA peer status returned.', arguments: { state: 'load-balancing', scopes: [name], 'unsent-update-count': 0 } });
    }
  });

  it('IO-03 IO-04 LB-02 LB-05 each server answers exactly the clients its hash scope owns (Tandem\'s Pearson hash agrees with Kea\'s), and every lease reaches the other side', async () => {
    const keaAcksBefore = await pair!.statistic(kea, 'pkt4-ack-sent');
    const client = pair!.client;
    const report = await runPatientPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 150, clients: 500, exchanges: 500, periodS: 30, macBase: '00:2a:00:00:00:00' }, join(pair!.dir, 'perfdhcp.log'));
    const extra = expectEveryExchangeAnswered(report, 500);

    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    const granted = [...sets.server1!.values()].filter((lease) => (lease['hw-address'] as string).startsWith('00:2a:'));
    expect(granted).toHaveLength(500);
    const owners = loadBalancingOwners(granted);
    expect(owners.misplaced).toEqual([]);
    expect(Math.min(owners.server1.length, owners.server2.length)).toBeGreaterThan(150);
    // Kea acknowledged exactly the clients of its own scope (a client perfdhcp repeated counts twice);
    // every other ACK perfdhcp got came from Tandem.
    const keaAcks = (await pair!.statistic(kea, 'pkt4-ack-sent')) - keaAcksBefore;
    const keaOwned = owners[kea as 'server1' | 'server2'].length;
    const tandemAcks = report.exchanges['REQUEST-ACK']!.received - keaAcks;
    const tandemOwned = owners[tandem as 'server1' | 'server2'].length;
    expect({ keaAcks, keaOwned, tandemAcks, tandemOwned, extra, split: keaAcks >= keaOwned && keaAcks <= keaOwned + extra && tandemAcks >= tandemOwned }).toMatchObject({ split: true });
  });

  it(`${killIds} (${victim}) killed (SIGKILL) under load: the survivor goes partner-down and serves every client; the victim restarts, syncs from the survivor and both return to load-balancing; no acknowledged lease is lost`, async () => {
    const survivor = victim === 'server1' ? 'server2' : 'server1';
    const relay = startRelayClients(pair!, { clients: 500, macBase: '02:2b:00', concurrency: 8, timeoutMs: 500, retries: 20 });
    await waitForAcks(relay, 120);
    await pair!.stop(victim, 'SIGKILL');
    const killedAt = Date.now();
    await pair!.waitForStates({ [survivor]: 'partner-down' }, 20_000);
    const failoverMs = Date.now() - killedAt;
    const events = await relay.finished(120_000);
    const acks = events.filter((e) => e.event === 'ack');
    expectEveryClientServed(events, 500);
    // max-response-delay (3 s) plus a few heartbeat rounds.
    expect(failoverMs).toBeLessThan(12_000);
    const partnerDown = await pair!.command(survivor, 'ha-heartbeat');
    expect(partnerDown).toMatchObject({ arguments: { state: 'partner-down', scopes: ['server1', 'server2'] } });
    await expectAcksHeld(pair!, acks, [survivor]);

    await pair!.start([victim]);
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 60_000);
    await expectAcksHeld(pair!, acks);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2', { killed: [victim], acks });
    expect(sets[survivor]!.size).toBeGreaterThanOrEqual(PRELOADED + 900);

    // Load balanced as before the kill: each server answers its own scope again (the survivor's DHCP
    // service was re-enabled after the victim's sync, §8.11), and the leases flow both ways.
    const keaAcksBefore = await pair!.statistic(kea, 'pkt4-ack-sent');
    const after = startRelayClients(pair!, { clients: 60, macBase: '02:2c:00', retries: 4 });
    expectEveryClientServed(await after.finished(30_000), 60, 0);
    const final = await expectLeaseSetsAgree(pair!, 'server1', 'server2', { killed: [victim], acks });
    const owners = loadBalancingOwners([...final.server1!.values()].filter((lease) => (lease['hw-address'] as string).startsWith('02:2c:00')));
    expect(owners.misplaced).toEqual([]);
    expect(owners.server1.length + owners.server2.length).toBe(60);
    expect((await pair!.statistic(kea, 'pkt4-ack-sent')) - keaAcksBefore).toBe(owners[kea as 'server1' | 'server2'].length);
  });
});
