/**
 * Who a query is from, in the text forms leases use, and Kea's rule for whether a lease is that
 * client's: the client identifiers decide when both sides have one, the hardware address otherwise.
 */
import type { Lease4 } from '@tandem/leases';
import { toColonHex } from '../hex.js';
import { clientIdentifier } from '../options.js';
import { hardwareAddressBytes, type Dhcp4Packet } from '../packet.js';

export interface ClientIdentity {
  /** Lowercase colon hex of chaddr's first hlen bytes; `''` when hlen is 0. */
  readonly hwAddress: string;
  /** Lowercase colon hex of option 61's payload, type byte included. */
  readonly clientId?: string;
}

export function identifyClient(query: Dhcp4Packet): ClientIdentity {
  const clientId = clientIdentifier(query);
  return {
    hwAddress: toColonHex(hardwareAddressBytes(query)),
    ...(clientId !== undefined && { clientId: toColonHex(clientId) }),
  };
}

/** For log lines: `hwtype=1 0a:00:00:00:00:01, cid=01:0a:...`, like Kea's packet labels. */
export function describeClient(identity: ClientIdentity): string {
  const hw = identity.hwAddress === '' ? 'no hw-address' : `hw ${identity.hwAddress}`;
  return identity.clientId === undefined ? hw : `${hw}, client-id ${identity.clientId}`;
}

/**
 * `clientId` is the query's client identifier, or undefined where the subnet ignores client
 * identifiers (match-client-id false).
 */
export function leaseBelongsToClient(lease: Lease4, hwAddress: string, clientId: string | undefined): boolean {
  if (clientId !== undefined && lease.clientId !== undefined) return clientId === lease.clientId;
  return hwAddress !== '' && hwAddress === lease.hwAddress;
}
