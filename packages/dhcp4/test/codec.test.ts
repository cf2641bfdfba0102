import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  addressListOption,
  addressOption,
  BOOTREPLY,
  clientIdentifier,
  decodePacket,
  domainName,
  domainNameServers,
  encodePacket,
  encodeRelayAgentInfo,
  findOption,
  hostName,
  leaseTimeS,
  maxMessageSize,
  MessageType,
  messageType,
  messageTypeOption,
  OptionCode,
  parameterRequestList,
  rebindingTimeS,
  relayAgentInformation,
  renewalTimeS,
  requestedAddress,
  routers,
  serverIdentifier,
  subnetMask,
  subnetSelection,
  textOption,
  uint16Option,
  uint32Option,
  type Dhcp4Packet,
  type DhcpOption,
} from '../src/index.js';
import { buildQuery, discover } from './packets.js';

function withOptions(options: readonly DhcpOption[]): Dhcp4Packet {
  return { ...discover(), options: [messageTypeOption(MessageType.DISCOVER), ...options] };
}

function roundTrip(packet: Dhcp4Packet): Dhcp4Packet {
  const decoded = decodePacket(encodePacket(packet));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.packet;
}

/** A hand-made packet: header of a DISCOVER, then exactly `optionBytes` after the cookie. */
function rawPacket(optionBytes: readonly number[], patch?: (bytes: Uint8Array) => void): Uint8Array {
  const header = encodePacket({ ...discover(), options: [] }).subarray(0, 240);
  const bytes = new Uint8Array(240 + optionBytes.length);
  bytes.set(header);
  bytes.set(optionBytes, 240);
  patch?.(bytes);
  return bytes;
}

describe('header', () => {
  it('round-trips every fixed field', () => {
    const chaddr = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const sname = new Uint8Array(64).fill(0x61);
    const file = new Uint8Array(128).fill(0x62);
    const packet: Dhcp4Packet = {
      op: BOOTREPLY,
      htype: 1,
      hlen: 6,
      hops: 3,
      xid: 0xdeadbeef,
      secs: 65535,
      flags: 0x8000,
      ciaddr: '192.0.2.1',
      yiaddr: '192.0.2.2',
      siaddr: '192.0.2.3',
      giaddr: '10.1.2.3',
      chaddr,
      sname,
      file,
      options: [messageTypeOption(MessageType.ACK)],
    };
    const back = roundTrip(packet);
    expect({ ...back, chaddr: [...back.chaddr], sname: [...back.sname], file: [...back.file] }).toEqual({
      ...packet,
      chaddr: [...chaddr],
      sname: [...sname],
      file: [...file],
    });
  });

  it('pads to 300 bytes and ends the options with 255', () => {
    const bytes = encodePacket(withOptions([]));
    expect(bytes.length).toBe(300);
    expect(bytes[240]).toBe(OptionCode.MESSAGE_TYPE);
    expect(bytes[243]).toBe(255);
    expect([...bytes.subarray(244)].every((b) => b === 0)).toBe(true);
    expect([...bytes.subarray(236, 240)]).toEqual([99, 130, 83, 99]);
  });

  it('grows past 300 bytes when the options need it', () => {
    const bytes = encodePacket(withOptions([{ code: 200, data: new Uint8Array(100) }]));
    expect(bytes.length).toBe(240 + 3 + 102 + 1);
    expect(bytes[bytes.length - 1]).toBe(255);
  });

  it('keeps every encoded packet intact while later ones are encoded (shared output slabs)', () => {
    const encoded = Array.from({ length: 1000 }, (_, i) => encodePacket({ ...discover(), xid: i }));
    encoded.forEach((bytes, i) => {
      const back = decodePacket(bytes);
      expect(back.ok && back.packet.xid).toBe(i);
      expect(bytes[bytes.length - 1]).toBe(0);
    });
  });

  it('refuses to encode what has no wire form', () => {
    expect(() => encodePacket({ ...discover(), ciaddr: '1.2.3' })).toThrow(RangeError);
    expect(() => encodePacket({ ...discover(), chaddr: new Uint8Array(17) })).toThrow(RangeError);
    expect(() => encodePacket(withOptions([{ code: 52, data: Uint8Array.of(1) }]))).toThrow(RangeError);
    expect(() => encodePacket(withOptions([{ code: 255, data: new Uint8Array(0) }]))).toThrow(RangeError);
  });
});

describe('typed options round-trip', () => {
  it('1 subnet mask, 3 routers, 6 name servers', () => {
    const p = roundTrip(
      withOptions([
        addressOption(OptionCode.SUBNET_MASK, '255.255.255.0'),
        addressListOption(OptionCode.ROUTERS, ['192.0.2.1', '192.0.2.254']),
        addressListOption(OptionCode.DOMAIN_NAME_SERVERS, ['8.8.8.8']),
      ]),
    );
    expect(subnetMask(p)).toBe('255.255.255.0');
    expect(routers(p)).toEqual(['192.0.2.1', '192.0.2.254']);
    expect(domainNameServers(p)).toEqual(['8.8.8.8']);
  });

  it('12 host name and 15 domain name', () => {
    const p = roundTrip(
      withOptions([textOption(OptionCode.HOST_NAME, 'laptop-1'), textOption(OptionCode.DOMAIN_NAME, 'example.org')]),
    );
    expect(hostName(p)).toBe('laptop-1');
    expect(domainName(p)).toBe('example.org');
  });

  it('50 requested address, 54 server id, 118 subnet selection', () => {
    const p = roundTrip(
      withOptions([
        addressOption(OptionCode.REQUESTED_ADDRESS, '192.0.2.10'),
        addressOption(OptionCode.SERVER_IDENTIFIER, '192.0.2.1'),
        addressOption(OptionCode.SUBNET_SELECTION, '10.0.0.0'),
      ]),
    );
    expect(requestedAddress(p)).toBe('192.0.2.10');
    expect(serverIdentifier(p)).toBe('192.0.2.1');
    expect(subnetSelection(p)).toBe('10.0.0.0');
  });

  it('51, 58, 59 times and 57 maximum message size', () => {
    const p = roundTrip(
      withOptions([
        uint32Option(OptionCode.LEASE_TIME, 4000000000),
        uint32Option(OptionCode.RENEWAL_TIME, 1800),
        uint32Option(OptionCode.REBINDING_TIME, 3150),
        uint16Option(OptionCode.MAX_MESSAGE_SIZE, 1500),
      ]),
    );
    expect(leaseTimeS(p)).toBe(4000000000);
    expect(renewalTimeS(p)).toBe(1800);
    expect(rebindingTimeS(p)).toBe(3150);
    expect(maxMessageSize(p)).toBe(1500);
  });

  it('53 message type, 55 parameter request list, 61 client identifier', () => {
    const p = roundTrip({
      ...discover(),
      options: [
        messageTypeOption(MessageType.REQUEST),
        { code: OptionCode.PARAMETER_REQUEST_LIST, data: Uint8Array.of(1, 3, 6, 15, 42) },
        { code: OptionCode.CLIENT_IDENTIFIER, data: Uint8Array.of(1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff) },
      ],
    });
    expect(messageType(p)).toBe(MessageType.REQUEST);
    expect([...parameterRequestList(p)!]).toEqual([1, 3, 6, 15, 42]);
    expect([...clientIdentifier(p)!]).toEqual([1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  });

  it('82 keeps raw sub-options in order and exposes circuit-id, remote-id, link-selection', () => {
    const subOptions = [
      { code: 1, data: Uint8Array.of(0x65, 0x74, 0x68, 0x30) },
      { code: 9, data: Uint8Array.of(0, 0, 0, 9, 1, 7) },
      { code: 2, data: Uint8Array.of(0xaa, 0xbb) },
      { code: 5, data: Uint8Array.of(10, 20, 30, 0) },
    ];
    const p = roundTrip(withOptions([{ code: 82, data: encodeRelayAgentInfo(subOptions) }]));
    const info = relayAgentInformation(p)!;
    expect(info.subOptions.map((s) => [s.code, [...s.data]])).toEqual(subOptions.map((s) => [s.code, [...s.data]]));
    expect([...info.circuitId!]).toEqual([0x65, 0x74, 0x68, 0x30]);
    expect([...info.remoteId!]).toEqual([0xaa, 0xbb]);
    expect(info.linkSelection).toBe('10.20.30.0');
  });

  it('keeps unknown options as raw bytes in their order', () => {
    const unknown = [
      { code: 224, data: Uint8Array.of(1, 2, 3) },
      { code: 43, data: Uint8Array.of(9) },
      { code: 250, data: new Uint8Array(0) },
    ];
    const p = roundTrip(withOptions(unknown));
    expect(p.options.slice(1).map((o) => [o.code, [...o.data]])).toEqual(unknown.map((o) => [o.code, [...o.data]]));
  });

  it('splits an option longer than 255 bytes and joins it again (RFC 3396)', () => {
    const long = Uint8Array.from({ length: 700 }, (_, i) => i & 255);
    const bytes = encodePacket(withOptions([{ code: 224, data: long }]));
    expect(bytes[243]).toBe(224);
    expect(bytes[244]).toBe(255);
    const p = roundTrip(withOptions([{ code: 224, data: long }]));
    expect([...findOption(p, 224)!.data]).toEqual([...long]);
  });
});

describe('decoding what other implementations send', () => {
  it('concatenates a repeated code at the position of its first occurrence (RFC 3396)', () => {
    const result = decodePacket(rawPacket([53, 1, 1, 224, 2, 1, 2, 12, 1, 0x61, 224, 1, 3, 255]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.packet.options.map((o) => [o.code, [...o.data]])).toEqual([
      [53, [1]],
      [224, [1, 2, 3]],
      [12, [0x61]],
    ]);
  });

  it('reads options from file then sname when overload (52) says so', () => {
    const bytes = rawPacket([53, 1, 1, 52, 1, 3, 224, 1, 1, 255], (b) => {
      b.set([12, 2, 0x68, 0x6f, 224, 1, 2, 255], 108); // file
      b.set([224, 1, 3, 15, 1, 0x65, 255], 44); // sname
    });
    const result = decodePacket(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const p = result.packet;
    expect(p.options.map((o) => [o.code, [...o.data]])).toEqual([
      [53, [1]],
      [224, [1, 2, 3]],
      [12, [0x68, 0x6f]],
      [15, [0x65]],
    ]);
    expect(p.sname.length).toBe(0);
    expect(p.file.length).toBe(0);
    expect(findOption(p, 52)).toBeUndefined();
  });

  it('accepts pad bytes and a missing end option', () => {
    const result = decodePacket(rawPacket([0, 0, 53, 1, 3, 0, 12, 1, 0x61]));
    expect(result.ok && messageType(result.packet)).toBe(3);
  });
});

describe('decode failures', () => {
  const kinds = (bytes: Uint8Array) => {
    const r = decodePacket(bytes);
    return r.ok ? 'ok' : r.error.kind;
  };
  it('names each malformation', () => {
    expect(kinds(new Uint8Array(239))).toBe('truncated');
    expect(kinds(rawPacket([53, 1], undefined))).toBe('truncated');
    expect(kinds(rawPacket([53, 1, 1, 12, 5, 0x61]))).toBe('truncated');
    expect(kinds(rawPacket([53, 1, 1, 255], (b) => (b[236] = 0)))).toBe('bad-magic');
    expect(kinds(rawPacket([53, 1, 1, 255], (b) => (b[2] = 17)))).toBe('bad-header');
    expect(kinds(rawPacket([53, 1, 1, 255], (b) => (b[0] = 3)))).toBe('bad-header');
    expect(kinds(rawPacket([53, 2, 1, 1, 255]))).toBe('bad-option');
    expect(kinds(rawPacket([53, 1, 1, 50, 3, 1, 2, 3, 255]))).toBe('bad-option');
    expect(kinds(rawPacket([53, 1, 1, 61, 1, 1, 255]))).toBe('bad-option');
    expect(kinds(rawPacket([53, 1, 1, 82, 3, 1, 5, 0, 255]))).toBe('bad-option');
    expect(kinds(rawPacket([53, 1, 1, 52, 1, 4, 255]))).toBe('bad-option');
    expect(kinds(rawPacket([53, 1, 1, 52, 1, 1, 255], (b) => b.set([12, 200], 108)))).toBe('bad-option');
    expect(kinds(rawPacket([12, 1, 0x61, 255]))).toBe('no-message-type');
  });

  it('says where the problem is', () => {
    const r = decodePacket(rawPacket([53, 1, 1, 50, 3, 1, 2, 3, 255]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('option 50 must be 4 bytes long, is 3');
  });
});

// Property tests.

const address = fc.integer({ min: 0, max: 0xffffffff }).map((n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength });

/** Payloads that pass the decoder's checks for each code it checks, anything for the rest. */
function payloadFor(code: number): fc.Arbitrary<Uint8Array> {
  switch (code) {
    case 1: case 28: case 50: case 51: case 54: case 58: case 59: case 118:
      return bytes(4, 4);
    case 3: case 6: case 42:
      return fc.integer({ min: 1, max: 80 }).chain((n) => bytes(4 * n, 4 * n));
    case 12: case 15: case 55:
      return bytes(1, 300);
    case 53:
      return bytes(1, 1);
    case 57:
      return bytes(2, 2);
    case 61:
      return bytes(2, 40);
    case 82:
      return fc
        .array(fc.record({ code: fc.integer({ min: 0, max: 255 }), data: bytes(0, 40) }), { maxLength: 5 })
        .map(encodeRelayAgentInfo);
    default:
      return bytes(0, 600);
  }
}

const optionsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 254 }).filter((c) => c !== 52 && c !== 53), { maxLength: 25 })
  .chain((codes) => fc.tuple(...codes.map((code) => payloadFor(code).map((data) => ({ code, data })))));

const packetArb: fc.Arbitrary<Dhcp4Packet> = fc.record({
  op: fc.constantFrom(1, 2),
  htype: fc.integer({ min: 0, max: 255 }),
  hlen: fc.integer({ min: 0, max: 16 }),
  hops: fc.integer({ min: 0, max: 255 }),
  xid: fc.integer({ min: 0, max: 0xffffffff }),
  secs: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  ciaddr: address,
  yiaddr: address,
  siaddr: address,
  giaddr: address,
  chaddr: bytes(16, 16),
  sname: bytes(64, 64),
  file: bytes(128, 128),
  options: fc
    .tuple(fc.integer({ min: 1, max: 255 }), optionsArb, fc.nat())
    .map(([type, rest, at]) => {
      const list = [...rest];
      list.splice(at % (list.length + 1), 0, messageTypeOption(type));
      return list;
    }),
});

const plain = (p: Dhcp4Packet) => ({
  ...p,
  chaddr: [...p.chaddr],
  sname: [...p.sname],
  file: [...p.file],
  options: p.options.map((o) => ({ code: o.code, data: [...o.data] })),
});

describe('properties', () => {
  test.prop([packetArb])('decode(encode(p)) equals p for every valid packet', (packet) => {
    const decoded = decodePacket(encodePacket(packet));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(plain(decoded.packet)).toEqual(plain(packet));
  });

  test.prop([fc.uint8Array({ maxLength: 1500 })])('random bytes never make decode throw', (random) => {
    const result = decodePacket(random);
    expect(typeof result.ok).toBe('boolean');
  });

  test.prop([fc.uint8Array({ minLength: 0, maxLength: 600 })])(
    'random bytes after a valid header and cookie never make decode throw',
    (tail) => {
      const bytes = rawPacket([...tail]);
      const result = decodePacket(bytes);
      if (!result.ok) expect(['truncated', 'bad-option', 'no-message-type', 'bad-header']).toContain(result.error.kind);
    },
  );

  test.prop([packetArb, fc.nat()])('every truncation of a valid packet decodes or fails cleanly', (packet, cut) => {
    const bytes = encodePacket(packet);
    const result = decodePacket(bytes.subarray(0, cut % bytes.length));
    expect(typeof result.ok).toBe('boolean');
  });

  test.prop([packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })])(
    'byte flips in a valid packet never make decode throw',
    (packet, flips) => {
      const bytes = encodePacket(packet);
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      expect(typeof decodePacket(bytes).ok).toBe('boolean');
    },
  );
});

it('buildQuery helper produces what it was asked for', () => {
  const q = buildQuery({ type: MessageType.REQUEST, requested: '192.0.2.9', clientId: '01:02:03' });
  expect(requestedAddress(q)).toBe('192.0.2.9');
  expect([...clientIdentifier(q)!]).toEqual([1, 2, 3]);
});
