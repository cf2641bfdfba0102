import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLeasesOverControl } from '../harness/control-client.js';
import { REPO_ROOT, dhcp4Config, startTandemd, tempDir, writeConfig } from '../harness/daemons.js';
import { activeLeases } from '../harness/kea-lease-file.js';
import { createTestLan, netnsUnavailable, type TestLan } from '../harness/netns.js';
import { startProcess, type Started } from '../harness/processes.js';

const noNetns = netnsUnavailable();
const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');

interface Ack {
  readonly address: string;
  readonly mac: string;
}

const acksIn = (output: string): Ack[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event: string; address: string; mac: string })
    .filter((e) => e.event === 'ack')
    .map(({ address, mac }) => ({ address, mac }));

describe.skipIf(noNetns !== undefined)('memfile durability: kill -9 while clients are being served', () => {
  let lan: TestLan | undefined;
  const started: Started[] = [];

  beforeAll(() => {
    lan = createTestLan('crash', { server: '0.1', client: '0.2' });
  });

  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    lan?.destroy();
  });

  it('every lease ACKed before SIGKILL is in the store after restart, and its client keeps its address', { timeout: 90_000 }, async () => {
    const server = lan!.hosts.server!;
    const client = lan!.hosts.client!;
    const dir = tempDir('crash');
    const leaseFile = join(dir, 'leases4.csv');
    const controlSocket = join(dir, 'control.sock');
    const config = writeConfig(dir, 'dhcp4.json', dhcp4Config({ interfaces: [server.iface], leaseFile, controlSocket, leaseCmds: true }));
    const first = await startTandemd(server.ns, config, join(dir, 'tandemd-1.log'));
    started.push(first);

    // 20000 clients cannot finish before the kill: the kill lands mid-stream.
    const clients = startProcess(
      client.ns,
      process.execPath,
      [RELAY_CLIENT, '--server', server.address, '--giaddr', client.address, '--clients', '20000', '--concurrency', '24', '--timeout-ms', '300', '--retries', '0'],
      join(dir, 'clients.log'),
    );
    started.push(clients);
    await clients.waitFor((output) => acksIn(output).length >= 800, 30_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    // Answers already in flight may still arrive; give them a moment, then stop the clients.
    await new Promise((r) => setTimeout(r, 500));
    await clients.stop('SIGTERM');
    const acked = acksIn(clients.output());
    expect(acked.length).toBeGreaterThanOrEqual(800);

    // Read the file with an independent reader: every acknowledged lease must be there, bound to its client.
    const onDisk = activeLeases(leaseFile);
    const missing = acked.filter((a) => onDisk.get(a.address)?.hwaddr !== a.mac);
    expect(missing).toEqual([]);

    // The restarted daemon loads them and renews each for the same client at the same address.
    const second = await startTandemd(server.ns, config, join(dir, 'tandemd-2.log'));
    started.push(second);
    const loaded = new Map((await allLeasesOverControl(controlSocket)).map((l) => [l['ip-address'] as string, l['hw-address'] as string]));
    expect(acked.filter((a) => loaded.get(a.address) !== a.mac)).toEqual([]);
    const leasesFile = join(dir, 'acked.json');
    writeFileSync(leasesFile, JSON.stringify(acked.slice(0, 300)));
    const rebind = startProcess(
      client.ns,
      process.execPath,
      [RELAY_CLIENT, '--server', server.address, '--giaddr', client.address, '--mode', 'rebind', '--leases', leasesFile, '--concurrency', '16'],
      join(dir, 'rebind.log'),
    );
    started.push(rebind);
    await rebind.waitFor(/"event":"done"/, 30_000);
    expect(acksIn(rebind.output())).toEqual(acked.slice(0, 300));
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});
