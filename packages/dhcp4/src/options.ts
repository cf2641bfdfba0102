/**
 * Typed reading and building of the options the allocation engine and its callers use. The
 * decoder has already checked each of these options' lengths (see `optionPayloadProblem`), so
 * the readers only interpret bytes.
 */
import { formatIpv4, parseIpv4 } from './ipv4-address.js';
import { OptionCode, type Dhcp4Packet, type DhcpOption } from './packet.js';
import { isWellFormedRelayAgentInfo, parseRelayAgentInfo, type RelayAgentInfo } from './relay-agent-info.js';

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function findOption(packet: Dhcp4Packet, code: number): DhcpOption | undefined {
  const options = packet.options;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    if (option.code === code) return option;
  }
  return undefined;
}

function optionData(packet: Dhcp4Packet, code: number): Uint8Array | undefined {
  return findOption(packet, code)?.data;
}

function readUint32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

function readAddress(packet: Dhcp4Packet, code: number): string | undefined {
  const data = optionData(packet, code);
  return data === undefined ? undefined : formatIpv4(readUint32(data, 0));
}

function readAddressList(packet: Dhcp4Packet, code: number): readonly string[] | undefined {
  const data = optionData(packet, code);
  if (data === undefined) return undefined;
  const list: string[] = [];
  for (let at = 0; at + 4 <= data.length; at += 4) list.push(formatIpv4(readUint32(data, at)));
  return list;
}

function readSeconds(packet: Dhcp4Packet, code: number): number | undefined {
  const data = optionData(packet, code);
  return data === undefined ? undefined : readUint32(data, 0);
}

function readText(packet: Dhcp4Packet, code: number): string | undefined {
  const data = optionData(packet, code);
  return data === undefined ? undefined : utf8Decoder.decode(data);
}

/** Option 53; every decoded packet has one. */
export function messageType(packet: Dhcp4Packet): number | undefined {
  return optionData(packet, OptionCode.MESSAGE_TYPE)?.[0];
}
/** Option 1. */
export const subnetMask = (p: Dhcp4Packet): string | undefined => readAddress(p, OptionCode.SUBNET_MASK);
/** Option 3. */
export const routers = (p: Dhcp4Packet): readonly string[] | undefined => readAddressList(p, OptionCode.ROUTERS);
/** Option 6. */
export const domainNameServers = (p: Dhcp4Packet): readonly string[] | undefined =>
  readAddressList(p, OptionCode.DOMAIN_NAME_SERVERS);
/** Option 12. */
export const hostName = (p: Dhcp4Packet): string | undefined => readText(p, OptionCode.HOST_NAME);
/** Option 15. */
export const domainName = (p: Dhcp4Packet): string | undefined => readText(p, OptionCode.DOMAIN_NAME);
/** Option 50. */
export const requestedAddress = (p: Dhcp4Packet): string | undefined => readAddress(p, OptionCode.REQUESTED_ADDRESS);
/** Option 51, seconds. */
export const leaseTimeS = (p: Dhcp4Packet): number | undefined => readSeconds(p, OptionCode.LEASE_TIME);
/** Option 54. */
export const serverIdentifier = (p: Dhcp4Packet): string | undefined => readAddress(p, OptionCode.SERVER_IDENTIFIER);
/** Option 55: the requested option codes in the client's order. */
export const parameterRequestList = (p: Dhcp4Packet): Uint8Array | undefined =>
  optionData(p, OptionCode.PARAMETER_REQUEST_LIST);
/** Option 57, bytes. */
export function maxMessageSize(packet: Dhcp4Packet): number | undefined {
  const data = optionData(packet, OptionCode.MAX_MESSAGE_SIZE);
  return data === undefined ? undefined : (data[0]! << 8) | data[1]!;
}
/** Option 58, seconds. */
export const renewalTimeS = (p: Dhcp4Packet): number | undefined => readSeconds(p, OptionCode.RENEWAL_TIME);
/** Option 59, seconds. */
export const rebindingTimeS = (p: Dhcp4Packet): number | undefined => readSeconds(p, OptionCode.REBINDING_TIME);
/** Option 61's payload, type byte included. */
export const clientIdentifier = (p: Dhcp4Packet): Uint8Array | undefined => optionData(p, OptionCode.CLIENT_IDENTIFIER);
/** Option 82. */
export function relayAgentInformation(packet: Dhcp4Packet): RelayAgentInfo | undefined {
  const data = optionData(packet, OptionCode.RELAY_AGENT_INFORMATION);
  return data === undefined ? undefined : parseRelayAgentInfo(data);
}
/** Option 118 (RFC 3011). */
export const subnetSelection = (p: Dhcp4Packet): string | undefined => readAddress(p, OptionCode.SUBNET_SELECTION);

/**
 * Why an option's payload is unusable, or undefined when it is fine. Only options with a fixed
 * shape are checked; everything else is opaque bytes.
 */
export function optionPayloadProblem(code: number, data: Uint8Array): string | undefined {
  const n = data.length;
  switch (code) {
    case OptionCode.SUBNET_MASK:
    case OptionCode.BROADCAST_ADDRESS:
    case OptionCode.REQUESTED_ADDRESS:
    case OptionCode.SERVER_IDENTIFIER:
    case OptionCode.SUBNET_SELECTION:
    case OptionCode.LEASE_TIME:
    case OptionCode.RENEWAL_TIME:
    case OptionCode.REBINDING_TIME:
      return n === 4 ? undefined : `must be 4 bytes long, is ${n}`;
    case OptionCode.ROUTERS:
    case OptionCode.DOMAIN_NAME_SERVERS:
    case OptionCode.NTP_SERVERS:
      return n >= 4 && n % 4 === 0 ? undefined : `must hold one or more 4-byte addresses, is ${n} bytes long`;
    case OptionCode.HOST_NAME:
    case OptionCode.DOMAIN_NAME:
    case OptionCode.PARAMETER_REQUEST_LIST:
      return n >= 1 ? undefined : 'must not be empty';
    case OptionCode.MESSAGE_TYPE:
      return n === 1 ? undefined : `must be 1 byte long, is ${n}`;
    case OptionCode.MAX_MESSAGE_SIZE:
      return n === 2 ? undefined : `must be 2 bytes long, is ${n}`;
    case OptionCode.CLIENT_IDENTIFIER:
      return n >= 2 ? undefined : `must be at least 2 bytes long (RFC 2132 §9.14), is ${n}`;
    case OptionCode.RELAY_AGENT_INFORMATION:
      return isWellFormedRelayAgentInfo(data) ? undefined : 'has a sub-option running past its end';
    default:
      return undefined;
  }
}

// Builders. They check their arguments because a malformed option is a programming error.

function addressBytes(address: string, into: Uint8Array, at: number): void {
  const value = parseIpv4(address);
  if (value === undefined) throw new RangeError(`'${address}' is not an IPv4 address`);
  into[at] = value >>> 24;
  into[at + 1] = (value >>> 16) & 255;
  into[at + 2] = (value >>> 8) & 255;
  into[at + 3] = value & 255;
}

export function addressOption(code: number, address: string): DhcpOption {
  const data = new Uint8Array(4);
  addressBytes(address, data, 0);
  return { code, data };
}

export function addressListOption(code: number, addresses: readonly string[]): DhcpOption {
  const data = new Uint8Array(4 * addresses.length);
  addresses.forEach((address, i) => addressBytes(address, data, 4 * i));
  return { code, data };
}

export function uint32Option(code: number, value: number): DhcpOption {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${value} is not a uint32`);
  const data = new Uint8Array(4);
  data[0] = value >>> 24;
  data[1] = (value >>> 16) & 255;
  data[2] = (value >>> 8) & 255;
  data[3] = value & 255;
  return { code, data };
}

export function uint16Option(code: number, value: number): DhcpOption {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${value} is not a uint16`);
  return { code, data: Uint8Array.of(value >>> 8, value & 255) };
}

export function uint8Option(code: number, value: number): DhcpOption {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${value} is not a uint8`);
  return { code, data: Uint8Array.of(value) };
}

export function textOption(code: number, text: string): DhcpOption {
  return { code, data: utf8Encoder.encode(text) };
}

export function messageTypeOption(type: number): DhcpOption {
  return uint8Option(OptionCode.MESSAGE_TYPE, type);
}
