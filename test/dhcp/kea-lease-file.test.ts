import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, dhcp4Config, startKeaDhcp4, startTandemd, tempDir, writeConfig } from '../harness/daemons.js';
import { activeLeases } from '../harness/kea-lease-file.js';
import { createTestLan, netnsUnavailable, type TestLan } from '../harness/netns.js';
import { runPerfdhcp } from '../harness/perfdhcp.js';
import { startProcess, type Started } from '../harness/processes.js';

const noNetns = netnsUnavailable();
const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');
const keaMissing = spawnSync('kea-dhcp4', ['-v']).error === undefined ? undefined : 'kea-dhcp4 (Debian package kea-dhcp4-server) is not installed';
if (keaMissing !== undefined) console.warn(`skipping Kea lease file test: ${keaMissing}`);

describe.skipIf(noNetns !== undefined || keaMissing !== undefined)('taking over a lease file written by Kea 2.2', () => {
  let lan: TestLan | undefined;
  const started: Started[] = [];

  beforeAll(() => {
    lan = createTestLan('kealf', { server: '0.1', client: '0.2' });
  });

  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    lan?.destroy();
  });

  it('tandemd loads kea-dhcp4 memfile leases from the same config file and renews them for their clients', async () => {
    const server = lan!.hosts.server!;
    const client = lan!.hosts.client!;
    const dir = tempDir('kealf');
    const leaseFile = join(dir, 'leases4.csv');
    const config = writeConfig(dir, 'dhcp4.json', dhcp4Config({ interfaces: [server.iface], leaseFile, rawSockets: true }));

    const kea = await startKeaDhcp4(server.ns, config, dir, join(dir, 'kea.log'));
    started.push(kea);
    const report = await runPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 400, clients: 800, exchanges: 800, periodS: 10, macBase: '00:0c:00:00:00:00' });
    // perfdhcp may start one exchange beyond -n before it stops; every one it sent must be answered.
    const acks = report.exchanges['REQUEST-ACK']!;
    expect(acks.sent).toBeGreaterThanOrEqual(800);
    expect(acks).toMatchObject({ received: acks.sent, drops: 0 });
    expect(await kea.stop('SIGTERM')).toBe(0);
    const keaLeases = [...activeLeases(leaseFile).values()];
    expect(keaLeases).toHaveLength(800);

    const tandemd = await startTandemd(server.ns, config, join(dir, 'tandemd.log'));
    started.push(tandemd);
    expect(tandemd.output()).toMatch(/"leases":800/);
    const leasesFile = join(dir, 'kea-leases.json');
    writeFileSync(leasesFile, JSON.stringify(keaLeases.map((l) => ({ address: l.address, mac: l.hwaddr }))));
    const rebind = startProcess(
      client.ns,
      process.execPath,
      [RELAY_CLIENT, '--server', server.address, '--giaddr', client.address, '--mode', 'rebind', '--leases', leasesFile, '--concurrency', '16'],
      join(dir, 'rebind.log'),
    );
    started.push(rebind);
    await rebind.waitFor(/"event":"done"/, 60_000);
    const answers = rebind
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{"event":"ack"'))
      .map((l) => JSON.parse(l) as { address: string; mac: string });
    expect(answers).toHaveLength(800);
    const byAddress = new Map(keaLeases.map((l) => [l.address, l.hwaddr]));
    expect(answers.filter((a) => byAddress.get(a.address) !== a.mac)).toEqual([]);
    expect(await tandemd.stop('SIGTERM')).toBe(0);
    // Renewed: the same 800 leases, each now expiring no earlier than Kea had it.
    const after = activeLeases(leaseFile);
    expect(after.size).toBe(800);
    for (const old of keaLeases) {
      const renewed = after.get(old.address);
      expect(renewed?.hwaddr).toBe(old.hwaddr);
      expect(renewed!.expire).toBeGreaterThanOrEqual(old.expire);
    }
  });
});
