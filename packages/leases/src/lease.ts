/**
 * One IPv4 lease, in the shape Kea's lease4 table and memfile CSV hold it.
 * Text forms follow Kea: lowercase colon-separated hex for hw-address and client-id.
 */
export interface Lease4 {
  /** Dotted-quad IPv4 address; the primary key. */
  readonly address: string;
  /** Lowercase colon hex, e.g. `0a:0b:0c:0d:0e:0f`; empty string when unknown. */
  readonly hwAddress: string;
  /** Lowercase colon hex of option 61's payload including its type byte; absent when the client sent none. */
  readonly clientId?: string;
  /** Seconds. */
  readonly validLifetime: number;
  /** Client last transaction time, Unix seconds. Expiry is `cltt + validLifetime`. */
  readonly cltt: number;
  readonly subnetId: number;
  readonly fqdnFwd: boolean;
  readonly fqdnRev: boolean;
  readonly hostname: string;
  /** 0 default, 1 declined, 2 expired-reclaimed (Kea 2.2 knows no others). */
  readonly state: LeaseState;
  readonly userContext?: Readonly<Record<string, unknown>>;
}

export type LeaseState = 0 | 1 | 2;
export const LEASE_STATE_DEFAULT = 0 as const;
export const LEASE_STATE_DECLINED = 1 as const;
export const LEASE_STATE_EXPIRED_RECLAIMED = 2 as const;

export const leaseExpire = (lease: Lease4): number => lease.cltt + lease.validLifetime;
