import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLeasesOverControl, controlCommand } from '../harness/control-client.js';
import { REPO_ROOT, dhcp4Config, startTandemd, tempDir, writeConfig } from '../harness/daemons.js';
import { activeLeases } from '../harness/kea-lease-file.js';
import { createTestLan, netnsUnavailable, type TestLan } from '../harness/netns.js';
import { runPerfdhcp } from '../harness/perfdhcp.js';
import { startProcess, type Started } from '../harness/processes.js';

const noNetns = netnsUnavailable();
const RELAY_CLIENT = join(REPO_ROOT, 'test/harness/relay-client.mjs');
if (noNetns !== undefined) console.warn(`skipping tandemd-under-perfdhcp tests: ${noNetns}`);

describe.skipIf(noNetns !== undefined)('tandemd under perfdhcp (relay, private netns LAN)', () => {
  let lan: TestLan | undefined;
  let tandemd: Started | undefined;
  let dir: string;
  let leaseFile: string;
  let controlSocket: string;

  beforeAll(async () => {
    lan = createTestLan('dora', { server: '0.1', client: '0.2' });
    dir = tempDir('dora');
    leaseFile = join(dir, 'leases4.csv');
    controlSocket = join(dir, 'control.sock');
    const server = lan.hosts.server!;
    // The very file kea-dhcp4 would run with: raw sockets (a warning for tandemd), lease_cmds, a control socket.
    const config = writeConfig(dir, 'dhcp4.json', dhcp4Config({ interfaces: [server.iface], leaseFile, controlSocket, leaseCmds: true, rawSockets: true }));
    tandemd = await startTandemd(server.ns, config, join(dir, 'tandemd.log'));
  });

  afterAll(async () => {
    const exit = await tandemd?.stop('SIGTERM');
    lan?.destroy();
    // A graceful stop exits 0 after flushing the store.
    expect(exit).toBe(0);
  });

  it('answers full DORA for 3000 distinct relayed clients without a drop; the memfile holds exactly those leases', async () => {
    const client = lan!.hosts.client!;
    const report = await runPerfdhcp({ ns: client.ns, local: client.iface, server: 'all', rate: 500, clients: 3000, exchanges: 3000, periodS: 15, dropTimeS: 3, macBase: '00:0a:00:00:00:00' });
    const offers = report.exchanges['DISCOVER-OFFER']!;
    const acks = report.exchanges['REQUEST-ACK']!;
    expect(offers).toMatchObject({ sent: 3000, received: 3000, drops: 0, rejectedLeases: 0 });
    expect(acks).toMatchObject({ sent: 3000, received: 3000, drops: 0, rejectedLeases: 0 });
    expect(report.exitCode).toBe(0);

    const leases = [...activeLeases(leaseFile).values()];
    expect(leases).toHaveLength(3000);
    expect(new Set(leases.map((l) => l.hwaddr)).size).toBe(3000);
    expect(leases.every((l) => l.hwaddr.startsWith('00:0a:') && l.validLifetime === 3600 && l.subnetId === 1)).toBe(true);
    // The daemon's own view (through lease_cmds) agrees with its file.
    expect((await allLeasesOverControl(controlSocket)).length).toBe(3000);
  });

  it('renews and releases: every renewal is acknowledged and every release removes exactly one lease', async () => {
    const client = lan!.hosts.client!;
    const before = activeLeases(leaseFile).size;
    const report = await runPerfdhcp({
      ns: client.ns, local: client.iface, server: 'all', rate: 300, renewRate: 60, releaseRate: 60, clients: 50_000, exchanges: 1000, periodS: 15, dropTimeS: 3, macBase: '00:0b:00:00:00:00',
    });
    // perfdhcp may start one exchange past -n when renewals and releases share the rate.
    const offers = report.exchanges['DISCOVER-OFFER']!;
    const acks = report.exchanges['REQUEST-ACK']!;
    expect(offers.sent).toBeGreaterThanOrEqual(1000);
    expect(offers).toMatchObject({ received: offers.sent, drops: 0 });
    expect(acks).toMatchObject({ sent: offers.sent, received: offers.sent, drops: 0, rejectedLeases: 0 });
    const renewals = report.exchanges['REQUEST-ACK (renewal)']!;
    expect(renewals.sent).toBeGreaterThan(0);
    expect(renewals).toMatchObject({ received: renewals.sent, drops: 0, rejectedLeases: 0 });
    // DHCPRELEASE has no answer: perfdhcp counts every release as a "drop".
    const releases = report.exchanges.RELEASE!.sent;
    expect(releases).toBeGreaterThan(0);

    const after = activeLeases(leaseFile);
    // Each exchange is a new client (50 000 to draw from), so every ACK is a new lease and every release ends one.
    expect(after.size).toBe(before + acks.received - releases);
    expect([...after.values()].filter((l) => l.hwaddr.startsWith('00:0b:'))).toHaveLength(acks.received - releases);
    expect((await allLeasesOverControl(controlSocket)).length).toBe(after.size);
  });

  it("RFC 2131 §4.3.2, Kea's acceptServerId: a REQUEST naming another server gets no answer and counts in pkt4-receive-drop; the same REQUEST naming tandemd is acknowledged", async () => {
    const server = lan!.hosts.server!;
    const client = lan!.hosts.client!;
    const receiveDrop = async (): Promise<number> => {
      const answer = await controlCommand(controlSocket, { command: 'statistic-get', arguments: { name: 'pkt4-receive-drop' } });
      const samples = (answer.arguments as Record<string, Array<[number, string]>>)['pkt4-receive-drop']!;
      return samples[0]![0];
    };
    // One attempt per query, so each client's REQUEST is sent exactly once.
    const clients = async (tag: string, requestServerId: string) => {
      const run = startProcess(
        client.ns,
        process.execPath,
        [RELAY_CLIENT, '--server', server.address, '--giaddr', client.address, '--clients', '10', '--mac-base', '02:5e:00', '--concurrency', '1', '--retries', '0', '--timeout-ms', '1000', '--request-server-id', requestServerId],
        join(dir, `${tag}.log`),
      );
      await run.waitFor(/"event":"done"/, 30_000);
      return run.output().split('\n').filter((l) => l.startsWith('{"event":') && !l.includes('"done"')).map((l) => JSON.parse(l) as { event: string; mac: string });
    };
    const before = await receiveDrop();

    // 198.18.0.254: another DHCP server on the LAN (say, an HA primary that has just died).
    const foreign = await clients('foreign-server-id', '198.18.0.254');
    expect(foreign.map((e) => e.event)).toEqual(Array(10).fill('no-ack'));
    expect(await receiveDrop()).toBe(before + 10);
    expect([...activeLeases(leaseFile).values()].filter((l) => l.hwaddr.startsWith('02:5e:00'))).toHaveLength(0);

    const own = await clients('own-server-id', server.address);
    expect(own.map((e) => e.event)).toEqual(Array(10).fill('ack'));
    expect(await receiveDrop()).toBe(before + 10);
    expect([...activeLeases(leaseFile).values()].filter((l) => l.hwaddr.startsWith('02:5e:00'))).toHaveLength(10);
  });

  it('RFC 2131 §4.1: clients on the server\'s own link (no relay, broadcast flag) get OFFER and ACK by broadcast', async () => {
    const server = lan!.hosts.server!;
    const client = lan!.hosts.client!;
    // The test client cannot send from 0.0.0.0 without raw sockets, so it broadcasts on its subnet instead.
    const direct = startProcess(
      client.ns,
      process.execPath,
      [RELAY_CLIENT, '--server', server.address, '--giaddr', client.address, '--clients', '20', '--direct', 'true', '--broadcast', '198.18.255.255', '--mac-base', '02:dd:00', '--concurrency', '1'],
      join(dir, 'direct.log'),
    );
    await direct.waitFor(/"event":"done"/, 30_000);
    const acks = direct.output().split('\n').filter((l) => l.startsWith('{"event":"ack"')).map((l) => JSON.parse(l) as { address: string; mac: string });
    expect(acks).toHaveLength(20);
    const leases = activeLeases(leaseFile);
    expect(acks.every((a) => leases.get(a.address)?.hwaddr === a.mac)).toBe(true);
  });
});
