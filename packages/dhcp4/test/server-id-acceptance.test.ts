import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { acceptServerId, addressOption, configuredServerIds, formatIpv4, RelaySubOption, type ServerIdContext } from '../src/index.js';
import { BASE_CONFIG, context, makeEngine, parseConfig, SERVER_ADDRESS } from './engine-fixtures.js';
import { decline, discover, inform, release, request } from './packets.js';

const OWN = '198.18.0.2';
const PRIMARY = '198.18.0.1';

/** A hot-standby pair's standby: one interface, server identifiers configured at every level Kea consults. */
const CONFIG = parseConfig({
  'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.1' }],
  'client-classes': [
    { name: 'ipxe', test: "member('ALL')", 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.2' }] },
    { name: 'HA_server1', 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.3' }] },
    { name: 'lab', 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.4' }] },
  ],
  subnet4: [
    {
      id: 1,
      subnet: '198.18.0.0/16',
      pools: [{ pool: '198.18.1.0 - 198.18.1.255', 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.5' }] }],
      'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.6' }],
      reservations: [{ 'hw-address': '0a:00:00:00:00:09', 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.7' }] }],
    },
  ],
});
const CONFIGURED = configuredServerIds(CONFIG);

const standby = (classes: readonly string[] = ['ALL']): ServerIdContext => ({
  ownAddresses: new Set([OWN, '192.0.2.2']),
  classes: new Set(classes),
});

describe("Kea 2.2 acceptServerId: is the query for this server? (RFC 2131 §4.3.2)", () => {
  it('accepts a query without a server identifier: it is addressed to every server', () => {
    expect(acceptServerId(request({ requested: '198.18.1.9' }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'no-server-id' });
    expect(acceptServerId(discover(), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'no-server-id' });
    expect(acceptServerId(inform({ ciaddr: '198.18.1.9' }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'no-server-id' });
  });

  it("accepts a server identifier that is one of the server's own addresses, on any of its interfaces", () => {
    expect(acceptServerId(request({ serverId: OWN }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'own-address' });
    expect(acceptServerId(request({ serverId: '192.0.2.2' }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'own-address' });
  });

  it('drops a SELECTING REQUEST naming another server (the dead primary, for a partner-down standby)', () => {
    expect(acceptServerId(request({ serverId: PRIMARY, requested: '198.18.1.9' }), standby(), CONFIGURED)).toEqual({
      kind: 'drop',
      serverId: PRIMARY,
      reason: `server identifier ${PRIMARY} is not this server's (the client chose another server)`,
    });
  });

  it('accepts a dhcp-server-identifier configured globally', () => {
    expect(acceptServerId(request({ serverId: '10.255.0.1' }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'global' });
  });

  it("accepts a dhcp-server-identifier configured in any subnet's option-data (the client's subnet is not known yet)", () => {
    expect(acceptServerId(request({ serverId: '10.255.0.6' }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'subnet' });
  });

  it("accepts a class's dhcp-server-identifier only for a query in that class", () => {
    expect(acceptServerId(request({ serverId: '10.255.0.2' }), standby(['ALL', 'ipxe']), CONFIGURED)).toEqual({ kind: 'accept', by: 'client-class' });
    // A class assigned from outside (HA's scope class) counts like a tested one.
    expect(acceptServerId(request({ serverId: '10.255.0.3' }), standby(['HA_server1', 'ALL']), CONFIGURED)).toEqual({ kind: 'accept', by: 'client-class' });
    expect(acceptServerId(request({ serverId: '10.255.0.4' }), standby(['ALL', 'ipxe']), CONFIGURED)).toMatchObject({ kind: 'drop', serverId: '10.255.0.4' });
  });

  it('ignores pool and host reservation levels, as Kea does (neither is known before processing)', () => {
    expect(acceptServerId(request({ serverId: '10.255.0.5' }), standby(), CONFIGURED)).toMatchObject({ kind: 'drop' });
    expect(acceptServerId(request({ mac: '0a:00:00:00:00:09', serverId: '10.255.0.7' }), standby(), CONFIGURED)).toMatchObject({ kind: 'drop' });
  });

  it("accepts the relay's RFC 5107 server identifier override when the client uses it", () => {
    const relay = [{ code: RelaySubOption.SERVER_ID_OVERRIDE, data: addressOption(0, '203.0.113.1').data }];
    const query = request({ giaddr: '203.0.113.1', serverId: '203.0.113.1', relay });
    expect(acceptServerId(query, standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'relay-override' });
    // The override vouches only for its own address.
    expect(acceptServerId(request({ giaddr: '203.0.113.1', serverId: PRIMARY, relay }), standby(), CONFIGURED)).toMatchObject({ kind: 'drop' });
  });

  it('applies to every message type, as Kea 2.2 does: DISCOVER, INFORM, RELEASE and DECLINE naming another server are dropped', () => {
    for (const query of [
      discover({ serverId: PRIMARY }),
      inform({ ciaddr: '198.18.1.9', serverId: PRIMARY }),
      release({ ciaddr: '198.18.1.9', serverId: PRIMARY }),
      decline({ requested: '198.18.1.9', serverId: PRIMARY }),
    ]) {
      expect(acceptServerId(query, standby(), CONFIGURED)).toMatchObject({ kind: 'drop', serverId: PRIMARY });
    }
    expect(acceptServerId(inform({ ciaddr: '198.18.1.9', serverId: OWN }), standby(), CONFIGURED)).toEqual({ kind: 'accept', by: 'own-address' });
  });

  it('without configured identifiers, only own addresses are accepted', () => {
    const bare = configuredServerIds(parseConfig({ subnet4: [{ id: 1, subnet: '198.18.0.0/16' }] }));
    expect(bare).toEqual({ global: undefined, subnets: new Set(), classes: new Map() });
    expect(acceptServerId(request({ serverId: OWN }), standby(), bare).kind).toBe('accept');
    expect(acceptServerId(request({ serverId: '10.255.0.1' }), standby(), bare).kind).toBe('drop');
  });

  fcTest.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.subarray(['ALL', 'ipxe', 'HA_server1', 'lab'])])(
    'a query is accepted exactly when its server identifier is own, configured globally or on a subnet, or set by one of its classes',
    (n, classes) => {
      const serverId = formatIpv4(n);
      const expected =
        standby().ownAddresses.has(serverId) ||
        serverId === '10.255.0.1' ||
        serverId === '10.255.0.6' ||
        classes.some((c) => CONFIGURED.classes.get(c) === serverId);
      expect(acceptServerId(request({ serverId }), standby(classes), CONFIGURED).kind).toBe(expected ? 'accept' : 'drop');
    },
  );
});

describe('the allocation engine applies the same rule, once per query, and says when it dropped for it', () => {
  /** The foreign server identifier the engine's drop names, or undefined when the query passed the rule. */
  const foreignIdOf = async (engine: ReturnType<typeof makeEngine>['engine'], query: Parameters<typeof request>[0], ctx: ReturnType<typeof context>) => {
    const result = await engine.process(request(query), ctx);
    return result.kind === 'drop' ? result.foreignServerId : undefined;
  };

  it("accepts the server's other interface addresses given as ownAddresses, drops a foreign identifier", async () => {
    const { engine } = makeEngine();
    const ownAddresses = new Set([SERVER_ADDRESS, '10.0.0.2']);
    expect(await foreignIdOf(engine, { mac: '0a:00:00:00:00:02', serverId: '10.0.0.2' }, context({ ownAddresses }))).toBeUndefined();
    expect(await foreignIdOf(engine, { mac: '0a:00:00:00:00:03', serverId: '10.0.0.2' }, context())).toBe('10.0.0.2');
    const result = await engine.process(discover({ mac: '0a:00:00:00:00:01', serverId: '192.0.2.2' }), context({ ownAddresses }));
    expect(result).toMatchObject({ kind: 'drop', foreignServerId: '192.0.2.2', reason: expect.stringMatching(/server identifier 192.0.2.2 is not this server's/) });
  });

  it("evaluates the query's classes (HA's and tested ones) for a class-level identifier", async () => {
    const { engine } = makeEngine({
      ...BASE_CONFIG,
      'client-classes': [
        { name: 'HA_server1', 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.3' }] },
        { name: 'everyone', test: "member('ALL')", 'option-data': [{ name: 'dhcp-server-identifier', data: '10.255.0.2' }] },
      ],
    });
    expect(await foreignIdOf(engine, { mac: '0a:00:00:00:00:04', serverId: '10.255.0.3' }, context({ classes: ['HA_server1'] }))).toBeUndefined();
    expect(await foreignIdOf(engine, { mac: '0a:00:00:00:00:05', serverId: '10.255.0.3' }, context({ classes: ['HA_server2'] }))).toBe('10.255.0.3');
    expect(await foreignIdOf(engine, { mac: '0a:00:00:00:00:06', serverId: '10.255.0.2' }, context({ classes: [] }))).toBeUndefined();
  });
});
