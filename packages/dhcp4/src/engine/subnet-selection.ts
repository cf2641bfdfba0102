/**
 * Which subnet a query belongs to, in Kea's order of evidence: the subnet selection option (RFC
 * 3011), the relay's link-selection sub-option (RFC 3527), the relay address (matched against
 * `relay.ip-addresses` first, then subnet ranges), and for a client on a local link its own
 * address, the receiving interface's name, then the receiving interface's address. A subnet
 * guarded by a client class is skipped for clients outside that class.
 */
import type { Subnet4 } from '../config/types.js';
import { IPV4_BROADCAST, IPV4_ZERO, parseIpv4, prefixContains } from '../ipv4-address.js';
import { relayAgentInformation, subnetSelection } from '../options.js';
import type { Dhcp4Packet } from '../packet.js';
import type { ClassSet } from './classification.js';
import type { QueryContext } from './types.js';

export interface SubnetChoice {
  readonly subnet: Subnet4 | undefined;
  /** The evidence used, for the log line of a query no subnet was found for. */
  readonly evidence: string;
}

export function clientMayUseSubnet(subnet: Subnet4, classes: ClassSet): boolean {
  return subnet.clientClass === undefined || classes.has(subnet.clientClass);
}

function byAddress(subnets: readonly Subnet4[], address: number, classes: ClassSet): Subnet4 | undefined {
  for (const subnet of subnets) {
    if (prefixContains(subnet.prefix, address) && clientMayUseSubnet(subnet, classes)) return subnet;
  }
  return undefined;
}

const usable = (address: string) => address !== IPV4_ZERO && address !== IPV4_BROADCAST;

export function selectSubnet(
  subnets: readonly Subnet4[],
  query: Dhcp4Packet,
  context: QueryContext,
  classes: ClassSet,
): SubnetChoice {
  const selection = subnetSelection(query) ?? (query.giaddr !== IPV4_ZERO ? relayAgentInformation(query)?.linkSelection : undefined);
  if (selection !== undefined) {
    return {
      subnet: byAddress(subnets, parseIpv4(selection)!, classes),
      evidence: `subnet selection ${selection}`,
    };
  }
  if (query.giaddr !== IPV4_ZERO) {
    const viaRelay = subnets.find((s) => s.relayAddresses.includes(query.giaddr) && clientMayUseSubnet(s, classes));
    return {
      subnet: viaRelay ?? byAddress(subnets, parseIpv4(query.giaddr)!, classes),
      evidence: `relay ${query.giaddr}`,
    };
  }
  if (query.ciaddr !== IPV4_ZERO) {
    return { subnet: byAddress(subnets, parseIpv4(query.ciaddr)!, classes), evidence: `ciaddr ${query.ciaddr}` };
  }
  const sourceAddress = parseIpv4(context.source.address);
  if (sourceAddress !== undefined && usable(context.source.address)) {
    const subnet = byAddress(subnets, sourceAddress, classes);
    if (subnet !== undefined) return { subnet, evidence: `source ${context.source.address}` };
  }
  const interfaceName = context.receivedOn.interfaceName;
  if (interfaceName !== undefined) {
    const subnet = subnets.find((s) => s.interfaceName === interfaceName && clientMayUseSubnet(s, classes));
    if (subnet !== undefined) return { subnet, evidence: `interface ${interfaceName}` };
  }
  const localAddress = parseIpv4(context.receivedOn.localAddress);
  return {
    subnet: localAddress !== undefined && usable(context.receivedOn.localAddress) ? byAddress(subnets, localAddress, classes) : undefined,
    evidence: `interface ${interfaceName ?? '(unnamed)'} address ${context.receivedOn.localAddress}`,
  };
}
