import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnavailable } from '../harness/netns.js';
import { HaCluster, sleep } from './support/ha-cluster.js';
import { startRelayClients } from './support/relay-clients.js';

const noNetns = netnsUnavailable();
if (noNetns !== undefined) console.warn(`skipping HA pause and maintenance tests: ${noNetns}`);

const CONTINUES = { result: 0, text: 'HA state machine continues.' };
const NOT_PAUSED = { result: 0, text: 'HA state machine is not paused.' };

describe.skipIf(noNetns !== undefined)('pausing the state machine: waiting once, ready always (real tandemd processes)', () => {
  let cluster: HaCluster | undefined;

  beforeAll(async () => {
    cluster = HaCluster.create({
      tag: 'pa',
      mode: 'hot-standby',
      servers: [
        { name: 'server1', role: 'primary', octet: 11 },
        { name: 'server2', role: 'standby', octet: 12 },
      ],
      tuning: { pause: [{ state: 'waiting', pause: 'once' }, { state: 'ready', pause: 'always' }] },
    });
    await cluster.start();
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('PA-05 PA-02 CMD-02 both stay paused in waiting while heartbeats run; ha-continue releases each step; ready pauses every time', async () => {
    const c = cluster!;
    // Several heartbeat rounds (1 s apart) and nobody moves.
    await sleep(3500);
    expect(await c.states()).toEqual({ server1: 'waiting', server2: 'waiting' });
    const status = await c.command('server1', 'status-get');
    const remote = (status.arguments as { 'high-availability': Array<{ 'ha-servers': { remote: Record<string, unknown> } }> })['high-availability'][0]!['ha-servers'].remote;
    expect(remote).toMatchObject({ 'in-touch': true, 'last-state': 'waiting' });

    expect(await c.command('server1', 'ha-continue')).toEqual(CONTINUES);
    // The primary syncs, then pauses in ready; the standby is still held in waiting.
    await c.waitForStates({ server1: 'ready', server2: 'waiting' });
    await sleep(2500);
    expect(await c.states()).toEqual({ server1: 'ready', server2: 'waiting' });

    expect(await c.command('server2', 'ha-continue')).toEqual(CONTINUES);
    await c.waitForStates({ server1: 'ready', server2: 'ready' });
    await sleep(2500);
    expect(await c.states()).toEqual({ server1: 'ready', server2: 'ready' });

    expect(await c.command('server1', 'ha-continue')).toEqual(CONTINUES);
    expect(await c.command('server2', 'ha-continue')).toEqual(CONTINUES);
    await c.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' });
    expect(await c.command('server1', 'ha-continue')).toEqual(NOT_PAUSED);
  });

  it('PA-05 PA-06 CMD-12 after ha-reset the standby passes waiting (once is used up) and pauses in ready again', async () => {
    const c = cluster!;
    expect(await c.command('server2', 'ha-reset')).toEqual({ result: 0, text: 'HA state machine reset.' });
    await c.waitForStates({ server2: 'ready' });
    await sleep(2500);
    expect(await c.states()).toEqual({ server1: 'hot-standby', server2: 'ready' });
    expect(await c.command('server2', 'ha-continue')).toEqual(CONTINUES);
    await c.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' });
  });
});

describe.skipIf(noNetns !== undefined)('maintenance of a load-balancing pair (real tandemd processes)', () => {
  let cluster: HaCluster | undefined;

  beforeAll(async () => {
    cluster = HaCluster.create({
      tag: 'mt',
      mode: 'load-balancing',
      servers: [
        { name: 'server1', role: 'primary', octet: 11 },
        { name: 'server2', role: 'secondary', octet: 12 },
      ],
    });
    await cluster.start();
    await cluster.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('CMD-06 CMD-10 IO-08 ha-maintenance-start then ha-maintenance-cancel: partner-in-maintenance / in-maintenance, and back to load-balancing', async () => {
    const c = cluster!;
    expect(await c.command('server1', 'ha-maintenance-start')).toEqual({
      result: 0,
      text: 'Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.',
    });
    expect(await c.states()).toEqual({ server1: 'partner-in-maintenance', server2: 'in-maintenance' });
    // Served scopes follow: the server staying up takes both, the one in maintenance none.
    expect(((await c.command('server1', 'ha-heartbeat')).arguments as { scopes: string[] }).scopes).toEqual(['server1', 'server2']);
    expect(((await c.command('server2', 'ha-heartbeat')).arguments as { scopes: string[] }).scopes).toEqual([]);

    expect(await c.command('server1', 'ha-maintenance-cancel')).toEqual({ result: 0, text: 'Server maintenance successfully canceled.' });
    await c.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' });
    expect(await c.command('server2', 'ha-maintenance-cancel')).toEqual({
      result: 1,
      text: 'Unable to cancel maintenance request because the server is not in the partner-in-maintenance state.',
    });
  });

  it('SM-19 the partner in maintenance shuts down under load: the other takes over and every client still gets its lease', async () => {
    const c = cluster!;
    expect((await c.command('server1', 'ha-maintenance-start')).result).toBe(0);
    await c.waitForStates({ server1: 'partner-in-maintenance', server2: 'in-maintenance' });
    const relay = startRelayClients(c, { clients: 300, macBase: '02:e0:00', concurrency: 8, timeoutMs: 500, retries: 10 });
    await relay.process.waitFor((out) => out.split('"event":"ack"').length > 60, 30_000);
    // "can be safely shut down": a graceful stop, which exits 0.
    expect(await c.stop('server2', 'SIGTERM')).toBe(0);
    await c.waitForStates({ server1: 'partner-down' }, 15_000);
    const events = await relay.finished(90_000);
    // Both scopes' clients were served throughout (by server1 in partner-in-maintenance, then partner-down).
    expect(events.filter((e) => e.event !== 'ack' && e.event !== 'done')).toEqual([]);
    expect(events.filter((e) => e.event === 'ack')).toHaveLength(300);
    const leases = await c.leases('server1');
    for (const ack of events.filter((e) => e.event === 'ack')) expect(leases.get(ack.address as string)?.['hw-address']).toBe(ack.mac);
  });
});
