import { readFileSync } from 'node:fs';
import { buildLease4Del, buildLease4Update, serializeKea, type Lease4Record } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnavailable } from '../harness/netns.js';
import { HaCluster, sleep } from './support/ha-cluster.js';
import { startRelayClients } from './support/relay-clients.js';
import { postInNamespace, type HttpExchange } from './support/http-in-netns.js';

const noNetns = netnsUnavailable();
if (noNetns !== undefined) console.warn(`skipping HA HTTP control tests: ${noNetns}`);

const WIRE = '/work/shared/kea-wire';
const fixture = (name: string): string => readFileSync(`${WIRE}/${name}`, 'utf8');
const basic = (user: string, password: string): string => `Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const SERVER1_AUTH = { user: 'server1', password: 'pw-server1' };
const SERVER2_AUTH = { user: 'server2', password: 'pw-server2' };

describe.skipIf(noNetns !== undefined)("the HA listener at a peer's URL: Kea's wire, Basic auth, restrict-commands, bad input (real tandemd processes)", () => {
  let cluster: HaCluster | undefined;
  let url: string;
  let ns: string;

  /** A request as server2 sends it to server1: with server1's credentials. */
  const post = (body: string, headers: readonly string[] = [basic(SERVER1_AUTH.user, SERVER1_AUTH.password)]): HttpExchange =>
    postInNamespace(ns, url, body, { headers });
  const answerOf = (exchange: HttpExchange): Record<string, unknown> => {
    expect(exchange.status).toBe(200);
    expect(Array.isArray(exchange.json)).toBe(true);
    return (exchange.json as Record<string, unknown>[])[0]!;
  };
  const snapshot = async () => ({
    leases: [...(await cluster!.leases('server1')).values()].map((l) => JSON.stringify(l)).sort(),
    state: await cluster!.state('server1'),
  });

  beforeAll(async () => {
    cluster = HaCluster.create({
      tag: 'http',
      mode: 'hot-standby',
      servers: [
        { name: 'server1', role: 'primary', octet: 11, basicAuth: SERVER1_AUTH, restrictCommands: false },
        // Only the standby's listener restricts commands (the setting is read by each server for its own listener).
        { name: 'server2', role: 'standby', octet: 12, basicAuth: SERVER2_AUTH, restrictCommands: true },
      ],
    });
    url = cluster.server('server1').url;
    ns = cluster.client.ns;
    await cluster.start();
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('HB-03 LU-02 SY-02 peers that present each other the configured credentials reach hot-standby', async () => {
    await cluster!.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' });
  });

  it('HB-04 a missing, wrong or malformed Authorization is refused with 401 and the stock map body', () => {
    for (const headers of [[], [basic(SERVER1_AUTH.user, 'wrong')], [basic(SERVER2_AUTH.user, SERVER2_AUTH.password)], ['Authorization: Bearer abc']]) {
      const exchange = post('{"command":"ha-heartbeat","service":["dhcp4"]}', headers);
      expect({ status: exchange.status, json: exchange.json }).toEqual({ status: 401, json: { result: 401, text: 'Unauthorized' } });
    }
  });

  it("IO-04 LU-17 Kea 2.2's own lease4-update, lease4-del, heartbeat, dhcp-disable and sync-complete-notify requests (kea-wire captures) are answered as Kea answers them", async () => {
    expect(answerOf(post(fixture('lease4-update.request.json')))).toEqual({ result: 0, text: 'IPv4 lease added.' });
    expect(answerOf(post(fixture('lease4-update.request.json')))).toEqual({ result: 0, text: 'IPv4 lease updated.' });
    const stored = (await cluster!.command('server1', 'lease4-get', { 'ip-address': '198.18.1.0' })).arguments as Record<string, unknown>;
    expect(stored).toMatchObject({ 'hw-address': '00:0c:01:02:03:04', 'client-id': '01:00:0c:01:02:03:04', cltt: 1795309890 - 3600, 'valid-lft': 3600, state: 0 });
    // The capture deletes a lease this server does not hold: result 3, which HA counts as success.
    expect(answerOf(post(fixture('lease4-del.request.json')))).toEqual({ result: 3, text: 'IPv4 lease not found.' });

    const heartbeat = answerOf(post(fixture('ha-heartbeat.peer.request.json')));
    expect(heartbeat).toMatchObject({ result: 0, text: 'HA peer status returned.', arguments: { state: 'hot-standby', scopes: ['server1'], 'unsent-update-count': 0 } });

    expect(answerOf(post(fixture('dhcp-disable.request.json')))).toEqual({ result: 0, text: 'DHCPv4 service disabled for 60 seconds' });
    expect(answerOf(post(fixture('ha-sync-complete-notify.request.json')))).toEqual({
      result: 0,
      text: 'Server successfully notified about the synchronization completion.',
    });
  });

  it("LU-17 the core's own lease4-update and lease4-del requests round-trip through the daemon's lease commands", async () => {
    const record: Lease4Record = {
      address: '198.18.7.7',
      hwAddress: '0a:0b:0c:0d:0e:0f',
      clientId: '01:0a:0b:0c:0d:0e:0f',
      validLifetimeS: 1800,
      clttS: 1795300000,
      subnetId: 1,
      fqdnFwd: true,
      fqdnRev: false,
      hostname: 'host.example.org.',
      state: 1,
      userContext: { note: 'from the core' },
    };
    const update = buildLease4Update(record, { compat: '2.2' });
    const del = buildLease4Del(record, { compat: '2.2' });
    if (!update.ok || !del.ok) throw new Error('the core refused to build the requests');
    expect(answerOf(post(serializeKea(update.value)))).toEqual({ result: 0, text: 'IPv4 lease added.' });
    const stored = (await cluster!.command('server1', 'lease4-get', { 'ip-address': '198.18.7.7' })).arguments;
    expect(stored).toEqual({
      'ip-address': '198.18.7.7',
      'hw-address': '0a:0b:0c:0d:0e:0f',
      'client-id': '01:0a:0b:0c:0d:0e:0f',
      'subnet-id': 1,
      cltt: 1795300000,
      'valid-lft': 1800,
      'fqdn-fwd': true,
      'fqdn-rev': false,
      hostname: 'host.example.org.',
      state: 1,
      'user-context': { note: 'from the core' },
    });
    expect(answerOf(post(serializeKea(del.value)))).toEqual({ result: 0, text: 'IPv4 lease deleted.' });
    expect((await cluster!.command('server1', 'lease4-get', { 'ip-address': '198.18.7.7' })).result).toBe(3);
  });

  it('CMD-17 restrict-commands: admin and unknown commands over HTTP get 403, what peers send still passes', async () => {
    const standbyUrl = cluster!.server('server2').url;
    const asPeer = [basic(SERVER2_AUTH.user, SERVER2_AUTH.password)];
    const states = await cluster!.states();
    for (const command of ['ha-sync', 'ha-continue', 'ha-maintenance-start', 'shutdown', 'config-get', 'no-such-command']) {
      const exchange = postInNamespace(ns, standbyUrl, JSON.stringify({ command, service: ['dhcp4'], arguments: { 'server-name': 'server1' } }), { headers: asPeer });
      expect({ command, status: exchange.status, json: exchange.json }).toEqual({ command, status: 403, json: { result: 403, text: 'Forbidden' } });
    }
    expect(answerOf(postInNamespace(ns, standbyUrl, fixture('ha-heartbeat.peer.request.json'), { headers: asPeer }))).toMatchObject({ result: 0 });
    expect(await cluster!.states()).toEqual(states);
  });

  it('malformed, oversized, non-POST and non-map requests get Kea refusals and change nothing', async () => {
    const before = await snapshot();
    const truncated = post('{"command": "lease4-update", "arguments": {"ip-address": "198.18.9.9"');
    expect(truncated.status).toBe(400);
    expect(truncated.json).toMatchObject({ result: 400 });
    expect(post('').json).toEqual([{ result: 1, text: 'Command processing failed: the request body is empty' }]);
    const oversized = post(JSON.stringify({ command: 'lease4-update', arguments: { 'ip-address': '198.18.9.9', padding: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(oversized.status).toBe(413);
    expect(oversized.json).toMatchObject({ result: 1 });
    const get = postInNamespace(ns, url, '', { method: 'GET', headers: [basic(SERVER1_AUTH.user, SERVER1_AUTH.password)], contentType: null });
    expect(get.status).toBe(400);
    const plainText = postInNamespace(ns, url, '{"command":"ha-heartbeat"}', { headers: [basic(SERVER1_AUTH.user, SERVER1_AUTH.password)], contentType: 'text/plain' });
    expect(plainText.status).toBe(400);
    expect(answerOf(post('[1, 2]'))).toEqual({ result: 1, text: 'Error during command processing: Invalid command Element specified, expected map' });
    expect(answerOf(post('{"command": 7}'))).toMatchObject({ result: 1 });
    expect(answerOf(post('{"command": "lease4-update", "arguments": [1]}'))).toEqual({
      result: 1,
      text: "Error during command processing: arguments in the 'lease4-update' command are not a map",
    });
    expect(answerOf(post('{"command": "no-such-command", "service": ["dhcp4"]}'))).toEqual({ result: 2, text: "'no-such-command' command not supported." });
    expect(await snapshot()).toEqual(before);
  });

  it('lease4-update with bad fields is refused with lease_cmds texts (result 1) and stores nothing', async () => {
    const before = await snapshot();
    const lease = { 'ip-address': '198.18.9.9', 'hw-address': '00:01:02:03:04:05', 'subnet-id': 1, 'valid-lft': 3600, expire: 1795309890, 'force-create': true };
    const cases: Array<[Record<string, unknown>, string | RegExp]> = [
      [{ ...lease, 'ip-address': '10.0.0.1' }, 'The address 10.0.0.1 does not belong to subnet 198.18.0.0/16, subnet-id=1'],
      [{ ...lease, 'subnet-id': 99 }, 'Invalid subnet-id: No IPv4 subnet with subnet-id=99 currently configured.'],
      [{ ...lease, 'hw-address': undefined }, "missing parameter 'hw-address'"],
      [{ ...lease, 'hw-address': 'zz:zz' }, /hw-address|hardware address|zz:zz/],
      [{ ...lease, state: 3 }, 'Invalid state value: 3, supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)'],
      [{ ...lease, expire: 100 }, 'expiration time must be greater than valid lifetime for address 198.18.9.9'],
      [{ ...lease, 'valid-lft': -1 }, /valid-lft/],
      [{ ...lease, 'fqdn-fwd': true }, 'No hostname specified and either forward or reverse fqdn was set to true.'],
      [{ ...lease, 'user-context': 'text' }, 'Invalid user context \'"text"\' is not a JSON map.'],
      [{ ...lease, 'ip-address': 'fe80::1' }, /fe80::1/],
    ];
    for (const [args, text] of cases) {
      const answer = answerOf(post(JSON.stringify({ command: 'lease4-update', service: ['dhcp4'], arguments: args })));
      expect(answer.result, JSON.stringify(args)).toBe(1);
      if (typeof text === 'string') expect(answer.text).toBe(text);
      else expect(answer.text).toMatch(text);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('SY-06 SY-15 ha-sync on the unix socket fetches from the named peer and leaves the state alone; an unknown or own name is refused', async () => {
    expect(await cluster!.command('server2', 'ha-sync', { 'server-name': 'server1', 'max-period': 5 })).toEqual({
      result: 0,
      text: 'Lease database synchronization complete.',
    });
    // What the sync brought over: the lease stored through the listener above.
    expect((await cluster!.command('server2', 'lease4-get', { 'ip-address': '198.18.1.0' })).result).toBe(0);
    expect(await cluster!.states()).toEqual({ server1: 'hot-standby', server2: 'hot-standby' });
    expect(await cluster!.command('server2', 'ha-sync', { 'server-name': 'server2' })).toEqual({
      result: 1,
      text: "'server2' points to local server but should point to a partner",
    });
    expect(await cluster!.command('server2', 'ha-sync', { 'server-name': 'server9' })).toEqual({ result: 1, text: 'no configuration specified for server server9' });
    expect(await cluster!.command('server2', 'ha-sync', {})).toEqual({ result: 1, text: "'server-name' is mandatory for the 'ha-sync' command" });
  });
});

describe.skipIf(noNetns !== undefined)('dhcp-disable / dhcp-enable go through the HA network locks: one record of why the service is off (real tandemd processes)', () => {
  let cluster: HaCluster | undefined;

  beforeAll(async () => {
    cluster = HaCluster.create({
      tag: 'lk',
      mode: 'hot-standby',
      servers: [
        { name: 'server1', role: 'primary', octet: 11 },
        { name: 'server2', role: 'standby', octet: 12 },
      ],
    });
    await cluster.start();
    await cluster.waitForStates({ server1: 'hot-standby', server2: 'hot-standby' });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  /** DORA for a few fresh clients through the relay; how many got their ACK. */
  let batch = 0;
  const served = async (): Promise<number> => {
    batch += 1;
    const run = startRelayClients(cluster!, { clients: 3, macBase: `02:d${batch}:00`, concurrency: 3, timeoutMs: 300, retries: 1 });
    const events = await run.finished(20_000);
    return events.filter((e) => e.event === 'ack').length;
  };

  it("§11 a user dhcp-disable holds although the partner's ha-partner dhcp-enable arrives; only the user's dhcp-enable lifts it; max-period re-enables by itself", async () => {
    const c = cluster!;
    expect(await served()).toBe(3);
    expect(await c.command('server1', 'dhcp-disable')).toEqual({ result: 0, text: 'DHCPv4 service disabled' });
    expect(await served()).toBe(0);
    // What a peer sends at the end of a sync: it releases only the partner's own lock.
    const partnerEnable = postInNamespace(c.client.ns, c.server('server1').url, JSON.stringify({ command: 'dhcp-enable', service: ['dhcp4'], arguments: { origin: 'ha-partner' } }));
    expect(partnerEnable.json).toEqual([{ result: 0, text: 'DHCP service successfully enabled' }]);
    expect(await served()).toBe(0);
    expect(await c.state('server1')).toBe('hot-standby');
    expect(await c.command('server1', 'dhcp-enable')).toEqual({ result: 0, text: 'DHCP service successfully enabled' });
    expect(await served()).toBe(3);

    expect(await c.command('server1', 'dhcp-disable', { 'max-period': 2 })).toEqual({ result: 0, text: 'DHCPv4 service disabled for 2 seconds' });
    expect(await served()).toBe(0);
    await sleep(2500);
    expect(await served()).toBe(3);
    expect(await c.command('server1', 'dhcp-disable', { origin: 'nobody' })).toEqual({ result: 1, text: "invalid value used for 'origin' parameter: nobody" });
  });
});
