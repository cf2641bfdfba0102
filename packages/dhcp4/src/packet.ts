/**
 * A DHCPv4 message (RFC 2131 §2) as plain data. Decoded packets refer to the bytes they were
 * decoded from (`chaddr`, `sname`, `file` and option data are views, not copies), so a caller
 * must not reuse a receive buffer while a packet decoded from it is alive.
 */

/** One option as it is on the wire after RFC 3396 concatenation: a code and its payload. */
export interface DhcpOption {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface Dhcp4Packet {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  readonly op: number;
  readonly htype: number;
  /** Hardware address length, at most 16 (the size of `chaddr`). */
  readonly hlen: number;
  readonly hops: number;
  /** Transaction id, unsigned 32-bit. */
  readonly xid: number;
  readonly secs: number;
  readonly flags: number;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  /** 16 bytes on decode; shorter arrays are zero-padded on encode. */
  readonly chaddr: Uint8Array;
  /**
   * 64 bytes on decode, or empty when option overload (52) made the field carry options;
   * shorter arrays are zero-padded on encode.
   */
  readonly sname: Uint8Array;
  /** 128 bytes on decode, or empty when the field carried options; zero-padded on encode. */
  readonly file: Uint8Array;
  /**
   * Options in wire order, each code at most once (repeated codes are concatenated on decode as
   * RFC 3396 requires). Pad (0), end (255) and overload (52) never appear here: they are framing.
   */
  readonly options: readonly DhcpOption[];
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
/** The B flag of RFC 2131 §2: the client cannot receive unicast before it is configured. */
export const BROADCAST_FLAG = 0x8000;

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'DHCPDISCOVER',
  2: 'DHCPOFFER',
  3: 'DHCPREQUEST',
  4: 'DHCPDECLINE',
  5: 'DHCPACK',
  6: 'DHCPNAK',
  7: 'DHCPRELEASE',
  8: 'DHCPINFORM',
  9: 'DHCPFORCERENEW',
  10: 'DHCPLEASEQUERY',
  11: 'DHCPLEASEUNASSIGNED',
  12: 'DHCPLEASEUNKNOWN',
  13: 'DHCPLEASEACTIVE',
  14: 'DHCPBULKLEASEQUERY',
  15: 'DHCPLEASEQUERYDONE',
  16: 'DHCPACTIVELEASEQUERY',
  17: 'DHCPLEASEQUERYSTATUS',
  18: 'DHCPTLS',
};

export function messageTypeName(type: number): string {
  return MESSAGE_TYPE_NAMES[type] ?? `message type ${type}`;
}

/** RFC 2132 (and later) option codes this package reads or writes by name. */
export const OptionCode = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTERS: 3,
  DOMAIN_NAME_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST_ADDRESS: 28,
  NTP_SERVERS: 42,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_IDENTIFIER: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  CLIENT_IDENTIFIER: 61,
  RELAY_AGENT_INFORMATION: 82,
  SUBNET_SELECTION: 118,
  END: 255,
} as const;

/** The hardware address the client put in chaddr: its first `hlen` bytes. */
export function hardwareAddressBytes(packet: Dhcp4Packet): Uint8Array {
  return packet.chaddr.subarray(0, Math.min(packet.hlen, packet.chaddr.length));
}

/** Text of a fixed-size BOOTP field (`sname`, `file`): bytes up to the first zero, as Latin-1. */
export function bootpFieldText(field: Uint8Array): string {
  let text = '';
  for (let i = 0; i < field.length && field[i] !== 0; i++) text += String.fromCharCode(field[i]!);
  return text;
}
