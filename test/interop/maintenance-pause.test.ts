import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectEveryClientServed, expectLeaseSetsAgree, startRelayClients } from './support/checks.js';
import { MixedPair, sleep } from './support/mixed-pair.js';
import type { RelationshipSpec } from './support/pair-config.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 maintenance and pause interop tests: ${unavailable}`);

/**
 * A load-balancing pair, Tandem primary and Kea 2.2 secondary behind kea-ctrl-agent (Kea 2.2's default
 * HA transport: heartbeats, syncs and the maintenance notifications go through the agent), whose
 * state machines pause once in `waiting`.
 */
const spec: RelationshipSpec = {
  mode: 'load-balancing',
  peers: [
    { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
    { name: 'server2', role: 'secondary', impl: 'kea', transport: 'ctrl-agent', octet: 12 },
  ],
  pause: [{ state: 'waiting', pause: 'once' }],
};

describe.skipIf(unavailable !== undefined)('pause, ha-continue and maintenance: Tandem primary + Kea 2.2 secondary (kea-ctrl-agent)', () => {
  let pair: MixedPair | undefined;

  beforeAll(() => {
    pair = MixedPair.create('mtka', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('PA-05 CMD-02 both pause in waiting; ha-continue on Tandem lets it sync and wait in ready while Kea stays paused; ha-continue on Kea brings both to load-balancing; the answers match Kea\'s texts', async () => {
    await pair!.start();
    // Paused, each keeps heartbeating and sees the other waiting.
    await sleep(2500);
    expect(await pair!.states()).toEqual({ server1: 'waiting', server2: 'waiting' });
    const kea = (await pair!.command('server2', 'status-get')).arguments as { 'high-availability': Array<{ 'ha-servers': { remote: Record<string, unknown> } }> };
    expect(kea['high-availability'][0]!['ha-servers'].remote).toMatchObject({ 'in-touch': true, 'last-state': 'waiting' });

    expect(await pair!.command('server1', 'ha-continue')).toEqual({ result: 0, text: 'HA state machine continues.' });
    // The primary syncs from the paused secondary (its lease commands still answer) and then waits for it.
    await pair!.waitForStates({ server1: 'ready', server2: 'waiting' }, 15_000);
    await sleep(1500);
    expect(await pair!.states()).toEqual({ server1: 'ready', server2: 'waiting' });

    expect(await pair!.command('server2', 'ha-continue')).toEqual({ result: 0, text: 'HA state machine continues.' });
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 20_000);
    // 'once': not paused any more; both say so in the same words.
    const tandemAgain = await pair!.command('server1', 'ha-continue');
    const keaAgain = await pair!.command('server2', 'ha-continue');
    expect(tandemAgain).toEqual(keaAgain);
    expect(tandemAgain).toEqual({ result: 0, text: 'HA state machine is not paused.' });
  });

  it('IO-08 ha-maintenance-start on Tandem puts Kea in-maintenance and Tandem in partner-in-maintenance, serving every client with updates to Kea; Kea shut down goes partner-down; restarted, both return to load-balancing', async () => {
    expect(await pair!.command('server1', 'ha-maintenance-start')).toEqual({
      result: 0,
      text: 'Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.',
    });
    await pair!.waitForStates({ server1: 'partner-in-maintenance', server2: 'in-maintenance' }, 10_000);
    expect(await pair!.command('server1', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'partner-in-maintenance', scopes: ['server1', 'server2'] } });
    expect(await pair!.command('server2', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'in-maintenance', scopes: [] } });

    // Tandem answers every client in partner-in-maintenance and still updates Kea (§10.2).
    const during = startRelayClients(pair!, { clients: 40, macBase: '02:5a:00', retries: 4 });
    expectEveryClientServed(await during.finished(30_000), 40, 0);
    await expectLeaseSetsAgree(pair!, 'server1', 'server2');

    // The maintenance itself: Kea stops; Tandem sees the first failed heartbeat and goes partner-down (SM-19).
    await pair!.stop('server2', 'SIGTERM');
    await pair!.waitForStates({ server1: 'partner-down' }, 10_000);
    const alone = startRelayClients(pair!, { clients: 40, macBase: '02:5b:00', retries: 4 });
    const aloneEvents = await alone.finished(30_000);
    expectEveryClientServed(aloneEvents, 40, 0);

    await pair!.start(['server2']);
    // The restarted Kea pauses once in waiting again; continue it.
    await pair!.waitForStates({ server2: 'waiting' }, 10_000);
    expect(await pair!.command('server2', 'ha-continue')).toEqual({ result: 0, text: 'HA state machine continues.' });
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 20_000);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect([...sets.server2!.values()].filter((lease) => (lease['hw-address'] as string).startsWith('02:5b:00'))).toHaveLength(40);
  });

  it('IO-09 CMD-10 ha-maintenance-start on Kea puts Tandem in-maintenance (answer 0) and Kea in partner-in-maintenance; ha-maintenance-cancel on Kea returns both to load-balancing', async () => {
    expect(await pair!.command('server2', 'ha-maintenance-start')).toEqual({
      result: 0,
      text: 'Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.',
    });
    await pair!.waitForStates({ server1: 'in-maintenance', server2: 'partner-in-maintenance' }, 10_000);
    expect(await pair!.command('server1', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'in-maintenance', scopes: [] } });

    // Kea alone answers every client in partner-in-maintenance; Tandem in-maintenance takes its updates.
    const during = startRelayClients(pair!, { clients: 40, macBase: '02:5c:00', retries: 4 });
    expectEveryClientServed(await during.finished(30_000), 40, 0);

    expect(await pair!.command('server2', 'ha-maintenance-cancel')).toEqual({ result: 0, text: 'Server maintenance successfully canceled.' });
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 15_000);
    const sets = await expectLeaseSetsAgree(pair!, 'server1', 'server2');
    expect([...sets.server1!.values()].filter((lease) => (lease['hw-address'] as string).startsWith('02:5c:00'))).toHaveLength(40);
  });
});
