import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Daemon } from '../../packages/server/src/daemon.js';
import { parseServerConfig } from '../../packages/server/src/config/server-config.js';
import { createDaemonLog } from '../../packages/server/src/log/logger.js';
import { withoutHa, type DhcpHaHooks, type LeaseChanges, type ParkVerdict } from '../../packages/server/src/ha-hooks.js';
import { REPO_ROOT, tempDir } from '../harness/daemons.js';
import { freePort } from '../harness/ports.js';
import { startProcess } from '../harness/processes.js';

const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');

/**
 * Kea's parked-packet-limit: with that many answers parked waiting for HA lease-update
 * acknowledgements, a further query with new leases is dropped before HA sees it — its lease updates
 * never leave, so an overloaded pair does not spend itself on updates for answers no client gets.
 * Real daemon, real UDP on loopback, a real client population; HA is a hook whose acknowledgements
 * the test releases by hand.
 */

interface Gate {
  readonly committed: LeaseChanges[];
  release(): void;
}

const heldHa = (): DhcpHaHooks<never> & Gate => {
  const committed: LeaseChanges[] = [];
  const waiting: ((verdict: ParkVerdict) => void)[] = [];
  let open = false;
  return {
    ...withoutHa,
    committed,
    leasesCommitted: (_query, changes) => {
      if (changes.updated.length === 0 && changes.deleted.length === 0) return { kind: 'send' };
      committed.push(changes);
      if (open) return { kind: 'send' };
      return new Promise<ParkVerdict>((resolve) => waiting.push(resolve));
    },
    release: () => {
      open = true;
      for (const resolve of waiting.splice(0)) resolve({ kind: 'send' });
    },
  };
};

let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop('test over');
  daemon = undefined;
});

describe('parked-packet-limit (Kea 2.2 semantics, tandemd on loopback)', () => {
  it('beyond the limit a REQUEST is dropped before HA sees its lease: no lease update for it, counted as a receive drop; the parked ones are answered on acknowledgement', async () => {
    const port = await freePort('udp');
    const dir = tempDir('parked-limit');
    const config = parseServerConfig(
      {
        Dhcp4: {
          'interfaces-config': { interfaces: ['lo'] },
          'lease-database': { type: 'memfile', persist: false },
          'parked-packet-limit': 2,
          'valid-lifetime': 3600,
          subnet4: [{ id: 1, subnet: '127.0.0.0/8', pools: [{ pool: '127.0.100.1 - 127.0.100.100' }] }],
          loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: join(dir, 'tandemd.log') }] }],
        },
      },
      'parked-packet-limit.json',
    );
    const ha = heldHa();
    daemon = await Daemon.start({ config, port, log: createDaemonLog(config.daemon.logging), hooks: ha as unknown as NonNullable<Parameters<typeof Daemon.start>[0]['hooks']> });

    const clientPort = await freePort('udp');
    const clients = startProcess(
      undefined,
      process.execPath,
      [RELAY_CLIENT, '--server', '127.0.0.1', '--giaddr', '127.0.0.1', '--server-port', String(port), '--local-port', String(clientPort), '--clients', '5', '--concurrency', '5', '--retries', '0', '--timeout-ms', '4000', '--mac-base', '02:7a:00'],
      join(dir, 'clients.log'),
    );
    // Five REQUESTs arrive; two park, three find the lot full.
    for (let i = 0; i < 100 && daemon.stats.unanswered < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(daemon.stats.unanswered).toBe(3);
    expect(ha.committed).toHaveLength(2);
    ha.release();
    await clients.waitFor(/"event":"done"/, 20_000);
    const events = clients.output().split('\n').filter((l) => l.startsWith('{"event":') && !l.includes('"done"')).map((l) => JSON.parse(l) as { event: string });
    expect(events.map((e) => e.event).sort()).toEqual(['ack', 'ack', 'no-ack', 'no-ack', 'no-ack']);
    // The dropped clients' leases never reached HA.
    expect(ha.committed).toHaveLength(2);
    const statistic = await daemon.dispatch({ command: 'statistic-get', arguments: { name: 'pkt4-receive-drop' } });
    expect((statistic.arguments as Record<string, [number, string][]>)['pkt4-receive-drop']![0]![0]).toBe(3);
  });
});
