/**
 * The answer packet: fixed fields copied from the query (RFC 2131 table 3), the options in a
 * stable order, and where it goes (RFC 2131 §4.1).
 */
import { IPV4_BROADCAST, IPV4_ZERO, prefixMask, formatIpv4, type Ipv4Prefix } from '../ipv4-address.js';
import { addressOption, findOption, messageTypeOption, parameterRequestList, uint32Option } from '../options.js';
import {
  BOOTREPLY,
  BROADCAST_FLAG,
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  MessageType,
  OptionCode,
  type Dhcp4Packet,
  type DhcpOption,
} from '../packet.js';
import type { OptionLevels } from './option-levels.js';
import type { Destination } from './types.js';

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

export interface ReplyFields {
  readonly yiaddr: string;
  readonly ciaddr: string;
  readonly siaddr?: string;
  readonly serverHostname?: string;
  readonly bootFileName?: string;
}

export function buildReply(query: Dhcp4Packet, options: readonly DhcpOption[], fields: ReplyFields): Dhcp4Packet {
  const type = options[0]?.data[0];
  // A relay reaches a client without an address only by broadcast: a relayed DHCPNAK (RFC 2131
  // §4.3.2) and a relayed answer to DHCPINFORM without ciaddr ask the relay for it.
  const askRelayToBroadcast =
    query.giaddr !== IPV4_ZERO &&
    (type === MessageType.NAK || (findOption(query, OptionCode.MESSAGE_TYPE)?.data[0] === MessageType.INFORM && query.ciaddr === IPV4_ZERO));
  return {
    op: BOOTREPLY,
    htype: query.htype,
    hlen: query.hlen,
    hops: query.hops,
    xid: query.xid,
    secs: 0,
    flags: askRelayToBroadcast ? query.flags | BROADCAST_FLAG : query.flags,
    ciaddr: fields.ciaddr,
    yiaddr: fields.yiaddr,
    siaddr: fields.siaddr ?? IPV4_ZERO,
    giaddr: query.giaddr,
    chaddr: query.chaddr,
    sname: fields.serverHostname === undefined ? EMPTY : utf8.encode(fields.serverHostname),
    file: fields.bootFileName === undefined ? EMPTY : utf8.encode(fields.bootFileName),
    options,
  };
}

/** Options every answer echoes: client identifier (RFC 6842), subnet selection (RFC 3011), relay agent information (RFC 3046, last). */
function echoed(query: Dhcp4Packet, echoClientId: boolean): DhcpOption[] {
  const out: DhcpOption[] = [];
  const clientId = echoClientId ? findOption(query, OptionCode.CLIENT_IDENTIFIER) : undefined;
  if (clientId !== undefined) out.push(clientId);
  const selection = findOption(query, OptionCode.SUBNET_SELECTION);
  if (selection !== undefined) out.push(selection);
  const relayInfo = findOption(query, OptionCode.RELAY_AGENT_INFORMATION);
  if (relayInfo !== undefined && relayInfo.data.length > 0) out.push(relayInfo);
  return out;
}

export function nakOptions(query: Dhcp4Packet, serverId: string, echoClientId: boolean): DhcpOption[] {
  return [
    messageTypeOption(MessageType.NAK),
    addressOption(OptionCode.SERVER_IDENTIFIER, serverId),
    ...echoed(query, echoClientId),
  ];
}

export interface LeaseTimes {
  readonly validS: number;
  readonly renewalS?: number;
  readonly rebindingS?: number;
}

/** Options the server always includes when configured, asked for or not (Kea's "basic" options). */
const BASIC_OPTION_CODES = [OptionCode.ROUTERS, OptionCode.DOMAIN_NAME_SERVERS, OptionCode.DOMAIN_NAME] as const;

export interface AnswerOptionsInput {
  readonly query: Dhcp4Packet;
  readonly type: typeof MessageType.OFFER | typeof MessageType.ACK;
  readonly serverId: string;
  readonly configured: OptionLevels;
  readonly subnetPrefix: Ipv4Prefix;
  /** Absent for the answer to DHCPINFORM, which grants no lease. */
  readonly lease?: LeaseTimes;
  readonly hostname?: string;
  readonly echoClientId: boolean;
}

/**
 * 53 and 54 first, then the lease times and subnet mask, the options the client asked for in its
 * order, the basic and always-send ones, the host name, and the echoed options last.
 */
export function answerOptions(input: AnswerOptionsInput): DhcpOption[] {
  const { query, configured, lease } = input;
  const out: DhcpOption[] = [
    messageTypeOption(input.type),
    addressOption(OptionCode.SERVER_IDENTIFIER, input.serverId),
  ];
  const present = new Set<number>([OptionCode.MESSAGE_TYPE, OptionCode.SERVER_IDENTIFIER]);
  const add = (option: DhcpOption) => {
    if (present.has(option.code)) return;
    present.add(option.code);
    out.push(option);
  };
  const subnetMask = () =>
    configured.find(OptionCode.SUBNET_MASK) ??
    addressOption(OptionCode.SUBNET_MASK, formatIpv4(prefixMask(input.subnetPrefix.length)));

  if (lease !== undefined) {
    add(uint32Option(OptionCode.LEASE_TIME, lease.validS));
    if (lease.renewalS !== undefined) add(uint32Option(OptionCode.RENEWAL_TIME, lease.renewalS));
    if (lease.rebindingS !== undefined) add(uint32Option(OptionCode.REBINDING_TIME, lease.rebindingS));
    add(subnetMask());
  }
  const requested = parameterRequestList(query);
  if (requested !== undefined) {
    for (let i = 0; i < requested.length; i++) {
      const code = requested[i]!;
      if (present.has(code)) continue;
      if (code === OptionCode.SUBNET_MASK) {
        add(subnetMask());
        continue;
      }
      const option = configured.find(code);
      if (option !== undefined) add(option);
    }
  }
  for (const code of BASIC_OPTION_CODES) {
    const option = configured.find(code);
    if (option !== undefined) add(option);
  }
  for (const option of configured.alwaysSend()) add(option);
  if (input.hostname !== undefined && input.hostname !== '') {
    add({ code: OptionCode.HOST_NAME, data: utf8.encode(input.hostname) });
  }
  for (const option of echoed(query, input.echoClientId)) add(option);
  return out;
}

/** RFC 2131 §4.1 and §4.3.5, without ARP injection: an unconfigured client is reached by broadcast. */
export function replyDestination(query: Dhcp4Packet, reply: Dhcp4Packet, source: { readonly address: string }): Destination {
  const broadcast: Destination = { address: IPV4_BROADCAST, port: DHCP_CLIENT_PORT, broadcast: true };
  const replyType = reply.options[0]?.data[0];
  const queryType = findOption(query, OptionCode.MESSAGE_TYPE)?.data[0];
  if (queryType === MessageType.INFORM) {
    // §4.3.5: the answer goes to the address the client says it has, whoever relayed it.
    if (query.ciaddr !== IPV4_ZERO) return { address: query.ciaddr, port: DHCP_CLIENT_PORT, broadcast: false };
    if (query.giaddr !== IPV4_ZERO) return { address: query.giaddr, port: DHCP_SERVER_PORT, broadcast: false };
    if (source.address !== IPV4_ZERO && source.address !== IPV4_BROADCAST) {
      return { address: source.address, port: DHCP_CLIENT_PORT, broadcast: false };
    }
    return broadcast;
  }
  if (query.giaddr !== IPV4_ZERO) return { address: query.giaddr, port: DHCP_SERVER_PORT, broadcast: false };
  // §4.1: "In all cases, when 'giaddr' is zero, the server broadcasts any DHCPNAK messages".
  if (replyType === MessageType.NAK) return broadcast;
  if (query.ciaddr !== IPV4_ZERO) return { address: query.ciaddr, port: DHCP_CLIENT_PORT, broadcast: false };
  return broadcast;
}
