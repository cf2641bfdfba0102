import { describe, expect, it } from 'vitest';
import { parseDhcp4ServerConfig, type Dhcp4ServerConfig } from '../src/index.js';

const DAEMON_KEYS = new Set(['interfaces-config', 'lease-database', 'hooks-libraries', 'control-socket', 'loggers']);

function parse(dhcp4: unknown): Dhcp4ServerConfig {
  const result = parseDhcp4ServerConfig(dhcp4, { daemonKeys: DAEMON_KEYS });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function rejection(dhcp4: unknown): { path: string; message: string } {
  const result = parseDhcp4ServerConfig(dhcp4, { daemonKeys: DAEMON_KEYS });
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return result.error;
}

const hex = (data: Uint8Array) => [...data].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** The load-balancing example of Kea's HA chapter, with the daemon's keys beside it. */
const ARM_EXAMPLE = {
  'interfaces-config': { interfaces: ['eth0'] },
  'hooks-libraries': [],
  'subnet4': [
    {
      subnet: '192.0.3.0/24',
      pools: [
        { pool: '192.0.3.100 - 192.0.3.150', 'client-class': 'HA_server1' },
        { pool: '192.0.3.200 - 192.0.3.250', 'client-class': 'HA_server2' },
      ],
      'option-data': [{ name: 'routers', data: '192.0.3.1' }],
      relay: { 'ip-address': '10.1.2.3' },
    },
  ],
};

describe('accepted configurations', () => {
  it("parses the HA chapter's load-balancing subnet with Kea's defaults", () => {
    const config = parse(ARM_EXAMPLE);
    const subnet = config.subnets[0]!;
    expect(subnet.id).toBe(1);
    expect(subnet.subnet).toBe('192.0.3.0/24');
    expect(subnet.pools.map((p) => [p.text, p.clientClass])).toEqual([
      ['192.0.3.100 - 192.0.3.150', 'HA_server1'],
      ['192.0.3.200 - 192.0.3.250', 'HA_server2'],
    ]);
    expect(subnet.pools[0]!.first).toBe(0xc0000364);
    expect(subnet.pools[0]!.last).toBe(0xc0000396);
    expect(subnet.relayAddresses).toEqual(['10.1.2.3']);
    expect(subnet.options.map((o) => [o.code, hex(o.data)])).toEqual([[3, 'c0 00 03 01']]);
    expect(subnet.lifetimes).toEqual({
      validLifetimeS: 7200,
      minValidLifetimeS: 7200,
      maxValidLifetimeS: 7200,
      calculateTeeTimes: false,
      t1Percent: 0.5,
      t2Percent: 0.875,
    });
    expect(subnet.matchClientId).toBe(true);
    expect(subnet.authoritative).toBe(false);
    expect([subnet.reservationsInSubnet, subnet.reservationsGlobal, subnet.reservationsOutOfPool]).toEqual([true, false, false]);
    expect(config.echoClientId).toBe(true);
    expect(config.declineProbationPeriodS).toBe(86400);
    expect(config.expiredLeasesProcessing).toEqual({
      reclaimTimerWaitTimeS: 10,
      flushReclaimedTimerWaitTimeS: 25,
      holdReclaimedTimeS: 3600,
      maxReclaimLeases: 100,
      maxReclaimTimeMs: 250,
      unwarnedReclaimCycles: 5,
    });
  });

  it('returns a deeply frozen value', () => {
    const config = parse(ARM_EXAMPLE);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.subnets)).toBe(true);
    expect(Object.isFrozen(config.subnets[0]!.pools[0])).toBe(true);
    expect(Object.isFrozen(config.subnets[0]!.lifetimes)).toBe(true);
    expect(() => (config.subnets as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('lets subnets inherit and override global lifetimes and flags', () => {
    const config = parse({
      'valid-lifetime': 4000,
      'min-valid-lifetime': 1000,
      'max-valid-lifetime': 8000,
      'renew-timer': 1000,
      'rebind-timer': 2000,
      'match-client-id': false,
      authoritative: true,
      'reservations-global': true,
      'next-server': '192.0.2.5',
      subnet4: [
        { id: 7, subnet: '192.0.2.0/24' },
        { id: 8, subnet: '198.51.100.0/24', 'valid-lifetime': 600, 'min-valid-lifetime': 300, 'max-valid-lifetime': 900, authoritative: false, 'calculate-tee-times': true, 't1-percent': 0.4, 't2-percent': 0.8, 'reservation-mode': 'disabled' },
      ],
    });
    const [a, b] = config.subnets;
    expect(a!.lifetimes).toMatchObject({ validLifetimeS: 4000, minValidLifetimeS: 1000, maxValidLifetimeS: 8000, renewTimerS: 1000, rebindTimerS: 2000 });
    expect(a!.matchClientId).toBe(false);
    expect(a!.authoritative).toBe(true);
    expect(a!.reservationsGlobal).toBe(true);
    expect(a!.nextServer).toBe('192.0.2.5');
    expect(b!.lifetimes).toMatchObject({ validLifetimeS: 600, minValidLifetimeS: 300, maxValidLifetimeS: 900, calculateTeeTimes: true, t1Percent: 0.4, t2Percent: 0.8 });
    expect(b!.authoritative).toBe(false);
    expect([b!.reservationsInSubnet, b!.reservationsGlobal, b!.reservationsOutOfPool]).toEqual([false, false, false]);
    expect(config.authoritative).toBe(true);
  });

  it('numbers subnets without an id from 1, skipping ids in use', () => {
    const config = parse({
      subnet4: [{ subnet: '10.0.0.0/24' }, { id: 1, subnet: '10.0.1.0/24' }, { subnet: '10.0.2.0/24' }],
    });
    expect(config.subnets.map((s) => s.id)).toEqual([2, 1, 3]);
  });

  it('encodes the supported option-data forms', () => {
    const config = parse({
      'option-data': [
        { name: 'routers', data: '192.0.2.1, 192.0.2.2' },
        { name: 'domain-name-servers', data: '8.8.8.8,1.1.1.1' },
        { name: 'domain-name', data: 'example.org' },
        { name: 'broadcast-address', data: '192.0.2.255' },
        { name: 'ntp-servers', data: '192.0.2.123' },
        { name: 'subnet-mask', data: '255.255.255.0' },
        { name: 'host-name', data: 'a\\,b' },
        { code: 224, data: '0A:0B 0c', 'csv-format': false, 'always-send': true },
        { code: 26, data: '1500' },
        { name: 'domain-search', data: 'example.org, b.example' },
        { name: 'ip-forwarding', data: 'false' },
        { name: 'time-offset', data: '-3600' },
      ],
    });
    expect(config.options.map((o) => [o.code, o.name, hex(o.data), o.alwaysSend])).toEqual([
      [3, 'routers', 'c0 00 02 01 c0 00 02 02', false],
      [6, 'domain-name-servers', '08 08 08 08 01 01 01 01', false],
      [15, 'domain-name', '65 78 61 6d 70 6c 65 2e 6f 72 67', false],
      [28, 'broadcast-address', 'c0 00 02 ff', false],
      [42, 'ntp-servers', 'c0 00 02 7b', false],
      [1, 'subnet-mask', 'ff ff ff 00', false],
      [12, 'host-name', '61 2c 62', false],
      [224, undefined, '0a 0b 0c', true],
      [26, 'interface-mtu', '05 dc', false],
      [119, 'domain-search', '07 65 78 61 6d 70 6c 65 03 6f 72 67 00 01 62 07 65 78 61 6d 70 6c 65 00', false],
      [19, 'ip-forwarding', '00', false],
      [2, 'time-offset', 'ff ff f1 f0', false],
    ]);
  });

  it('parses client classes, reservations and expired-leases-processing', () => {
    const config = parse({
      'client-classes': [
        { name: 'phones', 'option-data': [{ name: 'tftp-server-name', data: 'tftp.example' }] },
        { name: 'phones_server1', test: "member('phones') and member('HA_server1')" },
        { name: 'others', test: "not (member('phones') or member('KNOWN'))", 'valid-lifetime': 300 },
        { name: 'late', test: "member('others')", 'only-if-required': true },
      ],
      'expired-leases-processing': { 'reclaim-timer-wait-time': 5, 'hold-reclaimed-time': 0, 'max-reclaim-leases': 0 },
      subnet4: [
        {
          id: 1,
          subnet: '192.0.2.0/24',
          reservations: [
            { 'hw-address': '1A:1B:1C:1D:1E:1F', 'ip-address': '192.0.2.5', hostname: 'printer', 'client-classes': ['phones'] },
            { 'client-id': '01 11 22 33', 'ip-address': '192.0.2.6' },
          ],
        },
      ],
    });
    const [phones, phonesServer1, others, late] = config.clientClasses;
    expect(phones!.test).toBeUndefined();
    expect(phonesServer1!.test).toEqual({
      kind: 'and',
      left: { kind: 'member', className: 'phones' },
      right: { kind: 'member', className: 'HA_server1' },
    });
    expect(phonesServer1!.dependsOnKnown).toBe(false);
    expect(others!.dependsOnKnown).toBe(true);
    expect(others!.validLifetimeS).toBe(300);
    expect(late!.dependsOnKnown).toBe(true);
    expect(late!.onlyIfRequired).toBe(true);
    expect(config.subnets[0]!.reservations).toEqual([
      { identifierType: 'hw-address', identifier: '1a:1b:1c:1d:1e:1f', ipAddress: '192.0.2.5', hostname: 'printer', clientClasses: ['phones'], options: [] },
      { identifierType: 'client-id', identifier: '01:11:22:33', ipAddress: '192.0.2.6', clientClasses: [], options: [] },
    ]);
    expect(config.expiredLeasesProcessing).toMatchObject({ reclaimTimerWaitTimeS: 5, holdReclaimedTimeS: 0, maxReclaimLeases: 0, flushReclaimedTimerWaitTimeS: 25 });
  });

  it('accepts prefix pools, relay ip-addresses, comments and user contexts', () => {
    const config = parse({
      comment: 'lab',
      subnet4: [
        {
          subnet: '10.0.0.0/16',
          'user-context': { site: 'a' },
          relay: { 'ip-addresses': ['10.0.0.1', '10.0.0.2'] },
          pools: [{ pool: '10.0.1.0/24', comment: 'first' }],
          interface: 'eth1',
        },
      ],
    });
    const subnet = config.subnets[0]!;
    expect(subnet.relayAddresses).toEqual(['10.0.0.1', '10.0.0.2']);
    expect([subnet.pools[0]!.first, subnet.pools[0]!.last]).toEqual([0x0a000100, 0x0a0001ff]);
    expect(subnet.interfaceName).toBe('eth1');
  });
});

describe('rejected configurations name the path', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    [
      'an unknown key in a pool',
      { subnet4: [{ subnet: '10.0.0.0/24', pools: [{ pool: '10.0.0.1 - 10.0.0.9' }, { pool: '10.0.0.10 - 10.0.0.20', foo: 1 }] }] },
      '$.Dhcp4.subnet4[0].pools[1].foo',
      /^\$\.Dhcp4\.subnet4\[0\]\.pools\[1\]\.foo: unsupported key 'foo'$/,
    ],
    ['an unknown global key', { 'shared-networks': [] }, '$.Dhcp4.shared-networks', /unsupported key 'shared-networks'/],
    [
      'a test beyond member()',
      { 'client-classes': [{ name: 'phones', test: "substring(option[60].hex,0,6) == 'Aastra'" }] },
      '$.Dhcp4.client-classes[0].test',
      /test .* of class 'phones' is not supported: Tandem evaluates only member/,
    ],
    [
      'a test naming an undefined class',
      { 'client-classes': [{ name: 'a', test: "member('b')" }, { name: 'b' }] },
      '$.Dhcp4.client-classes[0].test',
      /refers to class 'b', which is not defined before it/,
    ],
    ['a duplicate class', { 'client-classes': [{ name: 'a' }, { name: 'a' }] }, '$.Dhcp4.client-classes[1].name', /already defined/],
    [
      'a pool outside its subnet',
      { subnet4: [{ subnet: '10.0.0.0/24', pools: [{ pool: '10.0.1.1 - 10.0.1.9' }] }] },
      '$.Dhcp4.subnet4[0].pools[0].pool',
      /not inside subnet 10.0.0.0\/24/,
    ],
    [
      'overlapping pools',
      { subnet4: [{ subnet: '10.0.0.0/24', pools: [{ pool: '10.0.0.1 - 10.0.0.9' }, { pool: '10.0.0.0/28' }] }] },
      '$.Dhcp4.subnet4[0].pools[1].pool',
      /overlaps pool 10.0.0.1 - 10.0.0.9/,
    ],
    ['a reversed pool', { subnet4: [{ subnet: '10.0.0.0/24', pools: [{ pool: '10.0.0.9-10.0.0.1' }] }] }, '$.Dhcp4.subnet4[0].pools[0].pool', /ends before it starts/],
    ['a malformed pool', { subnet4: [{ subnet: '10.0.0.0/24', pools: [{ pool: '10.0.0.1' }] }] }, '$.Dhcp4.subnet4[0].pools[0].pool', /is not a pool/],
    ['a subnet with host bits', { subnet4: [{ subnet: '10.0.0.1/24' }] }, '$.Dhcp4.subnet4[0].subnet', /host bits must be zero/],
    ['a subnet without prefix', { subnet4: [{ id: 3 }] }, '$.Dhcp4.subnet4[0]', /missing parameter 'subnet'/],
    [
      'duplicate subnet ids',
      { subnet4: [{ id: 4, subnet: '10.0.0.0/24' }, { id: 4, subnet: '10.0.1.0/24' }] },
      '$.Dhcp4.subnet4[1].id',
      /subnet id 4 is already used by \$\.Dhcp4\.subnet4\[0\]/,
    ],
    [
      'overlapping subnets',
      { subnet4: [{ subnet: '10.0.0.0/16' }, { subnet: '10.0.3.0/24' }] },
      '$.Dhcp4.subnet4[1].subnet',
      /overlaps 10.0.0.0\/16/,
    ],
    ['an unknown option name', { 'option-data': [{ name: 'routerz', data: '1.2.3.4' }] }, '$.Dhcp4.option-data[0].name', /unknown option name 'routerz'/],
    ['a bad address in option data', { 'option-data': [{ name: 'routers', data: '1.2.3.4, 1.2.3' }] }, '$.Dhcp4.option-data[0].data', /'1.2.3' is not an IPv4 address/],
    ['bad hex', { 'option-data': [{ code: 224, data: 'xyz', 'csv-format': false }] }, '$.Dhcp4.option-data[0].data', /not valid hex/],
    ['a code without definition in csv', { 'option-data': [{ code: 224, data: '1', 'csv-format': true }] }, '$.Dhcp4.option-data[0]', /no definition/],
    ['a server-managed option', { subnet4: [{ subnet: '10.0.0.0/24', 'option-data': [{ code: 51, data: '00000e10', 'csv-format': false }] }] }, '$.Dhcp4.subnet4[0].option-data[0]', /lease time .* set by the server/],
    ['a name and code that disagree', { 'option-data': [{ name: 'routers', code: 6, data: '1.2.3.4' }] }, '$.Dhcp4.option-data[0].code', /has code 3, not 6/],
    ['an empty string option', { 'option-data': [{ name: 'tftp-server-name', data: '', 'csv-format': false }] }, '$.Dhcp4.option-data[0].data', /must not be empty/],
    ['a duplicate option', { 'option-data': [{ name: 'routers', data: '1.2.3.4' }, { code: 3, data: '1.2.3.5' }] }, '$.Dhcp4.option-data[1]', /already defined/],
    ['another option space', { 'option-data': [{ name: 'routers', data: '1.2.3.4', space: 'dhcp6' }] }, '$.Dhcp4.option-data[0].space', /only 'dhcp4'/],
    [
      'a duid reservation',
      { subnet4: [{ subnet: '10.0.0.0/24', reservations: [{ duid: '01:02:03', 'ip-address': '10.0.0.5' }] }] },
      '$.Dhcp4.subnet4[0].reservations[0].duid',
      /host identifier 'duid' is not supported/,
    ],
    [
      'a reservation outside its subnet',
      { subnet4: [{ subnet: '10.0.0.0/24', reservations: [{ 'hw-address': '01:02:03:04:05:06', 'ip-address': '10.0.1.5' }] }] },
      '$.Dhcp4.subnet4[0].reservations[0].ip-address',
      /not in the subnet 10.0.0.0\/24/,
    ],
    [
      'two reservations for one address',
      {
        subnet4: [
          {
            subnet: '10.0.0.0/24',
            reservations: [
              { 'hw-address': '01:02:03:04:05:06', 'ip-address': '10.0.0.5' },
              { 'hw-address': '01:02:03:04:05:07', 'ip-address': '10.0.0.5' },
            ],
          },
        ],
      },
      '$.Dhcp4.subnet4[0].reservations[1].ip-address',
      /already reserved/,
    ],
    [
      'a reservation with two identifiers',
      { subnet4: [{ subnet: '10.0.0.0/24', reservations: [{ 'hw-address': '01:02:03:04:05:06', 'client-id': '01:02' }] }] },
      '$.Dhcp4.subnet4[0].reservations[0]',
      /exactly one of 'hw-address' or 'client-id'/,
    ],
    ['reservation-mode with its replacement', { 'reservation-mode': 'all', 'reservations-global': true }, '$.Dhcp4.reservation-mode', /cannot be used together/],
    ['an unknown reservation-mode', { subnet4: [{ subnet: '10.0.0.0/24', 'reservation-mode': 'some' }] }, '$.Dhcp4.subnet4[0].reservation-mode', /invalid reservation-mode 'some'/],
    ['a t1-percent of 1', { 't1-percent': 1 }, '$.Dhcp4.t1-percent', /greater than 0 and less than 1/],
    ['t1-percent above t2-percent', { 'calculate-tee-times': true, 't1-percent': 0.9, 't2-percent': 0.8 }, '$.Dhcp4', /t1-percent \(0.9\) must be less than t2-percent \(0.8\)/],
    ['valid-lifetime above its maximum', { subnet4: [{ subnet: '10.0.0.0/24', 'valid-lifetime': 100, 'max-valid-lifetime': 50 }] }, '$.Dhcp4.subnet4[0]', /valid-lifetime \(100\) must be between/],
    ['a negative lifetime', { 'valid-lifetime': -1 }, '$.Dhcp4.valid-lifetime', /must not be negative/],
    ['a mistyped flag', { subnet4: [{ subnet: '10.0.0.0/24', authoritative: 'yes' }] }, '$.Dhcp4.subnet4[0].authoritative', /expected a boolean, got a string/],
    ['a relay with both forms', { subnet4: [{ subnet: '10.0.0.0/24', relay: { 'ip-address': '1.1.1.1', 'ip-addresses': [] } }] }, '$.Dhcp4.subnet4[0].relay', /either 'ip-address' or 'ip-addresses'/],
    ['a bad relay address', { subnet4: [{ subnet: '10.0.0.0/24', relay: { 'ip-addresses': ['1.1.1.1', 'x'] } }] }, '$.Dhcp4.subnet4[0].relay.ip-addresses[1]', /'x' is not an IPv4 address/],
    ['an unsupported host identifier type', { 'host-reservation-identifiers': ['hw-address', 'circuit-id'] }, '$.Dhcp4.host-reservation-identifiers[1]', /'circuit-id' is not supported/],
    ['a max-reclaim-time too large', { 'expired-leases-processing': { 'max-reclaim-time': 20000 } }, '$.Dhcp4.expired-leases-processing.max-reclaim-time', /must not be greater than 10000/],
    ['an unknown expiration key', { 'expired-leases-processing': { 'reclaim-timer': 1 } }, '$.Dhcp4.expired-leases-processing.reclaim-timer', /unsupported key/],
    ['a Dhcp4 that is not a map', [], '$.Dhcp4', /expected a map, got a list/],
  ];

  it.each(cases)('%s', (_name, dhcp4, path, message) => {
    const error = rejection(dhcp4);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('uses the path the caller gives', () => {
    const result = parseDhcp4ServerConfig({ bogus: 1 }, { daemonKeys: new Set(), path: 'Dhcp4' });
    expect(result).toEqual({ ok: false, error: { path: 'Dhcp4.bogus', message: "Dhcp4.bogus: unsupported key 'bogus'" } });
  });

  it('skips exactly the daemon keys', () => {
    expect(parseDhcp4ServerConfig({ 'lease-database': { type: 'memfile' } }, { daemonKeys: new Set(['lease-database']) }).ok).toBe(true);
    expect(parseDhcp4ServerConfig({ 'lease-database': { type: 'memfile' } }, { daemonKeys: new Set() }).ok).toBe(false);
  });
});
