import { ConfigError, expectObject, expectString, rejectUnknownKeys, type ConfigWarning } from './config-error.js';

/** One `interfaces` entry: `"eth0"`, `"eth0/192.0.2.1"` or `"*"` (every interface). */
export type InterfaceSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'interface'; readonly name: string; readonly address?: string };

export interface InterfacesConfig {
  readonly interfaces: readonly InterfaceSelector[];
}

const KNOWN = new Set([
  'interfaces',
  'dhcp-socket-type',
  'outbound-interface',
  're-detect',
  'service-sockets-require-all',
  'service-sockets-max-retries',
  'service-sockets-retry-wait-time',
  'user-context',
  'comment',
]);

const parseSelector = (entry: unknown, path: string): InterfaceSelector => {
  const text = expectString(entry, path);
  if (text === '*') return { kind: 'all' };
  const [name, address, extra] = text.split('/');
  if (name === undefined || name === '' || extra !== undefined) {
    throw new ConfigError(`${path}: '${text}' is not an interface name, 'name/address' or '*'`);
  }
  if (address !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    throw new ConfigError(`${path}: '${address}' in '${text}' is not an IPv4 address`);
  }
  return address === undefined ? { kind: 'interface', name } : { kind: 'interface', name, address };
};

export const parseInterfacesConfig = (value: unknown, path: string, warnings: ConfigWarning[]): InterfacesConfig => {
  const section = expectObject(value, path);
  rejectUnknownKeys(section, KNOWN, path);
  const list = section.interfaces ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`${path}.interfaces must be a list`);
  const interfaces = list.map((entry, i) => parseSelector(entry, `${path}.interfaces[${i}]`));

  const socketType = section['dhcp-socket-type'];
  if (socketType !== undefined) {
    const type = expectString(socketType, `${path}.dhcp-socket-type`);
    if (type !== 'raw' && type !== 'udp') throw new ConfigError(`${path}.dhcp-socket-type must be 'raw' or 'udp', not '${type}'`);
    if (type === 'raw') {
      warnings.push({
        path: `${path}.dhcp-socket-type`,
        text: "'raw' accepted: Tandem always uses one UDP socket; answers to direct clients that have no address yet are broadcast instead of unicast to the offered address",
      });
    }
  }
  if (section['outbound-interface'] !== undefined) {
    const mode = expectString(section['outbound-interface'], `${path}.outbound-interface`);
    if (mode !== 'same-as-inbound' && mode !== 'use-routing') {
      throw new ConfigError(`${path}.outbound-interface must be 'same-as-inbound' or 'use-routing', not '${mode}'`);
    }
    if (mode === 'same-as-inbound') {
      warnings.push({ path: `${path}.outbound-interface`, text: 'accepted: Tandem sends every answer through the kernel routing table (use-routing)' });
    }
  }
  for (const key of ['re-detect', 'service-sockets-require-all', 'service-sockets-max-retries', 'service-sockets-retry-wait-time']) {
    if (section[key] !== undefined) {
      warnings.push({
        path: `${path}.${key}`,
        text: 'accepted and ignored: Tandem binds one UDP socket at start and exits if it cannot',
      });
    }
  }
  return { interfaces };
};
