/** Builders of client queries for the tests: a real packet, encoded and decoded like one off the wire. */
import {
  addressOption,
  BOOTREQUEST,
  decodePacket,
  encodePacket,
  encodeRelayAgentInfo,
  MessageType,
  messageTypeOption,
  OptionCode,
  parseHexBytes,
  textOption,
  type Dhcp4Packet,
  type DhcpOption,
} from '../src/index.js';

export interface QuerySpec {
  type: number;
  mac?: string;
  clientId?: string;
  xid?: number;
  flags?: number;
  ciaddr?: string;
  giaddr?: string;
  requested?: string;
  serverId?: string;
  hostname?: string;
  prl?: readonly number[];
  leaseTimeS?: number;
  relay?: readonly DhcpOption[];
  subnetSelection?: string;
  extra?: readonly DhcpOption[];
}

export function macBytes(mac: string): Uint8Array {
  const bytes = parseHexBytes(mac);
  if (bytes === undefined) throw new Error(`bad MAC ${mac}`);
  return bytes;
}

export function buildQuery(spec: QuerySpec): Dhcp4Packet {
  const mac = macBytes(spec.mac ?? '0a:00:00:00:00:01');
  const chaddr = new Uint8Array(16);
  chaddr.set(mac);
  const options: DhcpOption[] = [messageTypeOption(spec.type)];
  if (spec.clientId !== undefined) options.push({ code: OptionCode.CLIENT_IDENTIFIER, data: macBytes(spec.clientId) });
  if (spec.requested !== undefined) options.push(addressOption(OptionCode.REQUESTED_ADDRESS, spec.requested));
  if (spec.serverId !== undefined) options.push(addressOption(OptionCode.SERVER_IDENTIFIER, spec.serverId));
  if (spec.hostname !== undefined) options.push(textOption(OptionCode.HOST_NAME, spec.hostname));
  if (spec.leaseTimeS !== undefined) {
    const d = new Uint8Array(4);
    new DataView(d.buffer).setUint32(0, spec.leaseTimeS);
    options.push({ code: OptionCode.LEASE_TIME, data: d });
  }
  if (spec.prl !== undefined) options.push({ code: OptionCode.PARAMETER_REQUEST_LIST, data: Uint8Array.from(spec.prl) });
  if (spec.subnetSelection !== undefined) options.push(addressOption(OptionCode.SUBNET_SELECTION, spec.subnetSelection));
  for (const o of spec.extra ?? []) options.push(o);
  if (spec.relay !== undefined) {
    options.push({ code: OptionCode.RELAY_AGENT_INFORMATION, data: encodeRelayAgentInfo(spec.relay) });
  }
  const packet: Dhcp4Packet = {
    op: BOOTREQUEST,
    htype: 1,
    hlen: mac.length,
    hops: spec.giaddr !== undefined ? 1 : 0,
    xid: spec.xid ?? 0x1234abcd,
    secs: 0,
    flags: spec.flags ?? 0,
    ciaddr: spec.ciaddr ?? '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: spec.giaddr ?? '0.0.0.0',
    chaddr,
    sname: new Uint8Array(64),
    file: new Uint8Array(128),
    options,
  };
  // Through the wire format, so every test also exercises the codec the daemon uses.
  const decoded = decodePacket(encodePacket(packet));
  if (!decoded.ok) throw new Error(`test query does not decode: ${decoded.error.message}`);
  return decoded.packet;
}

export const discover = (s: Omit<QuerySpec, 'type'> = {}) => buildQuery({ ...s, type: MessageType.DISCOVER });
export const request = (s: Omit<QuerySpec, 'type'> = {}) => buildQuery({ ...s, type: MessageType.REQUEST });
export const release = (s: Omit<QuerySpec, 'type'> = {}) => buildQuery({ ...s, type: MessageType.RELEASE });
export const decline = (s: Omit<QuerySpec, 'type'> = {}) => buildQuery({ ...s, type: MessageType.DECLINE });
export const inform = (s: Omit<QuerySpec, 'type'> = {}) => buildQuery({ ...s, type: MessageType.INFORM });
