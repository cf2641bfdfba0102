import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectEveryExchangeAnswered, expectLeaseSetsAgree, runPatientPerfdhcp } from './support/checks.js';
import { MixedPair, sleep } from './support/mixed-pair.js';
import type { PeerSpec, RelationshipSpec } from './support/pair-config.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 passive-backup interop tests: ${unavailable}`);

interface Assignment {
  readonly title: string;
  readonly tag: string;
  readonly peers: readonly [PeerSpec, PeerSpec];
}

const assignments: readonly Assignment[] = [
  {
    title: 'Tandem primary + Kea 2.2 backup (dedicated HA+MT listener)',
    tag: 'pbtk',
    peers: [
      { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
      { name: 'server2', role: 'backup', impl: 'kea', transport: 'dedicated', octet: 12 },
    ],
  },
  {
    title: 'Kea 2.2 primary (dedicated HA+MT listener) + Tandem backup',
    tag: 'pbkt',
    peers: [
      { name: 'server1', role: 'primary', impl: 'kea', transport: 'dedicated', octet: 11 },
      { name: 'server2', role: 'backup', impl: 'tandem', octet: 12 },
    ],
  },
];

/** `ha-heartbeat` (and every other command) the server was sent over HTTP, as its log records them. */
const receivedCommands = (log: string): string[] => [...log.matchAll(/[Rr]eceived command '([a-z0-9-]+)'/g)].map((m) => m[1]!);

describe.skipIf(unavailable !== undefined).each(assignments)('passive-backup: $title', ({ tag, peers }) => {
  const spec: RelationshipSpec = { mode: 'passive-backup', peers };
  let pair: MixedPair | undefined;
  const kea = peers.find((p) => p.impl === 'kea')!.name;

  beforeAll(() => {
    pair = MixedPair.create(tag, spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('SM-09 SM-10 the primary enters passive-backup at once and the backup stays in backup; HB-08 neither status-get has a remote section', async () => {
    await pair!.start();
    await pair!.waitForStates({ server1: 'passive-backup', server2: 'backup' }, 20_000);
    expect(await pair!.command('server1', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'passive-backup', scopes: ['server1'] } });
    expect(await pair!.command('server2', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'backup', scopes: [] } });
    for (const name of ['server1', 'server2']) {
      const ha = (await pair!.command(name, 'status-get')).arguments as { 'high-availability': Array<{ 'ha-mode': string; 'ha-servers': Record<string, unknown> }> };
      expect(ha['high-availability'][0]!['ha-mode']).toBe('passive-backup');
      expect(Object.keys(ha['high-availability'][0]!['ha-servers'])).toEqual(['local']);
    }
  });

  it('IO-14 the primary answers every client and the backup receives every lease update (never a heartbeat, never a sync)', async () => {
    // The previous test's last polls may still be on their way into the logs.
    await sleep(1000);
    const heartbeatsBefore = ['server1', 'server2'].map((name) => receivedCommands(pair!.output(name)).filter((c) => c === 'ha-heartbeat').length);
    const keaAcksBefore = await pair!.statistic(kea, 'pkt4-ack-sent');
    const client = pair!.client;
    const report = await runPatientPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 150, clients: 300, exchanges: 300, periodS: 30, macBase: '00:4a:00:00:00:00' }, join(pair!.dir, 'perfdhcp.log'));
    const extra = expectEveryExchangeAnswered(report, 300);
    expect((await pair!.statistic(kea, 'pkt4-ack-sent')) - keaAcksBefore).toBe(kea === 'server1' ? 300 + extra : 0);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect(sets.server1!.size).toBe(300);

    // What crossed between the two: only lease updates from the primary to the backup. The logs also
    // hold this file's own polling over the unix sockets (ha-heartbeat while waiting for the states,
    // statistic-get, lease4-get-all), so peer commands are counted, and heartbeats only across this
    // test, which polls none: a heartbeating peer would have sent several in these seconds.
    const peerCommands = ['ha-heartbeat', 'dhcp-disable', 'dhcp-enable', 'lease4-get-page', 'ha-sync-complete-notify', 'lease4-update', 'lease4-del', 'ha-reset'];
    const heartbeatsAfter = ['server1', 'server2'].map((name) => receivedCommands(pair!.output(name)).filter((c) => c === 'ha-heartbeat').length);
    expect(heartbeatsAfter).toEqual(heartbeatsBefore);
    const toPrimary = receivedCommands(pair!.output('server1')).filter((c) => peerCommands.includes(c) && c !== 'ha-heartbeat');
    const toBackup = receivedCommands(pair!.output('server2')).filter((c) => peerCommands.includes(c) && c !== 'ha-heartbeat');
    expect(toPrimary).toEqual([]);
    expect(new Set(toBackup)).toEqual(new Set(['lease4-update']));
    expect(toBackup.length).toBe(300 + extra);
  });
});
