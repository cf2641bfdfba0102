/**
 * Host reservations indexed for the per-query lookups: by client identifier (in the configured
 * order of identifier types) and by reserved address. A subnet sees its own reservations when
 * `reservations-in-subnet` is on and the global ones when `reservations-global` is on.
 */
import type { Dhcp4ServerConfig, HostIdentifierType, Reservation4, Subnet4 } from '../config/types.js';
import { parseIpv4, prefixContains } from '../ipv4-address.js';
import type { ClientIdentity } from './client-identity.js';

export interface HostLookup {
  /** The reservation whose hostname, classes and options apply (Kea's "current host"). */
  readonly host: Reservation4 | undefined;
  /** The address reserved for this client in this subnet, if any. */
  readonly reservedAddress: number | undefined;
}

const NO_HOST: HostLookup = { host: undefined, reservedAddress: undefined };

interface ReservationTable {
  readonly byIdentifier: ReadonlyMap<string, Reservation4>;
  readonly byAddress: ReadonlyMap<number, Reservation4>;
}

function table(reservations: readonly Reservation4[]): ReservationTable {
  const byIdentifier = new Map<string, Reservation4>();
  const byAddress = new Map<number, Reservation4>();
  for (const r of reservations) {
    byIdentifier.set(`${r.identifierType} ${r.identifier}`, r);
    if (r.ipAddress !== undefined) byAddress.set(parseIpv4(r.ipAddress)!, r);
  }
  return { byIdentifier, byAddress };
}

export class ReservationIndex {
  readonly #identifierTypes: readonly HostIdentifierType[];
  readonly #global: ReservationTable;
  readonly #bySubnet = new Map<number, ReservationTable>();

  constructor(config: Dhcp4ServerConfig) {
    this.#identifierTypes = config.hostReservationIdentifiers;
    this.#global = table(config.reservations);
    for (const subnet of config.subnets) this.#bySubnet.set(subnet.id, table(subnet.reservations));
  }

  lookup(subnet: Subnet4, identity: ClientIdentity, inAnyPool: (address: number) => boolean): HostLookup {
    const subnetHost = subnet.reservationsInSubnet ? this.#find(this.#bySubnet.get(subnet.id)!, identity) : undefined;
    const globalHost = subnet.reservationsGlobal ? this.#find(this.#global, identity) : undefined;
    if (subnetHost === undefined && globalHost === undefined) return NO_HOST;
    const globalAddress = globalHost?.ipAddress !== undefined ? parseIpv4(globalHost.ipAddress)! : undefined;
    const subnetAddress = subnetHost?.ipAddress !== undefined ? parseIpv4(subnetHost.ipAddress)! : undefined;
    let reservedAddress: number | undefined;
    if (globalAddress !== undefined && prefixContains(subnet.prefix, globalAddress)) reservedAddress = globalAddress;
    else if (subnetAddress !== undefined && !(subnet.reservationsOutOfPool && inAnyPool(subnetAddress))) {
      // With reservations-out-of-pool the operator promises no reservation lies inside a pool.
      reservedAddress = subnetAddress;
    }
    return { host: subnetHost ?? globalHost, reservedAddress };
  }

  /** The reservation holding `address` in this subnet, if the subnet honours it. */
  reservationAt(subnet: Subnet4, address: number): Reservation4 | undefined {
    return (
      (subnet.reservationsInSubnet ? this.#bySubnet.get(subnet.id)!.byAddress.get(address) : undefined) ??
      (subnet.reservationsGlobal ? this.#global.byAddress.get(address) : undefined)
    );
  }

  #find(reservations: ReservationTable, identity: ClientIdentity): Reservation4 | undefined {
    if (reservations.byIdentifier.size === 0) return undefined;
    for (const type of this.#identifierTypes) {
      const identifier = type === 'hw-address' ? identity.hwAddress : identity.clientId;
      if (identifier === undefined || identifier === '') continue;
      const found = reservations.byIdentifier.get(`${type} ${identifier}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
