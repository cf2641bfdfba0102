import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keaHaUnavailable, libfaketimeUnavailable } from '../harness/kea-ha.js';
import { netnsUnavailable } from '../harness/netns.js';
import { expectEveryClientServed, expectLeaseSetsAgree, startRelayClients } from './support/checks.js';
import { MixedPair, sleep } from './support/mixed-pair.js';
import type { RelationshipSpec } from './support/pair-config.js';

const unavailable = netnsUnavailable() ?? keaHaUnavailable() ?? libfaketimeUnavailable();
if (unavailable !== undefined) console.warn(`skipping Tandem/Kea 2.2 clock-skew interop test: ${unavailable}`);

/** Tandem primary, Kea 2.2 secondary (dedicated listener) whose clock libfaketime shifts. */
const spec: RelationshipSpec = {
  mode: 'load-balancing',
  peers: [
    { name: 'server1', role: 'primary', impl: 'tandem', octet: 11 },
    { name: 'server2', role: 'secondary', impl: 'kea', transport: 'dedicated', octet: 12 },
  ],
};

/** POSTs a command body, byte for byte, to a peer URL from inside a namespace; returns the parsed answer. */
const postFrom = (ns: string, url: string, body: string): unknown => {
  const script = `fetch(process.argv[1], { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: process.argv[2] }).then(async (r) => process.stdout.write(await r.text()))`;
  const run = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script, url, body], { encoding: 'utf8', timeout: 15_000 });
  if (run.status !== 0) throw new Error(`POST to ${url} from ${ns} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
};

const skewWarnings = (log: string): number => (log.match(/HA_HIGH_CLOCK_SKEW\b/g) ?? []).length;

describe.skipIf(unavailable !== undefined)('clock skew: Tandem primary + Kea 2.2 secondary with a libfaketime clock', () => {
  let pair: MixedPair | undefined;

  beforeAll(() => {
    pair = MixedPair.create('skew', spec);
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('IO-10 CS-14 a 45 s skew: both reach load-balancing and warn (HA_HIGH_CLOCK_SKEW); leases still flow both ways', async () => {
    await pair!.start(undefined, { server2: { clockOffset: '+45s' } });
    await pair!.waitForStates({ server1: 'load-balancing', server2: 'load-balancing' }, 30_000);
    const heartbeat = (await pair!.command('server2', 'ha-heartbeat')) as { arguments: { 'date-time': string } };
    const keaAheadS = (Date.parse(heartbeat.arguments['date-time']) - Date.now()) / 1000;
    expect(keaAheadS).toBeGreaterThan(40);
    expect(keaAheadS).toBeLessThan(50);
    expect(skewWarnings(pair!.output('server1'))).toBeGreaterThan(0);
    expect(skewWarnings(pair!.output('server2'))).toBeGreaterThan(0);
    expect(pair!.output('server1') + pair!.output('server2')).not.toMatch(/HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION/);

    const relay = startRelayClients(pair!, { clients: 60, macBase: '02:6a:00', retries: 4 });
    expectEveryClientServed(await relay.finished(30_000), 60, 0);
    await expectLeaseSetsAgree(pair!, 'server1', 'server2');
  });

  it('IO-10 SM-07 the skew grows to 75 s: both terminate (HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION), each keeps only its own scope; CMD-04 IO-09 both refuse maintenance with the same answers (1001 to a partner\'s notify)', async () => {
    pair!.kea('server2').setClockOffset('+75s');
    const changedAt = Date.now();
    await pair!.waitForStates({ server1: 'terminated', server2: 'terminated' }, 20_000);
    // libfaketime re-reads the offset within a second; then the next heartbeat each way terminates.
    expect(Date.now() - changedAt).toBeLessThan(6000);
    expect(pair!.output('server1')).toMatch(/"msgId":"HA_STATE_TRANSITION","from":"load-balancing","to":"terminated"/);
    expect(pair!.output('server2')).toMatch(/HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION .*partner's clock is 75s behind/);
    expect(await pair!.command('server1', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'terminated', scopes: ['server1'] } });
    expect(await pair!.command('server2', 'ha-heartbeat')).toMatchObject({ arguments: { state: 'terminated', scopes: ['server2'] } });
    // Terminated, the state machine stays put (no heartbeats, no recovery by itself).
    await sleep(2500);
    expect(await pair!.states()).toEqual({ server1: 'terminated', server2: 'terminated' });

    // Kea 2.2's own ha-maintenance-notify request, sent to each peer URL as a partner sends it.
    const notify = '{ "arguments": { "cancel": false }, "command": "ha-maintenance-notify", "service": [ "dhcp4" ] }';
    const tandemNotify = postFrom(pair!.client.ns, pair!.server('server1').url, notify);
    const keaNotify = postFrom(pair!.client.ns, pair!.server('server2').url, notify);
    expect(tandemNotify).toEqual(keaNotify);
    expect(tandemNotify).toEqual([{ result: 1001, text: 'Unable to transition the server from the terminated to in-maintenance state.' }]);
    const tandemStart = await pair!.command('server1', 'ha-maintenance-start');
    const keaStart = await pair!.command('server2', 'ha-maintenance-start');
    expect(tandemStart).toEqual(keaStart);
    expect(tandemStart).toEqual({ result: 1, text: 'Unable to transition the server from the terminated to partner-in-maintenance state.' });
    expect(await pair!.states()).toEqual({ server1: 'terminated', server2: 'terminated' });

    // Nothing was allocated after the termination, so the lease sets are still equal.
    await expectLeaseSetsAgree(pair!, 'server1', 'server2');
  });

  // Kea 2.2 logs the termination at ERROR every time, even right after a rate-limited warning
  // (CommunicationState::clockSkewShouldTerminateInternal); so does Tandem.
  it('IO-10 CS-14 Tandem logs HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION, as Kea does, when the skew terminates it', () => {
    expect(pair!.output('server1')).toMatch(/"msgId":"HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION".*partner's clock is 75s ahead/);
  });
});
