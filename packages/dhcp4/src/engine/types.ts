import type { Lease4 } from '@tandem/leases';
import type { Dhcp4Packet } from '../packet.js';

/** What the caller knows about a query besides its bytes. */
export interface QueryContext {
  /** Unix seconds; the engine reads no clock. */
  readonly nowS: number;
  /** Classes assigned before the engine runs, e.g. `['HA_server1']` from the HA core. */
  readonly classes: readonly string[];
  readonly receivedOn: {
    readonly interfaceName?: string;
    /** The receiving interface's own address (not the packet's destination, which may be broadcast). */
    readonly localAddress: string;
  };
  /**
   * Every address the server receives queries on (those of all its interfaces, Kea's addresses with
   * an open socket): a query whose server identifier is one of them is for this server. Absent: the
   * receiving interface's address alone.
   */
  readonly ownAddresses?: ReadonlySet<string>;
  /** Where the packet came from (a relay, or the client itself). */
  readonly source: { readonly address: string; readonly port: number };
}

/** What a query (or a reclamation run) changed in the lease store, for HA lease updates. */
export interface LeaseChanges {
  readonly updated: readonly Lease4[];
  readonly deleted: readonly Lease4[];
}

export interface Destination {
  readonly address: string;
  readonly port: number;
  /** The destination is the limited broadcast address: send out of the receiving interface. */
  readonly broadcast: boolean;
}

export type ProcessResult =
  | {
      readonly kind: 'respond';
      readonly response: Dhcp4Packet;
      readonly destination: Destination;
      readonly leaseChanges: LeaseChanges;
    }
  | {
      readonly kind: 'drop';
      /** Why nothing is sent, for the log; DECLINE and RELEASE are always answered by silence. */
      readonly reason: string;
      /**
       * Set when Kea's accept step dropped the query: its server identifier names another server
       * (Kea counts these in pkt4-receive-drop and logs DHCP4_PACKET_DROP_0003).
       */
      readonly foreignServerId?: string;
      readonly leaseChanges: LeaseChanges;
    };

export const NO_LEASE_CHANGES: LeaseChanges = Object.freeze({ updated: Object.freeze([]), deleted: Object.freeze([]) });
