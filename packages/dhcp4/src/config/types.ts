/**
 * The parsed Kea `Dhcp4` settings that drive allocation, with every inherited value resolved
 * onto the subnet that uses it. Addresses that the engine computes with are unsigned 32-bit
 * numbers (`first`, `last`, `network`); the text forms are kept beside them for messages.
 */
import type { Ipv4Prefix } from '../ipv4-address.js';

/** One `option-data` entry after parsing: what goes on the wire. */
export interface ConfiguredOption {
  readonly code: number;
  /** Kea's option name when the definition is known. */
  readonly name?: string;
  /** The payload (not frozen: typed arrays cannot be; never write to it). */
  readonly data: Uint8Array;
  /** Sent even when the client's parameter request list does not ask for it. */
  readonly alwaysSend: boolean;
}

/** A client class test: boolean combinations of `member('<class>')`. */
export type ClassExpression =
  | { readonly kind: 'member'; readonly className: string }
  | { readonly kind: 'not'; readonly operand: ClassExpression }
  | { readonly kind: 'and' | 'or'; readonly left: ClassExpression; readonly right: ClassExpression };

export interface ClientClass4 {
  readonly name: string;
  /** Absent: membership comes only from outside (the HA core's `HA_<server>`, a reservation). */
  readonly test?: ClassExpression;
  /** The test as written, for messages. */
  readonly testText?: string;
  /** Evaluated only when a subnet or pool lists it in `require-client-classes`. */
  readonly onlyIfRequired: boolean;
  /** The test refers to KNOWN or UNKNOWN, directly or through another class: evaluate after host lookup. */
  readonly dependsOnKnown: boolean;
  readonly options: readonly ConfiguredOption[];
  readonly validLifetimeS?: number;
  readonly minValidLifetimeS?: number;
  readonly maxValidLifetimeS?: number;
}

export interface Lifetimes {
  readonly validLifetimeS: number;
  readonly minValidLifetimeS: number;
  readonly maxValidLifetimeS: number;
  /** T1 as configured; absent means "not configured", not zero. */
  readonly renewTimerS?: number;
  /** T2 as configured. */
  readonly rebindTimerS?: number;
  readonly calculateTeeTimes: boolean;
  readonly t1Percent: number;
  readonly t2Percent: number;
}

export type HostIdentifierType = 'hw-address' | 'client-id';

export interface Reservation4 {
  readonly identifierType: HostIdentifierType;
  /** Lowercase colon hex, the form leases use. */
  readonly identifier: string;
  readonly ipAddress?: string;
  readonly hostname?: string;
  readonly clientClasses: readonly string[];
  readonly options: readonly ConfiguredOption[];
}

export interface Pool4 {
  /** As written, e.g. `192.0.2.10 - 192.0.2.100` or `192.0.2.0/26`. */
  readonly text: string;
  readonly first: number;
  readonly last: number;
  /** Only clients in this class may get an address from the pool. */
  readonly clientClass?: string;
  readonly requireClientClasses: readonly string[];
  readonly options: readonly ConfiguredOption[];
}

export interface Subnet4 {
  readonly id: number;
  /** As written, e.g. `192.0.2.0/24`. */
  readonly subnet: string;
  readonly prefix: Ipv4Prefix;
  readonly pools: readonly Pool4[];
  readonly options: readonly ConfiguredOption[];
  /** Relay (giaddr) addresses that select this subnet besides the subnet's own range. */
  readonly relayAddresses: readonly string[];
  readonly interfaceName?: string;
  /** Only clients in this class may use the subnet. */
  readonly clientClass?: string;
  readonly requireClientClasses: readonly string[];
  readonly lifetimes: Lifetimes;
  readonly matchClientId: boolean;
  readonly authoritative: boolean;
  readonly reservations: readonly Reservation4[];
  readonly reservationsGlobal: boolean;
  readonly reservationsInSubnet: boolean;
  readonly reservationsOutOfPool: boolean;
  readonly nextServer?: string;
  readonly serverHostname?: string;
  readonly bootFileName?: string;
}

export interface ExpiredLeasesProcessing {
  readonly reclaimTimerWaitTimeS: number;
  /** 0 disables flushing, and then reclamation deletes leases instead of keeping them reclaimed. */
  readonly flushReclaimedTimerWaitTimeS: number;
  readonly holdReclaimedTimeS: number;
  /** 0 means no limit. */
  readonly maxReclaimLeases: number;
  readonly maxReclaimTimeMs: number;
  readonly unwarnedReclaimCycles: number;
}

export interface Dhcp4ServerConfig {
  readonly subnets: readonly Subnet4[];
  /** In definition order, which is evaluation order. */
  readonly clientClasses: readonly ClientClass4[];
  /** Global `option-data`. */
  readonly options: readonly ConfiguredOption[];
  /** Global `reservations`, used by subnets with `reservationsGlobal`. */
  readonly reservations: readonly Reservation4[];
  /** Order in which identifiers are tried for reservations. */
  readonly hostReservationIdentifiers: readonly HostIdentifierType[];
  /** Global value, used when no subnet is selected. */
  readonly authoritative: boolean;
  readonly echoClientId: boolean;
  readonly declineProbationPeriodS: number;
  readonly expiredLeasesProcessing: ExpiredLeasesProcessing;
}
