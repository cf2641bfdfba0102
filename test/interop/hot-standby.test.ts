import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectAcksHeld, expectEveryClientServed, expectEveryExchangeAnswered, expectLeaseSetsAgree, runPatientPerfdhcp, startRelayClients, waitForAcks } from './support/checks.js';
import { MixedPair, sleep } from './support/mixed-pair.js';
import type { PeerSpec, RelationshipSpec } from './support/pair-config.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 hot-standby interop tests: ${unavailable}`);

interface Assignment {
  readonly title: string;
  readonly tag: string;
  readonly peers: readonly [PeerSpec, PeerSpec];
}

const assignments: readonly Assignment[] = [
  {
    title: 'Tandem primary + Kea 2.2 standby (dedicated HA+MT listener)',
    tag: 'hstk',
    peers: [
      { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
      { name: 'server2', role: 'standby', impl: 'kea', transport: 'dedicated', octet: 12 },
    ],
  },
  {
    title: 'Kea 2.2 primary (behind kea-ctrl-agent, single-threaded) + Tandem standby',
    tag: 'hskt',
    peers: [
      { name: 'server1', role: 'primary', impl: 'kea', transport: 'ctrl-agent', octet: 11 },
      { name: 'server2', role: 'standby', impl: 'tandem', octet: 12 },
    ],
  },
];

type HaSection = { 'ha-mode': string; 'ha-servers': { local: Record<string, unknown>; remote?: Record<string, unknown> } };
const haSection = (status: Record<string, unknown>): HaSection =>
  (status.arguments as { 'high-availability': HaSection[] })['high-availability'][0]!;

describe.skipIf(unavailable !== undefined).each(assignments)('hot-standby: $title', ({ tag, peers }) => {
  const spec: RelationshipSpec = { mode: 'hot-standby', peers };
  let pair: MixedPair | undefined;
  const kea = peers.find((p) => p.impl === 'kea')!.name;
  const tandem = peers.find((p) => p.impl === 'tandem')!.name;

  beforeAll(() => {
    pair = MixedPair.create(tag, spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('IO-13 a concurrent start reaches hot-standby on both; IO-15 Tandem\'s status-get HA section has the fields Kea 2.2 reports', async () => {
    await pair!.start();
    await pair!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' }, 30_000);
    // Each learns the other's final state at its next heartbeat (1 s).
    let keaHa = haSection(await pair!.command(kea, 'status-get'));
    let tandemHa = haSection(await pair!.command(tandem, 'status-get'));
    for (let i = 0; i < 15 && (keaHa['ha-servers'].remote?.['last-state'] !== 'hot-standby' || tandemHa['ha-servers'].remote?.['last-state'] !== 'hot-standby'); i++) {
      await sleep(200);
      keaHa = haSection(await pair!.command(kea, 'status-get'));
      tandemHa = haSection(await pair!.command(tandem, 'status-get'));
    }
    expect(tandemHa['ha-mode']).toBe(keaHa['ha-mode']);
    expect(Object.keys(tandemHa['ha-servers'].local).sort()).toEqual(Object.keys(keaHa['ha-servers'].local).sort());
    expect(Object.keys(tandemHa['ha-servers'].remote ?? {}).sort()).toEqual(Object.keys(keaHa['ha-servers'].remote ?? {}).sort());
    // Each side reports the other's role and state as the other reports them itself.
    expect(tandemHa['ha-servers'].remote).toMatchObject({ role: keaHa['ha-servers'].local.role, 'last-state': 'hot-standby', 'in-touch': true, 'communication-interrupted': false });
    expect(keaHa['ha-servers'].remote).toMatchObject({ role: tandemHa['ha-servers'].local.role, 'last-state': 'hot-standby', 'in-touch': true, 'communication-interrupted': false });
    expect(tandemHa['ha-servers'].local.scopes).toEqual(tandem === 'server1' ? ['server1'] : []);
    expect(keaHa['ha-servers'].local.scopes).toEqual(kea === 'server1' ? ['server1'] : []);
  });

  it('LB-07 LB-08 the primary answers every client, the standby none; LU-01 IO-04 every lease is on the standby with the same expiry', async () => {
    const keaAcksBefore = await pair!.statistic(kea, 'pkt4-ack-sent');
    const client = pair!.client;
    const report = await runPatientPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 150, clients: 300, exchanges: 300, periodS: 30, macBase: '00:3a:00:00:00:00' }, join(pair!.dir, 'perfdhcp.log'));
    const extra = expectEveryExchangeAnswered(report, 300);
    expect((await pair!.statistic(kea, 'pkt4-ack-sent')) - keaAcksBefore).toBe(kea === 'server1' ? 300 + extra : 0);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server1!.size).toBe(300);
  });

  it('IO-05 IO-06 IO-07 the primary killed (SIGKILL) under load: the standby goes partner-down and serves every client; the primary restarts, syncs from the standby and both return to hot-standby; no acknowledged lease is lost', async () => {
    const relay = startRelayClients(pair!, { clients: 400, macBase: '02:3b:00', concurrency: 8, timeoutMs: 500, retries: 20 });
    await waitForAcks(relay, 100);
    await pair!.stop('server1', 'SIGKILL');
    const killedAt = Date.now();
    await pair!.waitForStates({ server2: 'partner-down' }, 20_000);
    expect(Date.now() - killedAt).toBeLessThan(12_000);
    const events = await relay.finished(120_000);
    expectEveryClientServed(events, 400);
    const acks = events.filter((e) => e.event === 'ack');
    await expectAcksHeld(pair!, acks, ['server2']);

    await pair!.start(['server1']);
    await pair!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' }, 40_000);
    await expectAcksHeld(pair!, acks);
    await expectLeaseSetsAgree(pair!, 'server1', 'server2', { killed: ['server1'], acks });

    // Service as before the kill: the restarted primary answers, the standby receives its updates.
    const keaAcksBefore = await pair!.statistic(kea, 'pkt4-ack-sent');
    const after = startRelayClients(pair!, { clients: 40, macBase: '02:3c:00', retries: 4 });
    const afterEvents = await after.finished(30_000);
    expectEveryClientServed(afterEvents, 40, 0);
    expect((await pair!.statistic(kea, 'pkt4-ack-sent')) - keaAcksBefore).toBe(kea === 'server1' ? 40 : 0);
    await expectLeaseSetsAgree(pair!, 'server1', 'server2', { killed: ['server1'], acks });
  });
});
