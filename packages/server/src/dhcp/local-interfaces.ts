import type { InterfaceSelector } from '../config/interfaces-config.js';
import { ConfigError } from '../config/config-error.js';

/** An IPv4 address of a local interface that the configuration selected for DHCP. */
export interface LocalInterface {
  readonly name: string;
  readonly address: string;
  readonly netmask: string;
  readonly internal: boolean;
}

/** The shape of `os.networkInterfaces()`, narrowed to what is read here. */
export type InterfaceTable = Readonly<Record<string, ReadonlyArray<{ family: string | number; address: string; netmask: string; internal: boolean }> | undefined>>;

/**
 * Resolves `interfaces-config/interfaces` against the host's interfaces, refusing names that do not exist
 * or have no IPv4 address (Kea would open no socket there and answer nobody: better to say so at start).
 */
export const selectInterfaces = (selectors: readonly InterfaceSelector[], table: InterfaceTable): LocalInterface[] => {
  const ipv4 = (name: string) =>
    (table[name] ?? [])
      .filter((a) => a.family === 'IPv4' || a.family === 4)
      .map((a) => ({ name, address: a.address, netmask: a.netmask, internal: a.internal }));
  const out: LocalInterface[] = [];
  for (const selector of selectors) {
    if (selector.kind === 'all') {
      for (const name of Object.keys(table)) out.push(...ipv4(name).filter((i) => !i.internal));
      continue;
    }
    if (table[selector.name] === undefined) {
      throw new ConfigError(`$.Dhcp4.interfaces-config/interfaces: interface '${selector.name}' does not exist on this host`);
    }
    const addresses = ipv4(selector.name);
    const chosen = selector.address === undefined ? addresses : addresses.filter((a) => a.address === selector.address);
    if (chosen.length === 0) {
      throw new ConfigError(
        `$.Dhcp4.interfaces-config/interfaces: interface '${selector.name}' has no IPv4 address${selector.address ? ` ${selector.address}` : ''}`,
      );
    }
    if (selector.address === undefined) out.push(chosen[0] as LocalInterface);
    else out.push(...chosen);
  }
  return out;
};

/**
 * The addresses a query's server identifier may name for this server (Kea: an address with an open
 * socket): every IPv4 address of an interface configured by name, the one address of `name/address`,
 * every non-loopback address for `*`. The engine's own option 54 is always among them (it is the
 * first address of the receiving interface).
 */
export const ownAddresses = (selectors: readonly InterfaceSelector[], table: InterfaceTable): ReadonlySet<string> => {
  const ipv4 = (name: string) => (table[name] ?? []).filter((a) => a.family === 'IPv4' || a.family === 4);
  const out = new Set<string>();
  for (const selector of selectors) {
    if (selector.kind === 'all') {
      for (const name of Object.keys(table)) for (const a of ipv4(name)) if (!a.internal) out.add(a.address);
    } else if (selector.address !== undefined) {
      out.add(selector.address);
    } else {
      for (const a of ipv4(selector.name)) out.add(a.address);
    }
  }
  return out;
};

const toNumber = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

export const onLink = (iface: LocalInterface, address: string): boolean => {
  const mask = toNumber(iface.netmask);
  return ((toNumber(address) & mask) >>> 0) === ((toNumber(iface.address) & mask) >>> 0);
};

/**
 * Node's UDP sockets do not report the receiving interface, so it is inferred: the one interface when only
 * one is configured, else the interface on whose network the sender is (a renewing client), else the first.
 */
export const receivingInterface = (interfaces: readonly LocalInterface[], sourceAddress: string): LocalInterface | undefined => {
  if (interfaces.length <= 1) return interfaces[0];
  return interfaces.find((i) => sourceAddress !== '0.0.0.0' && onLink(i, sourceAddress)) ?? interfaces[0];
};

/** Binding to the wildcard address is needed to receive broadcasts; loopback-only service binds loopback. */
export const bindAddressFor = (interfaces: readonly LocalInterface[]): string =>
  interfaces.length > 0 && interfaces.every((i) => i.internal) ? (interfaces.length === 1 ? (interfaces[0] as LocalInterface).address : '0.0.0.0') : '0.0.0.0';
