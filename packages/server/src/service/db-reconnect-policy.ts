import type { PostgresqlConnectionEvent, PostgresqlLeaseDatabase, PostgresqlOnFail } from '@tandem/leases';
import { match } from 'ts-pattern';
import { MSG, type MessageId } from '../log/message-ids.js';

/**
 * Kea 2.2's reconnect control for a lease database (ControlledDhcpv4Srv's dbLostCallback,
 * dbRecoveredCallback and dbFailedCallback with on-fail), as a pure decision: the daemon hands in
 * what the store saw of its connection and performs what comes back.
 *
 * - `stop-retry-exit` alters the service state: DHCP is disabled (the DB-connection origin) from the
 *   loss until the connection is back; `serve-*` keep answering, each query failing on its own while
 *   the database is away.
 * - Every mode but `serve-retry-continue` exits (status 1) once reconnecting gave up.
 * - As in Kea, reconnecting is off when `max-reconnect-tries` or `reconnect-wait-time` is 0 (both
 *   are 0 by default): the loss itself is then the failure, and an exiting mode exits at once.
 */
export interface DbReconnectPolicy {
  readonly onFail: PostgresqlOnFail;
  readonly maxReconnectTries: number;
  readonly reconnectWaitTimeMs: number;
}

export type DbServiceChange = 'disable' | 'enable' | 'unchanged';

export interface DbConnectionReaction {
  readonly service: DbServiceChange;
  /** Stop the daemon with exit status 1 (Kea's shutdownServer(EXIT_FAILURE)). */
  readonly exit: boolean;
  readonly log: { readonly level: 'info' | 'warn' | 'error'; readonly msgId: MessageId; readonly text: string };
}

export const dbReconnectPolicy = (database: PostgresqlLeaseDatabase): DbReconnectPolicy => ({
  onFail: database.onFail ?? 'stop-retry-exit',
  maxReconnectTries: database.maxReconnectTries ?? 0,
  reconnectWaitTimeMs: database.reconnectWaitTimeMs ?? 0,
});

/** Whether the DHCP service follows the database's reachability (Kea's alterServiceState). */
const altersServiceState = (onFail: PostgresqlOnFail): boolean => onFail === 'stop-retry-exit';

/** Whether giving up on the database stops the server (Kea's exitOnFailure). */
const exitsOnFailure = (onFail: PostgresqlOnFail): boolean => onFail !== 'serve-retry-continue';

export const reconnectEnabled = (policy: DbReconnectPolicy): boolean => policy.maxReconnectTries > 0 && policy.reconnectWaitTimeMs > 0;

const whileLost = (onFail: PostgresqlOnFail): string =>
  match(onFail)
    .with('stop-retry-exit', () => 'DHCP service disabled until it is back')
    .with('serve-retry-exit', 'serve-retry-continue', () => 'still serving; queries needing the database fail until it is back')
    .exhaustive();

export const reactToConnectionEvent = (policy: DbReconnectPolicy, event: PostgresqlConnectionEvent, where: string): DbConnectionReaction =>
  match(event)
    .with({ kind: 'lost' }, ({ error }): DbConnectionReaction => {
      const service: DbServiceChange = altersServiceState(policy.onFail) ? 'disable' : 'unchanged';
      if (!reconnectEnabled(policy)) {
        const exit = exitsOnFailure(policy.onFail);
        return {
          service,
          exit,
          log: {
            level: 'error',
            msgId: MSG.DHCP4_DB_RECONNECT_DISABLED,
            text:
              `lease database ${where}: connection lost (${error.message}); reconnecting is disabled ` +
              `(max-reconnect-tries ${policy.maxReconnectTries}, reconnect-wait-time ${policy.reconnectWaitTimeMs} ms)` +
              (exit ? `: on-fail '${policy.onFail}', shutting down` : `: on-fail '${policy.onFail}', ${whileLost(policy.onFail)}`),
          },
        };
      }
      return {
        service,
        exit: false,
        log: {
          level: 'warn',
          msgId: MSG.DHCP4_DB_RECONNECT_LOST_CONNECTION,
          text:
            `lease database ${where}: connection lost (${error.message}); retrying every ${policy.reconnectWaitTimeMs} ms, ` +
            `at most ${policy.maxReconnectTries} times; ${whileLost(policy.onFail)}`,
        },
      };
    })
    .with({ kind: 'recovered' }, ({ attempts }): DbConnectionReaction => ({
      service: altersServiceState(policy.onFail) ? 'enable' : 'unchanged',
      exit: false,
      log: {
        level: 'info',
        msgId: MSG.DHCP4_DB_RECONNECT_SUCCEEDED,
        text: `lease database ${where}: connection recovered after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
      },
    }))
    .with({ kind: 'failed' }, ({ error, attempts }): DbConnectionReaction => {
      const exit = exitsOnFailure(policy.onFail);
      return {
        service: 'unchanged',
        exit,
        log: {
          level: 'error',
          msgId: MSG.DHCP4_DB_RECONNECT_FAILED,
          text:
            `lease database ${where}: reconnecting gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} (${error.message})` +
            (exit ? `: on-fail '${policy.onFail}', shutting down` : `: on-fail 'serve-retry-continue', still serving`),
        },
      };
    })
    .exhaustive();
