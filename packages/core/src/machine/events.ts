import type { StateLabel } from '../config/types.js';
import type { Lease4Record } from '../wire/lease4.js';

/**
 * Everything that enters the HA core. The caller (the daemon, a simulation, a test) owns every
 * clock and socket: time arrives as `nowMs` on the events that need it, results of effects
 * arrive as the events below. Nothing here is read from the environment.
 */

/** What the partner said in a successful `ha-heartbeat` answer (already parsed and validated). */
export interface PartnerReport {
  readonly state: StateLabel | 'unavailable';
  /** Partner's clock, Unix seconds (RFC 1123 `date-time`). */
  readonly dateTimeS: number;
  readonly scopes?: readonly string[];
  readonly unsentUpdateCount?: number;
}

export type LeaseUpdateOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly text: string }
  /** Kea ≥2.3.1 result 4: the partner refused the lease; it is not a communication failure. */
  | { readonly kind: 'conflict'; readonly text: string };

export type MaintenanceNotifyOutcome =
  /** The partner answered result 0. */
  | { readonly kind: 'accepted' }
  /** Transport failure, HTTP refusal or result 1: the partner is treated as gone. */
  | { readonly kind: 'unreachable'; readonly text: string }
  /** Any other answer (1001, 2, ...): the partner refused; nothing changes. */
  | { readonly kind: 'refused'; readonly text: string; readonly code: number };

export type DhcpOrigin = 'user' | 'ha-partner';

/** Events produced by the caller after performing an effect or observing the world. */
export type HaEvent =
  // Heartbeats (§6.1, §6.2): exactly one of these answers every `heartbeat.send` effect.
  | { readonly type: 'heartbeat.succeeded'; readonly nowMs: number; readonly partner: PartnerReport }
  | { readonly type: 'heartbeat.failed'; readonly nowMs: number; readonly reason: string }
  // Failure detection feed (§6.4): a load-balanced query this server does not serve.
  | {
      readonly type: 'query.observed';
      readonly nowMs: number;
      /** The DHCPv4 `secs` header field as received (the core applies Kea's byte-swap rule). */
      readonly secs: number;
      /** chaddr, hlen bytes. */
      readonly chaddr: Uint8Array;
      /** Option 61 payload including its type byte, when present. */
      readonly clientId?: Uint8Array;
    }
  // Lease updates (§10): the allocation engine committed lease changes for a query.
  | {
      readonly type: 'leases.committed';
      readonly nowMs: number;
      readonly queryId: string;
      /** Client identity for rejected-update bookkeeping (§6.8). */
      readonly clientKey: string;
      readonly updated: readonly Lease4Record[];
      readonly deleted: readonly Lease4Record[];
    }
  | {
      readonly type: 'lease-updates.completed';
      readonly nowMs: number;
      readonly queryId: string;
      readonly peer: string;
      readonly outcome: LeaseUpdateOutcome;
    }
  // Synchronisation (§9) run by the caller for the `sync.start` effect.
  | { readonly type: 'sync.succeeded'; readonly nowMs: number; readonly leases: number }
  | { readonly type: 'sync.failed'; readonly nowMs: number; readonly reason: string }
  // Communication-recovery (§2.5, §10.5).
  | { readonly type: 'backlog.delivered'; readonly nowMs: number; readonly ok: boolean; readonly reason?: string }
  | { readonly type: 'ha-reset.sent'; readonly nowMs: number; readonly ok: boolean; readonly reason?: string }
  // Result of the `maintenance-notify.send` effect (§8.9, §8.10).
  | {
      readonly type: 'maintenance-notify.completed';
      readonly nowMs: number;
      readonly requestId: string;
      readonly outcome: MaintenanceNotifyOutcome;
    }
  // Commands received on the control channel; each is answered by one `command.answer` effect.
  | { readonly type: 'command.ha-reset'; readonly nowMs: number; readonly requestId: string }
  | { readonly type: 'command.ha-continue'; readonly nowMs: number; readonly requestId: string }
  | { readonly type: 'command.ha-scopes'; readonly nowMs: number; readonly requestId: string; readonly scopes: unknown }
  | { readonly type: 'command.ha-maintenance-notify'; readonly nowMs: number; readonly requestId: string; readonly cancel: boolean }
  | { readonly type: 'command.ha-maintenance-start'; readonly nowMs: number; readonly requestId: string }
  | { readonly type: 'command.ha-maintenance-cancel'; readonly nowMs: number; readonly requestId: string }
  | { readonly type: 'command.ha-sync-complete-notify'; readonly nowMs: number; readonly requestId: string }
  | {
      readonly type: 'command.dhcp-disable';
      readonly nowMs: number;
      readonly requestId: string;
      readonly origin: DhcpOrigin;
      /** Seconds; absent = until enabled again. */
      readonly maxPeriodS?: number;
    }
  | { readonly type: 'command.dhcp-enable'; readonly nowMs: number; readonly requestId: string; readonly origin: DhcpOrigin };

export type HaEventType = HaEvent['type'];

/** Events the machine raises to itself; callers never send them. */
export type InternalEvent = { readonly type: 'ha.evaluate' } | { readonly type: 'heartbeat.update' };
