import type { HaConfig, KeaCompat, StateLabel } from '../config/types.js';
import type { Lease4Record } from '../wire/lease4.js';
import type { UnackedClients } from '../communication/failure-detection.js';
import type { BacklogEntry, LeaseUpdateBacklog } from '../communication/backlog.js';

/** What we last learned about the partner; `unknown` until the first heartbeat completes (§1.2). */
export type PartnerState = StateLabel | 'unavailable' | 'unknown';

/** One entry of the communication-recovery backlog (§10.5). */
export type LeaseOperation = BacklogEntry<Lease4Record>;

export interface PartnerView {
  readonly state: PartnerState;
  readonly scopes: readonly string[];
  /** The last two `unsent-update-count` values the partner reported (§6.6). */
  readonly unsentPrevious: number;
  readonly unsentCurrent: number;
  /** Reference for "communication interrupted": start-up, then every successful heartbeat (§6.3). */
  readonly lastContactMs: number;
  /** A partner state has ever been recorded (status-get `in-touch`, quirk §13.11). */
  readonly inTouch: boolean;
  /** Partner clock minus ours, seconds; undefined before the first measurement. */
  readonly clockSkewS?: number;
  readonly lastSkewWarningMs?: number;
  /** The partner finished syncing from us while we were in partner-down (§2.6, §8.11). */
  readonly syncCompleteNotified: boolean;
}

/**
 * Reasons the local DHCP service is disabled (§11, HEAD's per-origin model): the service runs
 * only when none is set.
 */
export interface NetworkLocks {
  /** `dhcp-disable` from an administrator. */
  readonly user: boolean;
  /** This server's HA state wants the service off. */
  readonly haLocal: boolean;
  /** The partner disabled us for a sync (`dhcp-disable` origin ha-partner). */
  readonly haRemote: boolean;
  /** `ha-sync-complete-notify` arrived in partner-down: stay off until the next heartbeat (§2.6). */
  readonly syncCompleteHold: boolean;
  /** The max-period of the current remote disable, for the auto re-enable timer; 0 = none. */
  readonly remoteMaxPeriodMs: number;
}

export interface ParkedQuery {
  readonly queryId: string;
  /** Peers whose acknowledgement the answer waits for. */
  readonly awaiting: readonly string[];
  readonly failure?: string;
  readonly conflict: boolean;
  readonly clientKey: string;
}

export type PendingCommand =
  | { readonly kind: 'maintenance-start'; readonly requestId: string }
  | { readonly kind: 'maintenance-cancel'; readonly requestId: string };

export interface HaContext {
  readonly config: HaConfig;
  readonly compat: KeaCompat;
  /** Mirrors the `ha` region's state so guards and answers can read it. */
  readonly state: StateLabel;
  /** The state before the last transition (maintenance cancel returns there). */
  readonly previousState: StateLabel;
  /** Time of the latest timed event; "now" for every decision. */
  readonly nowMs: number;
  readonly paused: boolean;
  readonly pauseOnceUsed: readonly StateLabel[];
  /** Set by a maintenance cancel: the next evaluation does nothing (§1.3). */
  readonly skipEvaluation: boolean;
  /** partner-down was entered through ha-maintenance-start: serve all scopes regardless of auto-failover. */
  readonly maintenanceEntry: boolean;
  readonly servedScopes: readonly string[];
  readonly network: NetworkLocks;
  readonly dhcpEnabled: boolean;
  readonly partner: PartnerView;
  readonly unacked: UnackedClients;
  /** Our own unsent-update-count, reported in heartbeat answers (§6.6). */
  readonly unsentUpdateCount: number;
  readonly backlog: LeaseUpdateBacklog<Lease4Record>;
  /**
   * In parking order. A list, not a record keyed by query id: copying a record whose keys churn
   * (V8 dictionary mode) cost ~1 ms per query at 256 parked answers, enough to keep an overloaded
   * pair from ever recovering; copying the list costs a few µs.
   */
  readonly parked: readonly ParkedQuery[];
  /** Rejected clients (§6.8): client key → expiry, ms. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly syncing: boolean;
  readonly pendingCommand?: PendingCommand;
}

export interface HaMachineInput {
  readonly config: HaConfig;
  /** Start-up time: the reference for "communication interrupted" until the first heartbeat. */
  readonly nowMs: number;
  readonly compat?: KeaCompat;
}
