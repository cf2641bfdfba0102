import { fc, test } from '@fast-check/vitest';
import { startControlServer, type ControlServer } from '@tandem/control';
import {
  answer,
  buildHeartbeatAnswer,
  buildLease4PageAnswer,
  parseHaConfigOrThrow,
  parseLease4GetPageArgs,
  type ControlAnswer,
  type ControlRequest,
  type HaEvent,
  type Lease4Record,
} from '@tandem/core';
import { MemoryLeaseStore, type Lease4 } from '@tandem/leases';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseFromRecord, leaseToRecord } from '../../packages/server/src/ha/lease-record.js';
import { runLeaseSync } from '../../packages/server/src/ha/lease-sync.js';
import { ParkedAnswers } from '../../packages/server/src/ha/parked-answers.js';
import { PerAddressOrder } from '../../packages/server/src/ha/per-address-order.js';
import { PeerClients } from '../../packages/server/src/ha/peer-clients.js';
import {
  exchangeBacklog,
  exchangeHeartbeat,
  exchangeLeaseUpdates,
  exchangeMaintenanceNotify,
  type ExchangeEnv,
} from '../../packages/server/src/ha/peer-exchanges.js';
import { freePort } from '../harness/ports.js';

/**
 * The HA runtime's pieces against real HTTP on loopback: a control server plays the partner with
 * scripted answers, so every answer shape of spec §8.1 reaches the runtime's exchanges as it would
 * from a Kea peer.
 */

const leaseArb: fc.Arbitrary<Lease4> = fc.record(
  {
    address: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
    hwAddress: fc.uint8Array({ minLength: 0, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')),
    clientId: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')),
    validLifetime: fc.nat(),
    cltt: fc.nat(),
    subnetId: fc.integer({ min: 1, max: 0xffffffff }),
    fqdnFwd: fc.boolean(),
    fqdnRev: fc.boolean(),
    hostname: fc.string(),
    state: fc.constantFrom(0 as const, 1 as const, 2 as const),
    userContext: fc.dictionary(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: ['address', 'hwAddress', 'validLifetime', 'cltt', 'subnetId', 'fqdnFwd', 'fqdnRev', 'hostname', 'state'] },
);

describe('lease-record: the store lease and the core lease are one lease', () => {
  test.prop([leaseArb])('leaseFromRecord ∘ leaseToRecord is the identity', (lease) => {
    expect(leaseFromRecord(leaseToRecord(lease))).toEqual(lease);
  });

  it("a HEAD released lease (state 3) is refused: a Kea 2.2 store cannot hold it", () => {
    const record: Lease4Record = { ...leaseToRecord({ address: '192.0.2.1', hwAddress: '', validLifetime: 1, cltt: 1, subnetId: 1, fqdnFwd: false, fqdnRev: false, hostname: '', state: 0 }), state: 3 };
    expect(() => leaseFromRecord(record)).toThrow(/state 3/);
  });
});

describe('parked answers: released on the core word, never twice', () => {
  it('LU-18 a verdict settled within the step is returned at once, not as a promise', () => {
    const parked = new ParkedAnswers();
    const id = parked.open();
    parked.settle(id, { kind: 'send' });
    expect(parked.claim(id)).toEqual({ kind: 'send' });
    expect(parked.parked).toBe(0);
  });

  it('LU-04 a parked answer waits for query.respond or query.drop; shutdown drops what is left', async () => {
    const parked = new ParkedAnswers();
    const first = parked.open();
    const second = parked.open();
    const one = parked.claim(first);
    const two = parked.claim(second);
    expect(one).toBeInstanceOf(Promise);
    parked.settle(first, { kind: 'drop', reason: 'lease update to server2 failed' });
    await expect(one).resolves.toEqual({ kind: 'drop', reason: 'lease update to server2 failed' });
    parked.dropAll('stopping');
    await expect(two).resolves.toEqual({ kind: 'drop', reason: 'stopping' });
    // A late verdict for a finished query changes nothing.
    parked.settle(first, { kind: 'send' });
    expect(parked.parked).toBe(0);
  });
});

describe('per-address order of lease updates to one peer', () => {
  it('§10.2 work on an address waits for earlier work on it at that peer; other addresses and other peers pass', async () => {
    const order = new PerAddressOrder();
    const log: string[] = [];
    let releaseFirst = (): void => undefined;
    const first = order.run('server2', ['192.0.2.1', '192.0.2.2'], async () => {
      log.push('update .1/.2 sent');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      log.push('update .1/.2 acknowledged');
    });
    const sameAddress = order.run('server2', ['192.0.2.2'], async () => void log.push('delete .2 sent'));
    const otherAddress = order.run('server2', ['192.0.2.3'], async () => void log.push('update .3 sent'));
    const otherPeer = order.run('server3', ['192.0.2.2'], async () => void log.push('update .2 to server3 sent'));
    await Promise.all([otherAddress, otherPeer]);
    expect(log).toEqual(['update .1/.2 sent', 'update .3 sent', 'update .2 to server3 sent']);
    releaseFirst();
    await Promise.all([first, sameAddress]);
    expect(log.slice(3)).toEqual(['update .1/.2 acknowledged', 'delete .2 sent']);
    expect(order.pending).toBe(0);
  });

  it('a failed piece of work does not hold the address', async () => {
    const order = new PerAddressOrder();
    await expect(order.run('server2', ['192.0.2.1'], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(order.run('server2', ['192.0.2.1'], async () => 'next')).resolves.toBe('next');
    expect(order.pending).toBe(0);
  });
});

/** A scripted partner: answers each command with the next scripted answer (or a fixed function). */
interface FakePartner {
  readonly server: ControlServer;
  readonly received: ControlRequest[];
  readonly url: string;
}

const started: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

const fakePartner = async (respond: (request: ControlRequest) => ControlAnswer, basicAuth?: { user: string; password: string }): Promise<FakePartner> => {
  const received: ControlRequest[] = [];
  const server = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    ...(basicAuth !== undefined ? { basicAuth: [basicAuth] } : {}),
    dispatch: async (request) => {
      received.push(request);
      return respond(request);
    },
  });
  started.push(server);
  return { server, received, url: `http://127.0.0.1:${server.address.port}/` };
};

const pairConfig = (partnerUrl: string, partnerAuth?: { user: string; password: string }) =>
  parseHaConfigOrThrow({
    'high-availability': [
      {
        'this-server-name': 'server1',
        mode: 'hot-standby',
        peers: [
          { name: 'server1', url: 'http://127.0.0.1:1/', role: 'primary' },
          {
            name: 'server2',
            url: partnerUrl,
            role: 'standby',
            ...(partnerAuth !== undefined ? { 'basic-auth-user': partnerAuth.user, 'basic-auth-password': partnerAuth.password } : {}),
          },
        ],
      },
    ],
  });

const envFor = (partnerUrl: string, partnerAuth?: { user: string; password: string }): ExchangeEnv => ({
  clients: new PeerClients(pairConfig(partnerUrl, partnerAuth)),
  compat: '2.2',
  serverName: 'server1',
  nowMs: () => 1_795_300_000_000,
});

const lease = (address: string, clttS: number, hw = '0a:0b:0c:0d:0e:0f'): Lease4Record => ({
  address,
  hwAddress: hw,
  validLifetimeS: 3600,
  clttS,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: '',
  state: 0,
});

describe('peer exchanges: every answer shape of §8.1 becomes the one result event of its effect', () => {
  it('HB-03 HB-05 a heartbeat answer is parsed into the partner report; a malformed one or a refused connection fails the heartbeat', async () => {
    const good = await fakePartner(() => buildHeartbeatAnswer({ state: 'hot-standby', nowMs: 1_795_300_000_000, scopes: [], unsentUpdateCount: 4 }) as ControlAnswer);
    expect(await exchangeHeartbeat(envFor(good.url), { type: 'heartbeat.send', peer: 'server2' })).toEqual({
      type: 'heartbeat.succeeded',
      nowMs: 1_795_300_000_000,
      partner: { state: 'hot-standby', dateTimeS: 1_795_300_000, scopes: [], unsentUpdateCount: 4 },
    });
    expect(good.received).toEqual([{ command: 'ha-heartbeat', service: ['dhcp4'] }]);

    const bad = await fakePartner(() => answer(0, 'HA peer status returned.', { 'date-time': 'Sun, 22 Nov 2026 00:00:00 GMT' }));
    const failed = await exchangeHeartbeat(envFor(bad.url), { type: 'heartbeat.send', peer: 'server2' });
    expect(failed).toMatchObject({ type: 'heartbeat.failed', reason: expect.stringMatching(/server state not returned/) });

    const closedPort = await freePort('tcp');
    expect(await exchangeHeartbeat(envFor(`http://127.0.0.1:${closedPort}/`), { type: 'heartbeat.send', peer: 'server2' })).toEqual({
      type: 'heartbeat.failed',
      nowMs: 1_795_300_000_000,
      reason: 'Connection refused',
    });
  });

  it('LU-01 LU-02 LU-17 deletions go first, then updates, with the configured credentials; result 3 counts as success', async () => {
    const auth = { user: 'server1', password: 'secret' };
    const partner = await fakePartner((request) => (request.command === 'lease4-del' ? answer(3, 'IPv4 lease not found.') : answer(0, 'IPv4 lease added.')), auth);
    const event = await exchangeLeaseUpdates(envFor(partner.url, auth), {
      type: 'lease-updates.send',
      queryId: 'q1',
      peer: 'server2',
      deleted: [lease('192.0.2.4', 1000)],
      updated: [lease('192.0.2.3', 2000), lease('192.0.2.5', 2000)],
      awaited: true,
    });
    expect(event).toEqual({ type: 'lease-updates.completed', nowMs: 1_795_300_000_000, queryId: 'q1', peer: 'server2', outcome: { kind: 'ok' } });
    expect(partner.received.map((r) => [r.command, r.arguments?.['ip-address'], r.arguments?.expire, r.arguments?.['force-create']])).toEqual([
      ['lease4-del', '192.0.2.4', 4600, undefined],
      ['lease4-update', '192.0.2.3', 5600, true],
      ['lease4-update', '192.0.2.5', 5600, true],
    ]);
  });

  it('LU-06 LU-07 the first refused update ends the batch as an error, whether a result 1 or an HTTP 401', async () => {
    const partner = await fakePartner(() => answer(1, 'bad lease'));
    const refused = await exchangeLeaseUpdates(envFor(partner.url), {
      type: 'lease-updates.send',
      queryId: 'q2',
      peer: 'server2',
      deleted: [],
      updated: [lease('192.0.2.3', 2000), lease('192.0.2.5', 2000)],
      awaited: true,
    });
    expect(refused).toMatchObject({ outcome: { kind: 'error', text: 'bad lease, error code 1' } });
    expect(partner.received).toHaveLength(1);

    const locked = await fakePartner(() => answer(0, 'never reached'), { user: 'x', password: 'y' });
    const unauthorized = await exchangeLeaseUpdates(envFor(locked.url), {
      type: 'lease-updates.send',
      queryId: 'q3',
      peer: 'server2',
      deleted: [],
      updated: [lease('192.0.2.3', 2000)],
      awaited: true,
    });
    expect(unauthorized).toMatchObject({ outcome: { kind: 'error' } });
  });

  it('CR-04 the backlog goes in order; F9 once the machine has left communication-recovery the rest is abandoned, never sent', async () => {
    const partner = await fakePartner(() => answer(0, 'IPv4 lease updated.'));
    const operations = [
      { op: 'update' as const, lease: lease('192.0.2.7', 1000) },
      { op: 'delete' as const, lease: lease('192.0.2.7', 1100) },
      { op: 'update' as const, lease: lease('192.0.2.8', 1200) },
    ];
    const all = await exchangeBacklog(envFor(partner.url), { type: 'backlog.deliver', peer: 'server2', operations }, () => true);
    expect(all).toEqual({ type: 'backlog.delivered', nowMs: 1_795_300_000_000, ok: true });
    expect(partner.received.map((r) => [r.command, r.arguments?.['ip-address']])).toEqual([
      ['lease4-update', '192.0.2.7'],
      ['lease4-del', '192.0.2.7'],
      ['lease4-update', '192.0.2.8'],
    ]);

    // The machine leaves communication-recovery (an ha-reset) while the first operation is on its way.
    const late = await fakePartner(() => answer(0, 'IPv4 lease updated.'));
    const abandoned = await exchangeBacklog(envFor(late.url), { type: 'backlog.deliver', peer: 'server2', operations }, () => late.received.length === 0);
    expect(abandoned).toMatchObject({ type: 'backlog.delivered', ok: false, reason: expect.stringMatching(/abandoned/) });
    expect(late.received.map((r) => r.command)).toEqual(['lease4-update']);
  });

  it('CMD-06 CMD-08 CMD-09 ha-maintenance-notify: 0 accepted, 1 or 401 or no answer unreachable, 1001 refused with the partner text as sent', async () => {
    const outcomeFor = async (respond: () => ControlAnswer, auth?: { user: string; password: string }) => {
      const partner = await fakePartner(respond, auth);
      const event = (await exchangeMaintenanceNotify(envFor(partner.url), {
        type: 'maintenance-notify.send',
        peer: 'server2',
        requestId: 'r1',
        cancel: false,
        state: 'hot-standby',
      })) as Extract<HaEvent, { type: 'maintenance-notify.completed' }>;
      return { request: partner.received[0], outcome: event.outcome };
    };
    const accepted = await outcomeFor(() => answer(0, 'Server is in-maintenance state.'));
    expect(accepted).toEqual({ request: { command: 'ha-maintenance-notify', service: ['dhcp4'], arguments: { cancel: false } }, outcome: { kind: 'accepted' } });
    expect((await outcomeFor(() => answer(1, 'nope'))).outcome).toMatchObject({ kind: 'unreachable' });
    expect((await outcomeFor(() => answer(0, 'x'), { user: 'a', password: 'b' })).outcome).toMatchObject({ kind: 'unreachable' });
    expect((await outcomeFor(() => answer(1001, 'Unable to transition the server from the terminated to in-maintenance state.'))).outcome).toEqual({
      kind: 'refused',
      text: 'Unable to transition the server from the terminated to in-maintenance state.',
      code: 1001,
    });
  });
});

describe('lease sync (§9) against a partner serving lease pages from a real store', () => {
  /** A partner paging `remote` as lease_cmds does; `other` answers the sync's other commands. */
  const pagingPartner = async (remote: MemoryLeaseStore, other: (request: ControlRequest) => ControlAnswer, failPageAfter = Infinity) => {
    let pages = 0;
    const received: ControlRequest[] = [];
    const server = await startControlServer({
      host: '127.0.0.1',
      port: 0,
      dispatch: async (request) => {
        received.push(request);
        if (request.command !== 'lease4-get-page') return other(request);
        pages += 1;
        if (pages > failPageAfter) return answer(1, 'database went away');
        const args = parseLease4GetPageArgs(request.arguments);
        if (!args.ok) return answer(1, args.reason);
        return buildLease4PageAnswer((await remote.page(args.value.from, args.value.limit)).map(leaseToRecord)) as ControlAnswer;
      },
    });
    started.push(server);
    return { received, url: `http://127.0.0.1:${server.address.port}/` };
  };
  const syncEnv = (url: string, store: MemoryLeaseStore, logs: string[] = []) => ({
    clients: new PeerClients(pairConfig(url)),
    store,
    compat: '2.2' as const,
    serverName: 'server1',
    log: (_level: string, id: string) => void logs.push(id),
  });

  it('SY-01 SY-06 dhcp-disable before every page, pages continue after the last address, newer cltt wins, local-only leases stay, then the notify', async () => {
    const remote = new MemoryLeaseStore();
    const local = new MemoryLeaseStore();
    for (let i = 1; i <= 7; i++) await remote.add(leaseFromRecord(lease(`192.0.2.${i}`, 2000, `0a:00:00:00:00:0${i}`)));
    await local.add(leaseFromRecord(lease('192.0.2.2', 3000, '0b:00:00:00:00:02'))); // newer here: kept
    await local.add(leaseFromRecord(lease('192.0.2.3', 1000, '0b:00:00:00:00:03'))); // older here: replaced
    await local.add(leaseFromRecord(lease('192.0.2.99', 1000, '0b:00:00:00:00:99'))); // only here: kept
    const partner = await pagingPartner(remote, (request) =>
      request.command === 'dhcp-disable' ? answer(0, 'DHCPv4 service disabled for 10 seconds') : answer(0, 'Server successfully notified about the synchronization completion.'),
    );
    const received = partner.received;
    const logs: string[] = [];
    const env = syncEnv(partner.url, local, logs);
    const result = await runLeaseSync(env, { source: 'server2', maxPeriodS: 10, pageLimit: 3, pageTimeoutMs: 5000 }, new AbortController().signal);
    expect(result).toMatchObject({ ok: true, pages: 3, leases: 7 });
    expect(received.map((r) => (r.command === 'lease4-get-page' ? `page from ${r.arguments?.from}` : r.command))).toEqual([
      'dhcp-disable',
      'page from start',
      'dhcp-disable',
      'page from 192.0.2.3',
      'dhcp-disable',
      'page from 192.0.2.6',
      'ha-sync-complete-notify',
    ]);
    expect(received[0]?.arguments).toEqual({ origin: 'ha-partner', 'max-period': 10 });
    expect((await local.get('192.0.2.2'))?.hwAddress).toBe('0b:00:00:00:00:02');
    expect((await local.get('192.0.2.3'))?.hwAddress).toBe('0a:00:00:00:00:03');
    expect((await local.get('192.0.2.7'))?.hwAddress).toBe('0a:00:00:00:00:07');
    expect((await local.get('192.0.2.99'))?.hwAddress).toBe('0b:00:00:00:00:99');
    expect(await local.count()).toBe(8);
    expect(logs.filter((id) => id === 'HA_LEASES_SYNC_LEASE_PAGE_RECEIVED')).toHaveLength(3);
  });

  it('a stop during the sync fetches no further page but still re-enables the source it disabled', async () => {
    const remote = new MemoryLeaseStore();
    for (let i = 1; i <= 7; i++) await remote.add(leaseFromRecord(lease(`192.0.2.${i}`, 2000)));
    const stop = new AbortController();
    const partner = await pagingPartner(remote, (request) => {
      if (request.command === 'dhcp-disable' && partner.received.filter((r) => r.command === 'dhcp-disable').length === 1) stop.abort();
      return answer(0, 'ok');
    });
    const result = await runLeaseSync(syncEnv(partner.url, new MemoryLeaseStore()), { source: 'server2', maxPeriodS: 0, pageLimit: 3, pageTimeoutMs: 5000 }, stop.signal);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/shutting down/) });
    expect(partner.received.map((r) => r.command)).toEqual(['dhcp-disable', 'dhcp-enable']);
  });

  it('SY-08 a failed page re-enables the source with dhcp-enable and reports the first error; SY-10 an unsupported notify falls back to dhcp-enable', async () => {
    const remote = new MemoryLeaseStore();
    for (let i = 1; i <= 4; i++) await remote.add(leaseFromRecord(lease(`192.0.2.${i}`, 2000)));
    const scripted = async (notify: ControlAnswer, failPageAfter: number) => {
      const partner = await pagingPartner(remote, (request) => (request.command === 'ha-sync-complete-notify' ? notify : answer(0, 'ok')), failPageAfter);
      const result = await runLeaseSync(syncEnv(partner.url, new MemoryLeaseStore()), { source: 'server2', maxPeriodS: 0, pageLimit: 3, pageTimeoutMs: 5000 }, new AbortController().signal);
      return { result, received: partner.received.map((r) => r.command) };
    };
    const failed = await scripted(answer(0, 'notified'), 1);
    expect(failed.result).toMatchObject({ ok: false, error: 'database went away, error code 1' });
    expect(failed.received).toEqual(['dhcp-disable', 'lease4-get-page', 'dhcp-disable', 'lease4-get-page', 'dhcp-enable']);

    const oldPeer = await scripted(answer(2, "'ha-sync-complete-notify' command not supported."), Infinity);
    expect(oldPeer.result).toMatchObject({ ok: true, leases: 4 });
    expect(oldPeer.received.slice(-2)).toEqual(['ha-sync-complete-notify', 'dhcp-enable']);
  });
});
