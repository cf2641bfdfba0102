import type { Lease4, LeaseStore } from '@tandem/leases';
import type { ControlAnswer } from './commands/answer.js';
import type { CommandHandler } from './commands/registry.js';
import type { JsonValue } from './commands/json.js';

/**
 * The points where Kea's HA hook library acts on DHCP traffic, as one typed seam. The daemon calls them in
 * this order for every query: `classify` (before allocation) → allocation → `leasesCommitted` (after the lease
 * store changed, before the answer is sent). `start` hands HA the switch of the DHCP service.
 */

/** What HA reads from a query: the load-balancing hash key, the `secs` feed, the message type (spec §7). */
export interface HaQuery {
  readonly messageType: number | undefined;
  readonly htype: number;
  /** chaddr's first hlen bytes. */
  readonly hwAddress: Uint8Array;
  /** Option 61 payload, when the client sent one. */
  readonly clientId: Uint8Array | undefined;
  readonly secs: number;
  readonly xid: number;
  readonly relayed: boolean;
}

export type QueryVerdict =
  /** Serve the query; `classes` are added to the client's classes (e.g. `HA_server1`) before pool selection. */
  | { readonly kind: 'serve'; readonly classes: readonly string[] }
  /** Out of this server's scopes, or HA says nobody should answer now. */
  | { readonly kind: 'drop'; readonly reason: string };

export interface LeaseChanges {
  readonly updated: readonly Lease4[];
  readonly deleted: readonly Lease4[];
}

export type ParkVerdict =
  | { readonly kind: 'send' }
  /** A partner did not acknowledge the lease updates: the client gets no answer (spec §10.3). */
  | { readonly kind: 'drop'; readonly reason: string };

/** The DHCP service switch HA flips (Kea's network state, HA origin). */
export interface DhcpServiceControl {
  disable(maxPeriodS?: number): void;
  enable(): void;
  isEnabled(): boolean;
}

/** What HA reaches of the daemon once it runs: the lease store (synchronisation) and the command registry (HA's HTTP listener). */
export interface HaDaemonAccess {
  readonly store: LeaseStore;
  dispatch(request: unknown): Promise<ControlAnswer>;
}

export interface DhcpHaHooks<CommandCtx = unknown> {
  start(service: DhcpServiceControl, daemon: HaDaemonAccess): Promise<void>;
  classify(query: HaQuery, nowMs: number): QueryVerdict;
  /**
   * A verdict at once when nothing needs acknowledging, or a promise when the answer is parked until the
   * partners acknowledged the lease updates (only those count against `parked-packet-limit`).
   */
  leasesCommitted(query: HaQuery, changes: LeaseChanges): ParkVerdict | Promise<ParkVerdict>;
  /** HA's own commands (ha-heartbeat, ha-sync, ...), added to the daemon's command registry. */
  readonly commands: Readonly<Record<string, CommandHandler<CommandCtx>>>;
  /** The `high-availability` list status-get appends; undefined when HA is not loaded. */
  statusSection(): JsonValue | undefined;
  stop(): Promise<void>;
}

const SERVE_UNCLASSIFIED: QueryVerdict = { kind: 'serve', classes: [] };
const SEND: ParkVerdict = { kind: 'send' };

/** A daemon without libdhcp_ha.so: every query served, every answer sent at once, the service left alone. */
export const withoutHa: DhcpHaHooks<never> = {
  start: async () => undefined,
  classify: () => SERVE_UNCLASSIFIED,
  leasesCommitted: () => SEND,
  commands: {},
  statusSection: () => undefined,
  stop: async () => undefined,
};
