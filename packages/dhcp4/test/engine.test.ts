import { describe, expect, it } from 'vitest';
import type { Lease4 } from '@tandem/leases';
import {
  BROADCAST_FLAG,
  clientIdentifier,
  domainName,
  domainNameServers,
  encodePacket,
  decodePacket,
  findOption,
  hostName,
  leaseTimeS,
  MessageType,
  messageType,
  OptionCode,
  rebindingTimeS,
  relayAgentInformation,
  renewalTimeS,
  routers,
  serverIdentifier,
  subnetMask,
  subnetSelection,
  type Dhcp4Packet,
  type ProcessResult,
} from '../src/index.js';
import { BASE_CONFIG, context, makeEngine, NOW_S, relayedContext, SERVER_ADDRESS } from './engine-fixtures.js';
import { buildQuery, decline, discover, inform, release, request } from './packets.js';

const MAC_A = '0a:00:00:00:00:0a';
const MAC_B = '0a:00:00:00:00:0b';

function answer(result: ProcessResult): Dhcp4Packet & { destination: { address: string; port: number; broadcast: boolean } } {
  if (result.kind !== 'respond') throw new Error(`expected an answer, got drop: ${result.reason}`);
  // Answers must survive the wire like any packet the daemon sends.
  const decoded = decodePacket(encodePacket(result.response));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return { ...decoded.packet, destination: result.destination };
}

function dropReason(result: ProcessResult): string {
  if (result.kind !== 'drop') throw new Error(`expected a drop, got ${messageType(result.response)}`);
  return result.reason;
}

const codes = (p: Dhcp4Packet) => p.options.map((o) => o.code);

/** DISCOVER then REQUEST (SELECTING), the way a client gets its first lease. */
async function obtain(engine: ReturnType<typeof makeEngine>['engine'], mac: string, ctx = context(), extra: Parameters<typeof discover>[0] = {}) {
  const offer = answer(await engine.process(discover({ mac, ...extra }), ctx));
  const ack = await engine.process(request({ mac, requested: offer.yiaddr, serverId: serverIdentifier(offer)!, ...extra }), ctx);
  return { offer, ack };
}

describe('DHCPDISCOVER', () => {
  it('LU-18 offers the first free address of the pool of the HA class, with the basic options, and writes nothing', async () => {
    const { engine, store } = makeEngine();
    const result = await engine.process(discover({ mac: MAC_A, prl: [1, 3, 6, 15, 42] }), context());
    const offer = answer(result);
    expect(messageType(offer)).toBe(MessageType.OFFER);
    expect(offer.yiaddr).toBe('192.0.2.10');
    expect(offer.ciaddr).toBe('0.0.0.0');
    expect(serverIdentifier(offer)).toBe(SERVER_ADDRESS);
    expect(leaseTimeS(offer)).toBe(3600);
    expect(subnetMask(offer)).toBe('255.255.255.0');
    expect(routers(offer)).toEqual(['192.0.2.1']);
    expect(domainNameServers(offer)).toEqual(['192.0.2.53']);
    expect(domainName(offer)).toBe('example.org');
    expect(codes(offer)).toEqual([53, 54, 51, 1, 3, 6, 15, 42]);
    expect([...offer.chaddr.subarray(0, 6)]).toEqual([0x0a, 0, 0, 0, 0, 0x0a]);
    expect(offer.destination).toEqual({ address: '255.255.255.255', port: 68, broadcast: true });
    expect(result.leaseChanges).toEqual({ updated: [], deleted: [] });
    expect(await store.count()).toBe(0);
  });

  it("offers from the other server's pool to a client classified HA_server2", async () => {
    const { engine } = makeEngine();
    const offer = answer(await engine.process(discover({ mac: MAC_A }), context({ classes: ['HA_server2'] })));
    expect(offer.yiaddr).toBe('192.0.2.20');
  });

  it('sends options not asked for only when they are basic ones (routers, name servers, domain name)', async () => {
    const { engine } = makeEngine();
    const offer = answer(await engine.process(discover({ mac: MAC_A }), context()));
    expect(codes(offer)).toEqual([53, 54, 51, 1, 3, 6, 15]);
  });

  it('offers different addresses to clients discovering one after another', async () => {
    const { engine } = makeEngine();
    const a = answer(await engine.process(discover({ mac: MAC_A }), context()));
    const b = answer(await engine.process(discover({ mac: MAC_B }), context()));
    expect(a.yiaddr).not.toBe(b.yiaddr);
  });

  it('offers the address the client asks for (option 50) when it is free and allowed', async () => {
    const { engine } = makeEngine();
    const offer = answer(await engine.process(discover({ mac: MAC_A, requested: '192.0.2.15' }), context()));
    expect(offer.yiaddr).toBe('192.0.2.15');
    const outside = answer(await engine.process(discover({ mac: MAC_A, requested: '192.0.2.25' }), context()));
    expect(outside.yiaddr).toBe('192.0.2.10');
  });

  it("offers a client its existing lease, and not another client's", async () => {
    const { engine } = makeEngine();
    const first = answer((await obtain(engine, MAC_A, context(), { requested: '192.0.2.17' })).ack);
    expect(first.yiaddr).toBe('192.0.2.17');
    const again = answer(await engine.process(discover({ mac: MAC_A }), context({ nowS: NOW_S + 10 })));
    expect(again.yiaddr).toBe('192.0.2.17');
    const other = answer(await engine.process(discover({ mac: MAC_B, requested: '192.0.2.17' }), context()));
    expect(other.yiaddr).not.toBe('192.0.2.17');
  });

  it('drops when the pool of the client class is exhausted', async () => {
    const { engine } = makeEngine({
      subnet4: [{ id: 1, subnet: '192.0.2.0/24', interface: 'eth0', pools: [{ pool: '192.0.2.10 - 192.0.2.11', 'client-class': 'HA_server1' }] }],
    });
    await obtain(engine, '0a:00:00:00:00:01');
    await obtain(engine, '0a:00:00:00:00:02');
    const reason = dropReason(await engine.process(discover({ mac: MAC_A }), context()));
    expect(reason).toMatch(/no address available in subnet 1 .*HA_server1/);
  });

  it('drops a client whose classes allow no pool', async () => {
    const { engine } = makeEngine();
    expect(dropReason(await engine.process(discover({ mac: MAC_A }), context({ classes: [] })))).toMatch(/no address available/);
  });

  it('drops a query from a network it has no subnet for', async () => {
    const { engine } = makeEngine();
    const reason = dropReason(await engine.process(discover({ mac: MAC_A, giaddr: '172.16.0.1' }), relayedContext()));
    expect(reason).toBe(`DHCPDISCOVER from hw ${MAC_A}: no subnet for relay 172.16.0.1`);
  });

  it('drops a DISCOVER carrying a server identifier', async () => {
    const { engine } = makeEngine();
    expect(dropReason(await engine.process(discover({ mac: MAC_A, serverId: SERVER_ADDRESS }), context()))).toMatch(/must not carry a server identifier/);
  });

  it('answers a relayed query through the relay, echoing relay agent information last', async () => {
    const { engine } = makeEngine();
    const relay = [
      { code: 1, data: Uint8Array.of(0x70, 0x31) },
      { code: 2, data: Uint8Array.of(9, 9) },
    ];
    const offer = answer(await engine.process(discover({ mac: MAC_A, giaddr: '10.99.0.1', relay }), relayedContext()));
    expect(offer.yiaddr).toBe('10.20.1.0');
    expect(offer.giaddr).toBe('10.99.0.1');
    expect(offer.hops).toBe(1);
    expect(offer.destination).toEqual({ address: '10.99.0.1', port: 67, broadcast: false });
    expect(codes(offer).at(-1)).toBe(OptionCode.RELAY_AGENT_INFORMATION);
    expect(relayAgentInformation(offer)!.subOptions.map((s) => [s.code, [...s.data]])).toEqual([
      [1, [0x70, 0x31]],
      [2, [9, 9]],
    ]);
    expect(serverIdentifier(offer)).toBe('10.0.0.2');
  });
});

describe('subnet selection', () => {
  it('uses subnet selection (118) before the relay address, and echoes it', async () => {
    const { engine } = makeEngine();
    const offer = answer(
      await engine.process(discover({ mac: MAC_A, giaddr: '10.99.0.1', subnetSelection: '192.0.2.0' }), relayedContext()),
    );
    expect(offer.yiaddr).toBe('192.0.2.10');
    expect(subnetSelection(offer)).toBe('192.0.2.0');
  });

  it("uses the relay's link-selection sub-option before giaddr", async () => {
    const { engine } = makeEngine();
    const offer = answer(
      await engine.process(
        discover({ mac: MAC_A, giaddr: '10.99.0.1', relay: [{ code: 5, data: Uint8Array.of(192, 0, 2, 0) }] }),
        relayedContext(),
      ),
    );
    expect(offer.yiaddr).toBe('192.0.2.10');
  });

  it('matches giaddr inside a subnet without relay configuration', async () => {
    const { engine } = makeEngine();
    const offer = answer(await engine.process(discover({ mac: MAC_A, giaddr: '192.0.2.254' }), relayedContext()));
    expect(offer.yiaddr).toBe('192.0.2.10');
  });

  it("uses the receiving interface's name, then its address, for a local client", async () => {
    const { engine } = makeEngine();
    const byName = answer(await engine.process(discover({ mac: MAC_A }), context({ receivedOn: { interfaceName: 'eth0', localAddress: '10.0.0.2' } })));
    expect(byName.yiaddr).toBe('192.0.2.10');
    const byAddress = answer(
      await engine.process(discover({ mac: MAC_A }), context({ receivedOn: { interfaceName: 'eth7', localAddress: '10.20.0.1' } })),
    );
    expect(byAddress.yiaddr).toBe('10.20.1.0');
  });

  it('skips a subnet guarded by a class the client lacks', async () => {
    const { engine } = makeEngine({
      subnet4: [
        { id: 1, subnet: '192.0.2.0/24', interface: 'eth0', 'client-class': 'HA_server2', pools: [{ pool: '192.0.2.10 - 192.0.2.19' }] },
      ],
    });
    expect(dropReason(await engine.process(discover({ mac: MAC_A }), context()))).toMatch(/no subnet/);
    expect(answer(await engine.process(discover({ mac: MAC_A }), context({ classes: ['HA_server2'] }))).yiaddr).toBe('192.0.2.10');
  });
});

describe('DHCPREQUEST', () => {
  it('SELECTING: acknowledges the offered address, stores the lease and reports it', async () => {
    const { engine, store } = makeEngine();
    const { offer, ack: result } = await obtain(engine, MAC_A, context(), { hostname: 'Laptop' });
    const ack = answer(result);
    expect(messageType(ack)).toBe(MessageType.ACK);
    expect(ack.yiaddr).toBe(offer.yiaddr);
    expect(ack.destination).toEqual({ address: '255.255.255.255', port: 68, broadcast: true });
    const expected: Lease4 = {
      address: '192.0.2.10',
      hwAddress: MAC_A,
      validLifetime: 3600,
      cltt: NOW_S,
      subnetId: 1,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: 'laptop',
      state: 0,
    };
    expect(result.leaseChanges).toEqual({ updated: [expected], deleted: [] });
    expect(await store.get('192.0.2.10')).toEqual(expected);
    expect(hostName(ack)).toBe('laptop');
  });

  it('SELECTING: stays silent when the client chose another server', async () => {
    const { engine, store } = makeEngine();
    const reason = dropReason(await engine.process(request({ mac: MAC_A, requested: '192.0.2.10', serverId: '192.0.2.2' }), context()));
    expect(reason).toMatch(/server identifier 192.0.2.2 is not this server's/);
    expect(await store.count()).toBe(0);
  });

  it('SELECTING: accepts a configured dhcp-server-identifier and sends it', async () => {
    const { engine } = makeEngine({ ...BASE_CONFIG, 'option-data': [{ name: 'dhcp-server-identifier', data: '198.51.100.7' }] });
    const offer = answer(await engine.process(discover({ mac: MAC_A }), context()));
    expect(serverIdentifier(offer)).toBe('198.51.100.7');
    const ack = answer(await engine.process(request({ mac: MAC_A, requested: offer.yiaddr, serverId: '198.51.100.7' }), context()));
    expect(ack.yiaddr).toBe(offer.yiaddr);
  });

  it('RENEWING: extends the lease in place and unicasts to ciaddr', async () => {
    const { engine, store } = makeEngine();
    await obtain(engine, MAC_A);
    const later = context({ nowS: NOW_S + 1800, source: { address: '192.0.2.10', port: 68 } });
    const result = await engine.process(request({ mac: MAC_A, ciaddr: '192.0.2.10' }), later);
    const ack = answer(result);
    expect(ack.yiaddr).toBe('192.0.2.10');
    expect(ack.ciaddr).toBe('192.0.2.10');
    expect(ack.destination).toEqual({ address: '192.0.2.10', port: 68, broadcast: false });
    expect(result.leaseChanges.updated.map((l) => [l.address, l.cltt])).toEqual([['192.0.2.10', NOW_S + 1800]]);
    expect((await store.get('192.0.2.10'))!.cltt).toBe(NOW_S + 1800);
  });

  it('sends T1 and T2 when configured, and computes them with calculate-tee-times', async () => {
    const configured = makeEngine({ ...BASE_CONFIG, 'renew-timer': 900, 'rebind-timer': 1800 }).engine;
    const a = answer((await obtain(configured, MAC_A)).ack);
    expect([renewalTimeS(a), rebindingTimeS(a)]).toEqual([900, 1800]);
    const calculated = makeEngine({ ...BASE_CONFIG, 'calculate-tee-times': true }).engine;
    const b = answer((await obtain(calculated, MAC_A)).ack);
    expect([renewalTimeS(b), rebindingTimeS(b)]).toEqual([1800, 3150]);
    const insane = makeEngine({ ...BASE_CONFIG, 'renew-timer': 5000, 'rebind-timer': 4000 }).engine;
    const c = answer((await obtain(insane, MAC_A)).ack);
    expect([renewalTimeS(c), rebindingTimeS(c)]).toEqual([undefined, undefined]);
  });

  it('bounds a requested lease time by min/max-valid-lifetime', async () => {
    const { engine } = makeEngine({ ...BASE_CONFIG, 'min-valid-lifetime': 600, 'max-valid-lifetime': 7200 });
    const long = answer((await obtain(engine, MAC_A, context(), { leaseTimeS: 100000 })).ack);
    expect(leaseTimeS(long)).toBe(7200);
    const short = answer((await obtain(engine, MAC_B, context(), { leaseTimeS: 60 })).ack);
    expect(leaseTimeS(short)).toBe(600);
  });

  it('§10.1 moving to another address deletes the old lease and reports both (update + delete)', async () => {
    const { engine, store } = makeEngine();
    await obtain(engine, MAC_A, context(), { requested: '192.0.2.12' });
    const result = await engine.process(request({ mac: MAC_A, requested: '192.0.2.14', serverId: SERVER_ADDRESS }), context());
    expect(answer(result).yiaddr).toBe('192.0.2.14');
    expect(result.leaseChanges.updated.map((l) => l.address)).toEqual(['192.0.2.14']);
    expect(result.leaseChanges.deleted.map((l) => l.address)).toEqual(['192.0.2.12']);
    expect(await store.get('192.0.2.12')).toBeUndefined();
  });

  it('LU-18 NAK: the requested address is leased to another client, and a NAK changes no lease', async () => {
    const { engine, store } = makeEngine();
    await obtain(engine, MAC_A, context(), { requested: '192.0.2.12' });
    const result = await engine.process(request({ mac: MAC_B, requested: '192.0.2.12', serverId: SERVER_ADDRESS }), context());
    const nak = answer(result);
    expect(messageType(nak)).toBe(MessageType.NAK);
    expect(nak.yiaddr).toBe('0.0.0.0');
    expect(codes(nak)).toEqual([53, 54]);
    expect(nak.destination).toEqual({ address: '255.255.255.255', port: 68, broadcast: true });
    expect(result.leaseChanges).toEqual({ updated: [], deleted: [] });
    expect((await store.get('192.0.2.12'))!.hwAddress).toBe(MAC_A);
  });

  it('NAK: an address of a pool the client classes exclude; silence for an address in no pool', async () => {
    const { engine } = makeEngine();
    const nak = answer(await engine.process(request({ mac: MAC_A, requested: '192.0.2.25', serverId: SERVER_ADDRESS }), context()));
    expect(messageType(nak)).toBe(MessageType.NAK);
    const reason = dropReason(await engine.process(request({ mac: MAC_A, requested: '192.0.2.200', serverId: SERVER_ADDRESS }), context()));
    expect(reason).toMatch(/192.0.2.200 is in no pool of subnet 1/);
  });

  it('NAK: a relayed NAK goes to the relay with the broadcast bit set', async () => {
    const { engine } = makeEngine();
    const taken = answer((await obtain(engine, MAC_B, relayedContext(), { giaddr: '10.99.0.1' })).ack).yiaddr;
    const nak = answer(
      await engine.process(request({ mac: MAC_A, giaddr: '10.99.0.1', requested: taken, serverId: '10.0.0.2' }), relayedContext()),
    );
    expect(messageType(nak)).toBe(MessageType.NAK);
    expect(nak.flags & BROADCAST_FLAG).toBe(BROADCAST_FLAG);
    expect(nak.destination).toEqual({ address: '10.99.0.1', port: 67, broadcast: false });
  });

  it('NAK: SELECTING or RENEWING from a network without a subnet', async () => {
    const { engine } = makeEngine();
    const nak = answer(
      await engine.process(request({ mac: MAC_A, giaddr: '172.16.0.1', requested: '172.16.0.9', serverId: '10.0.0.2' }), relayedContext()),
    );
    expect(messageType(nak)).toBe(MessageType.NAK);
  });

  describe('INIT-REBOOT (requested address, no server identifier)', () => {
    it('acknowledges a known client asking for its own address', async () => {
      const { engine } = makeEngine();
      await obtain(engine, MAC_A, context(), { requested: '192.0.2.13' });
      const ack = answer(await engine.process(request({ mac: MAC_A, requested: '192.0.2.13' }), context({ nowS: NOW_S + 100 })));
      expect(messageType(ack)).toBe(MessageType.ACK);
      expect(ack.yiaddr).toBe('192.0.2.13');
    });

    it('NAKs a known client asking for an address that is not its lease', async () => {
      const { engine } = makeEngine();
      await obtain(engine, MAC_A, context(), { requested: '192.0.2.13' });
      const nak = answer(await engine.process(request({ mac: MAC_A, requested: '192.0.2.14' }), context()));
      expect(messageType(nak)).toBe(MessageType.NAK);
    });

    it('stays silent for an unknown client when not authoritative', async () => {
      const { engine } = makeEngine();
      expect(dropReason(await engine.process(request({ mac: MAC_A, requested: '192.0.2.13' }), context()))).toMatch(
        /without a lease here \(not authoritative/,
      );
    });

    it('NAKs an unknown client when authoritative', async () => {
      const { engine } = makeEngine({ ...BASE_CONFIG, authoritative: true });
      const nak = answer(await engine.process(request({ mac: MAC_A, requested: '192.0.2.13' }), context()));
      expect(messageType(nak)).toBe(MessageType.NAK);
    });

    it('on an unknown network: silent unless authoritative', async () => {
      const quiet = makeEngine().engine;
      expect(dropReason(await quiet.process(request({ mac: MAC_A, giaddr: '172.16.0.1', requested: '172.16.0.9' }), relayedContext()))).toMatch(
        /no subnet/,
      );
      const loud = makeEngine({ ...BASE_CONFIG, authoritative: true }).engine;
      const nak = answer(await loud.process(request({ mac: MAC_A, giaddr: '172.16.0.1', requested: '172.16.0.9' }), relayedContext()));
      expect(messageType(nak)).toBe(MessageType.NAK);
    });
  });

  it('allocates from the pool when a REQUEST names no address at all', async () => {
    const { engine } = makeEngine();
    const ack = answer(await engine.process(request({ mac: MAC_A, serverId: SERVER_ADDRESS }), context()));
    expect(ack.yiaddr).toBe('192.0.2.10');
  });

  it('reuses an expired lease of another client', async () => {
    const { engine } = makeEngine({
      'valid-lifetime': 100,
      subnet4: [{ id: 1, subnet: '192.0.2.0/24', interface: 'eth0', pools: [{ pool: '192.0.2.10 - 192.0.2.10' }] }],
    });
    await obtain(engine, MAC_A);
    expect(dropReason(await engine.process(discover({ mac: MAC_B }), context({ nowS: NOW_S + 50 })))).toMatch(/no address available/);
    const { ack } = await obtain(engine, MAC_B, context({ nowS: NOW_S + 101 }));
    expect(answer(ack).yiaddr).toBe('192.0.2.10');
    expect(ack.leaseChanges.updated[0]!.hwAddress).toBe(MAC_B);
  });
});

describe('client identity', () => {
  it('with match-client-id a client is its client identifier, whatever its MAC', async () => {
    const { engine } = makeEngine();
    const first = answer((await obtain(engine, MAC_A, context(), { clientId: '01:aa:bb' })).ack);
    const sameId = answer(await engine.process(discover({ mac: MAC_B, clientId: '01:aa:bb' }), context()));
    expect(sameId.yiaddr).toBe(first.yiaddr);
    const sameMacOtherId = answer(await engine.process(discover({ mac: MAC_A, clientId: '01:cc:dd' }), context()));
    expect(sameMacOtherId.yiaddr).not.toBe(first.yiaddr);
  });

  it('records the client identifier, and echoes it unless echo-client-id is off', async () => {
    const { engine } = makeEngine();
    const { ack } = await obtain(engine, MAC_A, context(), { clientId: '01:aa:bb' });
    expect(ack.leaseChanges.updated[0]!.clientId).toBe('01:aa:bb');
    expect([...clientIdentifier(answer(ack))!]).toEqual([1, 0xaa, 0xbb]);
    const quiet = makeEngine({ ...BASE_CONFIG, 'echo-client-id': false }).engine;
    expect(clientIdentifier(answer((await obtain(quiet, MAC_A, context(), { clientId: '01:aa:bb' })).ack))).toBeUndefined();
  });

  it('with match-client-id off, leases carry no client identifier and the MAC decides', async () => {
    const { engine } = makeEngine({ ...BASE_CONFIG, 'match-client-id': false });
    const { ack } = await obtain(engine, MAC_A, context(), { clientId: '01:aa:bb' });
    expect(ack.leaseChanges.updated[0]!.clientId).toBeUndefined();
    const again = answer(await engine.process(discover({ mac: MAC_A, clientId: '01:cc:dd' }), context()));
    expect(again.yiaddr).toBe(answer(ack).yiaddr);
  });

  it('drops a query with neither hardware address nor client identifier', async () => {
    const { engine } = makeEngine();
    const query = { ...discover(), hlen: 0 };
    expect(dropReason(await engine.process(query, context()))).toMatch(/no hardware address and no client identifier/);
  });

  it('drops a BOOTREPLY', async () => {
    const { engine } = makeEngine();
    expect(dropReason(await engine.process({ ...discover(), op: 2 }, context()))).toMatch(/not a client query/);
  });
});

describe('reservations', () => {
  const withReservations = {
    ...BASE_CONFIG,
    subnet4: [
      {
        ...BASE_CONFIG.subnet4[0],
        reservations: [
          { 'hw-address': MAC_A, 'ip-address': '192.0.2.100', hostname: 'Printer', 'option-data': [{ name: 'routers', data: '192.0.2.254' }] },
          { 'client-id': '01:11:22', 'ip-address': '192.0.2.15' },
        ],
      },
      BASE_CONFIG.subnet4[1],
    ],
  };

  it('offers and acknowledges the reserved address, with its hostname and options', async () => {
    const { engine } = makeEngine(withReservations);
    const { offer, ack } = await obtain(engine, MAC_A);
    expect(offer.yiaddr).toBe('192.0.2.100');
    const acked = answer(ack);
    expect(acked.yiaddr).toBe('192.0.2.100');
    expect(hostName(acked)).toBe('printer');
    expect(routers(acked)).toEqual(['192.0.2.254']);
    expect(ack.leaseChanges.updated[0]!.hostname).toBe('printer');
  });

  it('never gives a reserved address to another client', async () => {
    const { engine } = makeEngine(withReservations);
    for (let i = 0; i < 6; i++) {
      const ack = answer((await obtain(engine, `0a:00:00:00:01:0${i}`)).ack);
      expect(ack.yiaddr).not.toBe('192.0.2.15');
    }
    const nak = answer(await engine.process(request({ mac: MAC_B, requested: '192.0.2.15', serverId: SERVER_ADDRESS }), context()));
    expect(messageType(nak)).toBe(MessageType.NAK);
  });

  it('NAKs a client asking for another address while its reserved one is free', async () => {
    const { engine } = makeEngine(withReservations);
    const nak = answer(await engine.process(request({ mac: MAC_A, requested: '192.0.2.11', serverId: SERVER_ADDRESS }), context()));
    expect(messageType(nak)).toBe(MessageType.NAK);
  });

  it('finds a reservation by client identifier', async () => {
    const { engine } = makeEngine(withReservations);
    expect(answer(await engine.process(discover({ mac: MAC_B, clientId: '01:11:22' }), context())).yiaddr).toBe('192.0.2.15');
  });
});

describe('client classes', () => {
  it('applies options of classes whose member() test matches, and of required classes', async () => {
    const { engine } = makeEngine({
      ...BASE_CONFIG,
      'client-classes': [
        { name: 'first', test: "member('HA_server1')", 'option-data': [{ name: 'tftp-server-name', data: 'tftp1', 'always-send': true }] },
        { name: 'second', test: "not member('HA_server1')", 'option-data': [{ name: 'tftp-server-name', data: 'tftp2', 'always-send': true }] },
        { name: 'gated', test: "member('first')", 'only-if-required': true, 'option-data': [{ code: 224, data: '01', 'csv-format': false, 'always-send': true }] },
        { name: 'unknown-only', test: "member('UNKNOWN')", 'valid-lifetime': 600 },
      ],
      subnet4: [{ ...BASE_CONFIG.subnet4[0], 'require-client-classes': ['gated'] }],
    });
    const one = answer(await engine.process(discover({ mac: MAC_A }), context()));
    expect(new TextDecoder().decode(findOption(one, 66)!.data)).toBe('tftp1');
    expect([...findOption(one, 224)!.data]).toEqual([1]);
    expect(leaseTimeS(one)).toBe(600);
    const two = answer(await engine.process(discover({ mac: MAC_B }), context({ classes: ['HA_server2'] })));
    expect(new TextDecoder().decode(findOption(two, 66)!.data)).toBe('tftp2');
    expect(findOption(two, 224)).toBeUndefined();
  });

  it('sends options in the order of the parameter request list', async () => {
    const { engine } = makeEngine();
    const offer = answer(await engine.process(discover({ mac: MAC_A, prl: [42, 15, 3] }), context()));
    expect(codes(offer)).toEqual([53, 54, 51, 1, 42, 15, 3, 6]);
  });
});

describe('DHCPDECLINE', () => {
  it('quarantines the address for decline-probation-period and reports the declined lease', async () => {
    const { engine, store } = makeEngine({ ...BASE_CONFIG, 'decline-probation-period': 600 });
    await obtain(engine, MAC_A, context(), { requested: '192.0.2.10', clientId: '01:aa' });
    const result = await engine.process(decline({ mac: MAC_A, clientId: '01:aa', requested: '192.0.2.10', serverId: SERVER_ADDRESS }), context({ nowS: NOW_S + 5 }));
    expect(dropReason(result)).toMatch(/declined 192.0.2.10: quarantined for 600 s/);
    const declined: Lease4 = {
      address: '192.0.2.10',
      hwAddress: '',
      validLifetime: 600,
      cltt: NOW_S + 5,
      subnetId: 1,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: '',
      state: 1,
    };
    expect(result.leaseChanges).toEqual({ updated: [declined], deleted: [] });
    expect(await store.get('192.0.2.10')).toEqual(declined);
    const during = answer(await engine.process(discover({ mac: MAC_B, requested: '192.0.2.10' }), context({ nowS: NOW_S + 100 })));
    expect(during.yiaddr).not.toBe('192.0.2.10');
    const after = answer(await engine.process(discover({ mac: MAC_B, requested: '192.0.2.10' }), context({ nowS: NOW_S + 606 })));
    expect(after.yiaddr).toBe('192.0.2.10');
  });

  it("ignores a decline of someone else's address, or without option 50", async () => {
    const { engine, store } = makeEngine();
    await obtain(engine, MAC_A, context(), { requested: '192.0.2.10' });
    expect(dropReason(await engine.process(decline({ mac: MAC_B, requested: '192.0.2.10' }), context()))).toMatch(/another client's/);
    expect(dropReason(await engine.process(decline({ mac: MAC_A }), context()))).toMatch(/no requested address/);
    expect((await store.get('192.0.2.10'))!.state).toBe(0);
  });
});

describe('DHCPRELEASE', () => {
  it('deletes the lease and reports it', async () => {
    const { engine, store } = makeEngine();
    const { ack } = await obtain(engine, MAC_A);
    const result = await engine.process(release({ mac: MAC_A, ciaddr: '192.0.2.10', serverId: SERVER_ADDRESS }), context());
    expect(dropReason(result)).toMatch(/released 192.0.2.10/);
    expect(result.leaseChanges).toEqual({ updated: [], deleted: [ack.leaseChanges.updated[0]] });
    expect(await store.get('192.0.2.10')).toBeUndefined();
  });

  it("does not release another client's lease", async () => {
    const { engine, store } = makeEngine();
    await obtain(engine, MAC_A);
    const result = await engine.process(release({ mac: MAC_B, ciaddr: '192.0.2.10' }), context());
    expect(dropReason(result)).toMatch(/another client's/);
    expect(result.leaseChanges.deleted).toEqual([]);
    expect(await store.get('192.0.2.10')).toBeDefined();
  });
});

describe('DHCPINFORM', () => {
  it('LU-18 acknowledges with configuration only: no lease time, yiaddr 0, to ciaddr, no lease change', async () => {
    const { engine, store } = makeEngine();
    const result = await engine.process(inform({ mac: MAC_A, ciaddr: '192.0.2.200', prl: [1, 3, 42] }), context({ source: { address: '192.0.2.200', port: 68 } }));
    const ack = answer(result);
    expect(messageType(ack)).toBe(MessageType.ACK);
    expect(ack.yiaddr).toBe('0.0.0.0');
    expect(ack.ciaddr).toBe('192.0.2.200');
    expect(codes(ack)).toEqual([53, 54, 1, 3, 42, 6, 15]);
    expect(ack.destination).toEqual({ address: '192.0.2.200', port: 68, broadcast: false });
    expect(await store.count()).toBe(0);
    expect(result.leaseChanges).toEqual({ updated: [], deleted: [] });
  });

  it('answers a relayed INFORM without ciaddr through the relay, asking it to broadcast', async () => {
    const { engine } = makeEngine();
    const ack = answer(await engine.process(inform({ mac: MAC_A, giaddr: '10.99.0.1' }), relayedContext()));
    expect(ack.destination).toEqual({ address: '10.99.0.1', port: 67, broadcast: false });
    expect(ack.flags & BROADCAST_FLAG).toBe(BROADCAST_FLAG);
  });
});

describe('reclamation', () => {
  it('keeps expired leases as expired-reclaimed (flushing on) and offers the address again', async () => {
    const { engine, store } = makeEngine({ ...BASE_CONFIG, 'valid-lifetime': 100 });
    await obtain(engine, MAC_A);
    await obtain(engine, MAC_B);
    await engine.process(request({ mac: MAC_B, ciaddr: '192.0.2.11' }), context({ nowS: NOW_S + 90 }));
    const changes = await engine.reclaimExpired(NOW_S + 150, 10);
    expect(changes.deleted).toEqual([]);
    expect(changes.updated.map((l) => [l.address, l.state, l.hostname])).toEqual([['192.0.2.10', 2, '']]);
    expect((await store.get('192.0.2.10'))!.state).toBe(2);
    expect((await store.get('192.0.2.11'))!.state).toBe(0);
    expect(await engine.reclaimExpired(NOW_S + 150, 10)).toEqual({ updated: [], deleted: [] });
    // The old client is offered its reclaimed address again.
    expect(answer(await engine.process(discover({ mac: MAC_A }), context({ nowS: NOW_S + 160 }))).yiaddr).toBe('192.0.2.10');
    const flushed = await engine.flushReclaimed(NOW_S + 100 + 3600 + 1, 0);
    expect(flushed.deleted.map((l) => l.address)).toEqual(['192.0.2.10']);
  });

  it('deletes expired leases when flushing is disabled', async () => {
    const { engine, store } = makeEngine({ ...BASE_CONFIG, 'valid-lifetime': 100, 'expired-leases-processing': { 'flush-reclaimed-timer-wait-time': 0 } });
    await obtain(engine, MAC_A);
    const changes = await engine.reclaimExpired(NOW_S + 101, 0);
    expect(changes.deleted.map((l) => l.address)).toEqual(['192.0.2.10']);
    expect(await store.count()).toBe(0);
  });

  it('reclaims a declined address after its probation', async () => {
    const { engine, store } = makeEngine({ ...BASE_CONFIG, 'decline-probation-period': 60 });
    await obtain(engine, MAC_A);
    await engine.process(decline({ mac: MAC_A, requested: '192.0.2.10' }), context());
    expect((await engine.reclaimExpired(NOW_S + 30, 10)).updated).toEqual([]);
    expect((await engine.reclaimExpired(NOW_S + 61, 10)).updated.map((l) => l.state)).toEqual([2]);
    expect((await store.get('192.0.2.10'))!.state).toBe(2);
  });
});

describe('robustness', () => {
  it('turns a lease store failure into a drop', async () => {
    const { engine, store } = makeEngine();
    await store.close();
    expect(dropReason(await engine.process(request({ mac: MAC_A, serverId: SERVER_ADDRESS }), context()))).toMatch(/lease store failure: .*after close/);
  });

  it('drops a second query from a client whose first is still in progress', async () => {
    const { engine } = makeEngine();
    const [first, second] = await Promise.all([
      engine.process(request({ mac: MAC_A, serverId: SERVER_ADDRESS }), context()),
      engine.process(request({ mac: MAC_A, serverId: SERVER_ADDRESS }), context()),
    ]);
    expect(messageType(answer(first))).toBe(MessageType.ACK);
    expect(dropReason(second)).toMatch(/still being processed/);
  });

  it('gives concurrent clients distinct addresses', async () => {
    const { engine } = makeEngine();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => engine.process(request({ mac: `0a:00:00:00:02:0${i}`, serverId: SERVER_ADDRESS }), context())),
    );
    const addresses = results.map((r) => answer(r).yiaddr);
    expect(new Set(addresses).size).toBe(10);
  });

  it('answers with a server id only when the receiving address is known', async () => {
    const { engine } = makeEngine();
    const result = await engine.process(discover({ mac: MAC_A }), context({ receivedOn: { interfaceName: 'eth0', localAddress: '0.0.0.0' } }));
    expect(dropReason(result)).toMatch(/no server identifier/);
  });

  it('uses the relay server-id-override sub-option (RFC 5107)', async () => {
    const { engine } = makeEngine();
    const relay = [{ code: 11, data: Uint8Array.of(10, 99, 0, 254) }];
    const offer = answer(await engine.process(discover({ mac: MAC_A, giaddr: '10.99.0.1', relay }), relayedContext()));
    expect(serverIdentifier(offer)).toBe('10.99.0.254');
    const ack = answer(await engine.process(request({ mac: MAC_A, giaddr: '10.99.0.1', relay, requested: offer.yiaddr, serverId: '10.99.0.254' }), relayedContext()));
    expect(messageType(ack)).toBe(MessageType.ACK);
  });
});

it('buildQuery makes a flags-carrying query', () => {
  expect(buildQuery({ type: 1, flags: BROADCAST_FLAG }).flags).toBe(BROADCAST_FLAG);
});
