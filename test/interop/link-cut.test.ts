import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectAcksHeld, expectEveryClientServed, expectLeaseSetsAgree, startRelayClients } from './support/checks.js';
import { cutHaLink, nftUnavailable, restoreHaLink } from './support/ha-link.js';
import { MixedPair } from './support/mixed-pair.js';
import type { PeerSpec, RelationshipSpec } from './support/pair-config.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable() ?? nftUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 link-cut interop tests: ${unavailable}`);

const peers: readonly [PeerSpec, PeerSpec] = [
  { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
  { name: 'server2', role: 'secondary', impl: 'kea', transport: 'dedicated', octet: 12 },
];

/**
 * Communication is interrupted after max-response-delay (3 s) without a heartbeat, but the failure is
 * never confirmed: both servers keep answering their own clients, so no client waits beyond
 * max-ack-delay and the partner's unacked-client count stays 0 (U1, §2.5) — nobody reaches partner-down.
 */
const timers = { maxAckDelayMs: 10_000, maxUnackedClients: 10 };

/** Lease pages a server fetched (HA_LEASES_SYNC_LEASE_PAGE_RECEIVED, Kea and Tandem alike): counts syncs. */
const syncedPages = (log: string): number => (log.match(/HA_LEASES_SYNC_LEASE_PAGE_RECEIVED/g) ?? []).length;

/** `ha-reset` commands a server received, as both log them (COMMAND_RECEIVED). */
const haResets = (log: string): number => (log.match(/received command 'ha-reset'/gi) ?? []).length;

const withPair = (tag: string, spec: RelationshipSpec): (() => MixedPair) => {
  let pair: MixedPair | undefined;
  beforeAll(async () => {
    pair = MixedPair.create(tag, spec);
    await pair.start();
    await pair.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 30_000);
  });
  afterAll(async () => {
    if (pair !== undefined) restoreHaLink(pair);
    await pair?.destroy();
  });
  return () => pair!;
};

/** Cuts the link, waits for both to be in communication-recovery, serves `clients` clients, restores the link. */
const serveDuringCut = async (pair: MixedPair, clients: number, macBase: string) => {
  const pagesBefore = { server1: syncedPages(pair.output('server1')), server2: syncedPages(pair.output('server2')) };
  cutHaLink(pair);
  await pair.waitForStates({ server1: 'communication-recovery', server2: 'communication-recovery' }, 15_000);
  const relay = startRelayClients(pair, { clients, macBase, concurrency: 4, retries: 10 });
  const events = await relay.finished(30_000);
  expectEveryClientServed(events, clients, 0);
  // Served from the backlog, not from partner-down: still both in communication-recovery.
  expect(await pair.states()).toEqual({ server1: 'communication-recovery', server2: 'communication-recovery' });
  restoreHaLink(pair);
  return { acks: events.filter((e) => e.event === 'ack'), pagesBefore };
};

describe.skipIf(unavailable !== undefined)('link cut between Tandem primary and Kea 2.2 secondary (load-balancing, dedicated HA+MT listener)', () => {
  describe('backlog within delayed-updates-limit (100)', () => {
    const pair = withPair('lcut', { mode: 'load-balancing', peers, timers, delayedUpdatesLimit: 100 });

    it('IO-11 both go communication-recovery while the HA link is cut and keep serving their own clients; after the restore both return to load-balancing without a resync and the backlogs are delivered (equal lease sets)', async () => {
      const { acks, pagesBefore } = await serveDuringCut(pair(), 40, '02:3a:00');
      await pair().waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 20_000);
      expect({ server1: syncedPages(pair().output('server1')), server2: syncedPages(pair().output('server2')) }).toEqual(pagesBefore);
      expect(haResets(pair().output('server1')) + haResets(pair().output('server2'))).toBe(0);
      // Kea reports the delivery of its backlog; Tandem's reaches Kea only that way (checked by the sets).
      expect(pair().output('server2')).toMatch(/HA_LEASES_BACKLOG_SUCCESS/);
      await expectAcksHeld(pair(), acks);
      const sets = await expectLeaseSetsAgree(pair(), 'server1', 'server2');
      expect(sets.server1!.size).toBe(40);
      for (const name of ['server1', 'server2']) {
        expect(await pair().command(name, 'ha-heartbeat')).toMatchObject({ arguments: { state: 'load-balancing', 'unsent-update-count': 0 } });
      }
    });
  });

  describe('backlog overflow (delayed-updates-limit 5)', () => {
    const pair = withPair('lcov', { mode: 'load-balancing', peers, timers, delayedUpdatesLimit: 5 });

    it('IO-12 more updates than delayed-updates-limit during the cut: after the restore ha-reset sends the pair through waiting, both resynchronise and return to load-balancing with equal lease sets', async () => {
      const { acks, pagesBefore } = await serveDuringCut(pair(), 40, '02:3b:00');
      await pair().waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 30_000);
      expect(pair().output('server1')).toMatch(/HA_LEASE_UPDATES_BACKLOG_OVERFLOW/);
      expect(haResets(pair().output('server1')) + haResets(pair().output('server2'))).toBeGreaterThanOrEqual(1);
      // Each server fetched the partner's leases again (a full sync) after the restore.
      expect(syncedPages(pair().output('server1'))).toBeGreaterThan(pagesBefore.server1);
      expect(syncedPages(pair().output('server2'))).toBeGreaterThan(pagesBefore.server2);
      await expectAcksHeld(pair(), acks);
      const sets = await expectLeaseSetsAgree(pair(), 'server1', 'server2');
      expect(sets.server1!.size).toBe(40);
    });
  });
});
