/**
 * The standard DHCPv4 options an operator may set through `option-data`, by Kea's names, with
 * the value type that `csv-format` text is parsed as (RFC 2132 and the RFCs named beside each).
 */

export type OptionValueType =
  | 'ipv4-address'
  | 'ipv4-address-list'
  | 'string'
  | 'fqdn-list'
  | 'boolean'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'int32';

export interface OptionDefinition {
  readonly name: string;
  readonly code: number;
  readonly type: OptionValueType;
}

const DEFINITIONS: readonly OptionDefinition[] = [
  { name: 'subnet-mask', code: 1, type: 'ipv4-address' },
  { name: 'time-offset', code: 2, type: 'int32' },
  { name: 'routers', code: 3, type: 'ipv4-address-list' },
  { name: 'time-servers', code: 4, type: 'ipv4-address-list' },
  { name: 'name-servers', code: 5, type: 'ipv4-address-list' },
  { name: 'domain-name-servers', code: 6, type: 'ipv4-address-list' },
  { name: 'log-servers', code: 7, type: 'ipv4-address-list' },
  { name: 'cookie-servers', code: 8, type: 'ipv4-address-list' },
  { name: 'lpr-servers', code: 9, type: 'ipv4-address-list' },
  { name: 'impress-servers', code: 10, type: 'ipv4-address-list' },
  { name: 'resource-location-servers', code: 11, type: 'ipv4-address-list' },
  { name: 'host-name', code: 12, type: 'string' },
  { name: 'boot-size', code: 13, type: 'uint16' },
  { name: 'merit-dump', code: 14, type: 'string' },
  { name: 'domain-name', code: 15, type: 'string' },
  { name: 'swap-server', code: 16, type: 'ipv4-address' },
  { name: 'root-path', code: 17, type: 'string' },
  { name: 'extensions-path', code: 18, type: 'string' },
  { name: 'ip-forwarding', code: 19, type: 'boolean' },
  { name: 'non-local-source-routing', code: 20, type: 'boolean' },
  { name: 'max-dgram-reassembly', code: 22, type: 'uint16' },
  { name: 'default-ip-ttl', code: 23, type: 'uint8' },
  { name: 'path-mtu-aging-timeout', code: 24, type: 'uint32' },
  { name: 'interface-mtu', code: 26, type: 'uint16' },
  { name: 'all-subnets-local', code: 27, type: 'boolean' },
  { name: 'broadcast-address', code: 28, type: 'ipv4-address' },
  { name: 'perform-mask-discovery', code: 29, type: 'boolean' },
  { name: 'mask-supplier', code: 30, type: 'boolean' },
  { name: 'router-discovery', code: 31, type: 'boolean' },
  { name: 'router-solicitation-address', code: 32, type: 'ipv4-address' },
  { name: 'trailer-encapsulation', code: 34, type: 'boolean' },
  { name: 'arp-cache-timeout', code: 35, type: 'uint32' },
  { name: 'ieee802-3-encapsulation', code: 36, type: 'boolean' },
  { name: 'default-tcp-ttl', code: 37, type: 'uint8' },
  { name: 'tcp-keepalive-interval', code: 38, type: 'uint32' },
  { name: 'tcp-keepalive-garbage', code: 39, type: 'boolean' },
  { name: 'nis-domain', code: 40, type: 'string' },
  { name: 'nis-servers', code: 41, type: 'ipv4-address-list' },
  { name: 'ntp-servers', code: 42, type: 'ipv4-address-list' },
  { name: 'netbios-name-servers', code: 44, type: 'ipv4-address-list' },
  { name: 'netbios-dd-server', code: 45, type: 'ipv4-address-list' },
  { name: 'netbios-node-type', code: 46, type: 'uint8' },
  { name: 'netbios-scope', code: 47, type: 'string' },
  { name: 'font-servers', code: 48, type: 'ipv4-address-list' },
  { name: 'x-display-manager', code: 49, type: 'ipv4-address-list' },
  { name: 'dhcp-server-identifier', code: 54, type: 'ipv4-address' },
  { name: 'nwip-domain-name', code: 62, type: 'string' },
  { name: 'nisplus-domain-name', code: 64, type: 'string' },
  { name: 'nisplus-servers', code: 65, type: 'ipv4-address-list' },
  { name: 'tftp-server-name', code: 66, type: 'string' },
  { name: 'boot-file-name', code: 67, type: 'string' },
  { name: 'mobile-ip-home-agent', code: 68, type: 'ipv4-address-list' },
  { name: 'smtp-server', code: 69, type: 'ipv4-address-list' },
  { name: 'pop-server', code: 70, type: 'ipv4-address-list' },
  { name: 'nntp-server', code: 71, type: 'ipv4-address-list' },
  { name: 'www-server', code: 72, type: 'ipv4-address-list' },
  { name: 'finger-server', code: 73, type: 'ipv4-address-list' },
  { name: 'irc-server', code: 74, type: 'ipv4-address-list' },
  { name: 'streettalk-server', code: 75, type: 'ipv4-address-list' },
  { name: 'streettalk-directory-assistance-server', code: 76, type: 'ipv4-address-list' },
  { name: 'v4-captive-portal', code: 114, type: 'string' },
  { name: 'domain-search', code: 119, type: 'fqdn-list' },
];

export const OPTION_DEFINITIONS_BY_NAME: ReadonlyMap<string, OptionDefinition> = new Map(
  DEFINITIONS.map((d) => [d.name, d]),
);
export const OPTION_DEFINITIONS_BY_CODE: ReadonlyMap<number, OptionDefinition> = new Map(
  DEFINITIONS.map((d) => [d.code, d]),
);

/**
 * Options whose content the server itself decides from the lease, the query or the protocol;
 * configuring them would contradict what the engine sends.
 */
export const SERVER_MANAGED_OPTION_CODES: ReadonlyMap<number, string> = new Map([
  [50, 'requested address'],
  [51, 'lease time (set valid-lifetime instead)'],
  [52, 'option overload'],
  [53, 'message type'],
  [55, 'parameter request list'],
  [57, 'maximum message size'],
  [58, 'renewal time (set renew-timer instead)'],
  [59, 'rebinding time (set rebind-timer instead)'],
  [61, 'client identifier'],
  [82, 'relay agent information'],
  [118, 'subnet selection'],
]);
