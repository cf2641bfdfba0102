import type { StateLabel } from '../config/types.js';
import type { Lease4Record } from '../wire/lease4.js';
import type { LeaseOperation } from './context.js';

/** Kea's answer object for a control command (`result`, `text`, optional `arguments`). */
export interface CommandAnswer {
  readonly result: number;
  readonly text: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Everything the HA core asks its caller to do, emitted as typed data. The caller performs the
 * effect and, where the effect has a result, sends the matching event back (see docs/architecture.md).
 */
export type HaEffect =
  /** Send `ha-heartbeat` to the partner; answer with `heartbeat.succeeded` or `heartbeat.failed`. */
  | { readonly type: 'heartbeat.send'; readonly peer: string }
  /**
   * Send lease4-del for each of `deleted`, then lease4-update for each of `updated`, to `peer`;
   * report one `lease-updates.completed` for the batch. `awaited` batches hold the client's answer.
   */
  | {
      readonly type: 'lease-updates.send';
      readonly queryId: string;
      readonly peer: string;
      readonly deleted: readonly Lease4Record[];
      readonly updated: readonly Lease4Record[];
      readonly awaited: boolean;
    }
  /** Hold the DHCP answer of this query until `query.respond` or `query.drop`. */
  | { readonly type: 'query.park'; readonly queryId: string }
  /** Send the (possibly parked) DHCP answer of this query now. */
  | { readonly type: 'query.respond'; readonly queryId: string }
  /** Drop the parked DHCP answer: a lease update it waited for failed. */
  | { readonly type: 'query.drop'; readonly queryId: string; readonly reason: string }
  /** Run the lease database synchronisation of §9 from `peer`; answer `sync.succeeded` / `sync.failed`. */
  | { readonly type: 'sync.start'; readonly peer: string; readonly maxPeriodS: number; readonly pageLimit: number; readonly timeoutMs: number }
  /** Deliver the communication-recovery backlog to `peer` in order; answer `backlog.delivered`. */
  | { readonly type: 'backlog.deliver'; readonly peer: string; readonly operations: readonly LeaseOperation[] }
  /** Send `ha-reset` to `peer`; answer `ha-reset.sent`. */
  | { readonly type: 'ha-reset.send'; readonly peer: string }
  /** Send `ha-maintenance-notify` to `peer`; answer `maintenance-notify.completed`. */
  | { readonly type: 'maintenance-notify.send'; readonly peer: string; readonly requestId: string; readonly cancel: boolean; readonly state: StateLabel }
  /** Enable or disable the local DHCP service (emitted only on change). */
  | { readonly type: 'dhcp-service.set'; readonly enabled: boolean }
  /** Serve exactly these scopes (peer names) from now on (emitted only on change). */
  | { readonly type: 'scopes.set'; readonly scopes: readonly string[] }
  /** The HA state changed (also logged as HA_STATE_TRANSITION). */
  | { readonly type: 'state.changed'; readonly from: StateLabel; readonly to: StateLabel; readonly paused: boolean }
  /** Answer a command event carrying this requestId. */
  | { readonly type: 'command.answer'; readonly requestId: string; readonly answer: CommandAnswer }
  /** A log line with a Kea-style message id. */
  | {
      readonly type: 'log';
      readonly level: LogLevel;
      readonly id: string;
      readonly message: string;
      readonly data?: Readonly<Record<string, unknown>>;
    };

export type HaEffectType = HaEffect['type'];
