/**
 * The DHCPv4 exchange as the model sees it: only the fields the HA logic and the allocation
 * model look at. Message type numbers are RFC 2132's, so the core's query filter classifies them.
 */
import type { StateLabel } from '@tandem/core';

export const DHCP_TYPE = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7 } as const;

export type ClientOp = 'DISCOVER' | 'REQUEST' | 'RELEASE';
export type ServerOp = 'OFFER' | 'ACK' | 'NAK';

export interface ClientMessage {
  readonly op: ClientOp;
  readonly xid: number;
  readonly client: string;
  /** Lowercase colon hex, as a lease's hw-address. */
  readonly mac: string;
  readonly chaddr: Uint8Array;
  /** Seconds since the client began this acquisition or renewal (RFC 2131 `secs`). */
  readonly secs: number;
  /** Option 50 (SELECTING / INIT-REBOOT). */
  readonly requested?: string;
  /** ciaddr (RENEWING / REBINDING / RELEASE). */
  readonly ciaddr?: string;
}

export interface ServerMessage {
  readonly op: ServerOp;
  readonly xid: number;
  readonly server: string;
  readonly address?: string;
  readonly validLifetimeS?: number;
  /** The HA state of the server when it sent the answer: the "acknowledged in load-balancing" of invariant 6. */
  readonly sentInState: StateLabel;
}

export const macOf = (index: number): string => `02:00:00:00:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`;

export const macBytes = (mac: string): Uint8Array => Uint8Array.from(mac.split(':').map((octet) => parseInt(octet, 16)));
