import type { ControlLog } from '@tandem/control';
import type { LogLevel } from '@tandem/core';
import type { DaemonLog } from '../log/logger.js';
import type { MessageId } from '../log/message-ids.js';

/**
 * HA's log lines: the core's (Kea's HA ids, from `log` effects), the HTTP listener's (Kea's HTTP and
 * COMMAND ids) and this runtime's own, all written to the daemon's pino log with `msgId`.
 */
export type HaLog = (level: LogLevel, msgId: string, message: string, data?: Readonly<Record<string, unknown>>) => void;

/** Message ids of the HA runtime itself: Kea's where Kea logs the same event, TANDEM_HA_* otherwise. */
export const HA_MSG = {
  SERVICE_STARTED: 'TANDEM_HA_RUNTIME_STARTED',
  SERVICE_STOPPED: 'TANDEM_HA_RUNTIME_STOPPED',
  LISTENER_FAILED: 'TANDEM_HA_LISTENER_FAILED',
  SYNC_PAGE_RECEIVED: 'HA_LEASES_SYNC_LEASE_PAGE_RECEIVED',
  SYNC_LEASE_FAILED: 'HA_LEASE_SYNC_FAILED',
  SYNC_TRANSFER_DONE: 'TANDEM_HA_SYNC_TRANSFER_DONE',
  SYNC_START: 'HA_SYNC_START',
  SYNC_SUCCESSFUL: 'HA_SYNC_SUCCESSFUL',
  SYNC_FAILED: 'HA_SYNC_FAILED',
  QUERY_OUT_OF_SCOPE: 'HA_BUFFER4_RECEIVE_NOT_FOR_US',
  EFFECT_FAILED: 'TANDEM_HA_EFFECT_FAILED',
} as const;

export const haLogOf =
  (log: DaemonLog): HaLog =>
  (level, msgId, message, data) =>
    // The daemon's MessageId union lists the daemon's own ids; HA's come from the core and HA_MSG.
    log[level](msgId as MessageId, message, data === undefined ? undefined : { ...data });

/** The HTTP listener's log, into the same stream. */
export const controlLogOf =
  (log: HaLog): ControlLog =>
  (level, msgId, message, data) =>
    log(level, msgId, message, data);
