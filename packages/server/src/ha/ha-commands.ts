import {
  HA_SYNC_COMPLETE,
  buildHeartbeatAnswer,
  parseDhcpDisableArgs,
  parseDhcpEnableArgs,
  parseHaScopesArgs,
  parseHaSyncArgs,
  parseMaintenanceNotifyArgs,
  parseSyncCompleteNotifyArgs,
  syncLocalServerText,
  syncUnknownServerText,
  type CommandAnswer,
  type ControlAnswer as CoreAnswer,
  type HaConfig,
  type HaContext,
  type HaEvent,
  type KeaCompat,
} from '@tandem/core';
import { failure, success, type ControlAnswer } from '../commands/answer.js';
import type { JsonValue } from '../commands/json.js';
import type { CommandHandler } from '../commands/registry.js';
import type { SyncRequest, SyncResult } from './lease-sync.js';

/** What the HA command handlers need from the running HA service. */
export interface HaCommandHost {
  readonly config: HaConfig;
  readonly compat: KeaCompat;
  /** The machine's current context; undefined while the service is not running. */
  context(): HaContext | undefined;
  nowMs(): number;
  /** Hands the machine a command event and resolves with its `command.answer`. */
  ask(make: (nowMs: number, requestId: string) => HaEvent): Promise<CommandAnswer>;
  /** Runs §9 from a peer without touching the HA state (the admin `ha-sync`). */
  sync(request: SyncRequest): Promise<SyncResult>;
  /** A user `dhcp-disable` with `max-period` re-enables by itself after it, as Kea's daemon does. */
  scheduleUserEnable(maxPeriodS: number): void;
  /** The `syncing` state's synchronisation while it runs (settled once its result reached the machine). */
  stateSync(): Promise<void> | undefined;
}

/**
 * The daemon's answer type lists the result codes of its own commands; HA adds 1001 (maintenance not
 * allowed), which passes through both transports unchanged.
 */
const toDaemonAnswer = (answer: CommandAnswer | CoreAnswer): ControlAnswer => answer as ControlAnswer;

const NOT_RUNNING = failure('the HA service is not running');

/**
 * Kea's HA commands, plus `dhcp-disable`/`dhcp-enable`, which the HA service takes over from the daemon
 * so that the machine's network locks are the one record of why the DHCP service is off (spec §11).
 * Arguments are checked by the core's parsers; everything that changes HA goes through the machine.
 */
export const haCommands = (host: HaCommandHost): Readonly<Record<string, CommandHandler<unknown>>> => {
  const ask = async (make: (nowMs: number, requestId: string) => HaEvent): Promise<ControlAnswer> =>
    host.context() === undefined ? NOT_RUNNING : toDaemonAnswer(await host.ask(make));
  const rejected = (reason: string): ControlAnswer => failure(reason);

  return {
    // Answered from the current context, paused or not (§8.3); Kea 2.2 ignores any arguments.
    // While the syncing state's synchronisation runs the answer waits for it, as Kea 2.2's blocking
    // sync makes it wait: a partner in partner-down that heard our unsent-update-count during the
    // sync would take it as old news once we are ready, and skip fetching the leases we handed out
    // alone (finding F2, docs/formal-model.md).
    'ha-heartbeat': async () => {
      await host.stateSync();
      const ctx = host.context();
      if (ctx === undefined) return NOT_RUNNING;
      return toDaemonAnswer(
        buildHeartbeatAnswer({ state: ctx.state, nowMs: host.nowMs(), scopes: ctx.servedScopes, unsentUpdateCount: ctx.unsentUpdateCount }),
      );
    },

    'ha-reset': async () => ask((nowMs, requestId) => ({ type: 'command.ha-reset', nowMs, requestId })),

    'ha-continue': async () => ask((nowMs, requestId) => ({ type: 'command.ha-continue', nowMs, requestId })),

    'ha-scopes': async (args) => {
      const parsed = parseHaScopesArgs(args, host.compat);
      if (!parsed.ok) return rejected(parsed.reason);
      return ask((nowMs, requestId) => ({ type: 'command.ha-scopes', nowMs, requestId, scopes: parsed.value.scopes }));
    },

    'ha-maintenance-notify': async (args) => {
      const parsed = parseMaintenanceNotifyArgs(args, host.compat);
      if (!parsed.ok) return rejected(parsed.reason);
      return ask((nowMs, requestId) => ({ type: 'command.ha-maintenance-notify', nowMs, requestId, cancel: parsed.value.cancel }));
    },

    'ha-maintenance-start': async () => ask((nowMs, requestId) => ({ type: 'command.ha-maintenance-start', nowMs, requestId })),

    'ha-maintenance-cancel': async () => ask((nowMs, requestId) => ({ type: 'command.ha-maintenance-cancel', nowMs, requestId })),

    'ha-sync-complete-notify': async (args) => {
      const parsed = parseSyncCompleteNotifyArgs(args, host.compat);
      if (!parsed.ok) return rejected(parsed.reason);
      return ask((nowMs, requestId) => ({ type: 'command.ha-sync-complete-notify', nowMs, requestId }));
    },

    /**
     * §8.7 with HEAD's fixes for Kea 2.2's quirks: every step goes to the named server (2.2 fetches the
     * pages from the failover partner whatever is named), and an unknown or local name is refused with
     * HEAD's texts (2.2 gives no well-formed answer).
     */
    'ha-sync': async (args) => {
      const parsed = parseHaSyncArgs(args);
      if (!parsed.ok) return rejected(parsed.reason);
      const { serverName, maxPeriodS } = parsed.value;
      if (serverName === host.config.thisServerName) return rejected(syncLocalServerText(serverName));
      if (!host.config.peers.some((peer) => peer.name === serverName)) return rejected(syncUnknownServerText(serverName));
      if (host.context() === undefined) return NOT_RUNNING;
      const result = await host.sync({
        source: serverName,
        maxPeriodS: maxPeriodS ?? 0,
        pageLimit: host.config.syncPageLimit,
        pageTimeoutMs: host.config.syncTimeoutMs,
      });
      return result.ok ? success(HA_SYNC_COMPLETE) : rejected(result.error);
    },

    'dhcp-disable': async (args) => {
      const parsed = parseDhcpDisableArgs(args as JsonValue | undefined);
      if (!parsed.ok) return rejected(parsed.reason);
      const { origin, maxPeriodS } = parsed.value;
      const answer = await ask((nowMs, requestId) =>
        maxPeriodS === undefined
          ? { type: 'command.dhcp-disable', nowMs, requestId, origin }
          : { type: 'command.dhcp-disable', nowMs, requestId, origin, maxPeriodS },
      );
      // The machine re-enables a partner's lock after its max-period itself; a user's is the daemon's timer.
      if (answer.result === 0 && origin === 'user' && maxPeriodS !== undefined) host.scheduleUserEnable(maxPeriodS);
      return answer;
    },

    'dhcp-enable': async (args) => {
      const parsed = parseDhcpEnableArgs(args);
      if (!parsed.ok) return rejected(parsed.reason);
      return ask((nowMs, requestId) => ({ type: 'command.dhcp-enable', nowMs, requestId, origin: parsed.value.origin }));
    },
  };
};

/**
 * Kea's `restrict-commands` accept list for the HA listener (spec §8.2): what peers send each other,
 * plus the read-only daemon commands; the admin HA commands are left to the unix socket.
 */
export const PEER_COMMANDS: ReadonlySet<string> = new Set([
  'ha-heartbeat',
  'lease4-update',
  'lease4-del',
  'lease4-get-page',
  'lease4-get-all',
  'dhcp-disable',
  'dhcp-enable',
  'ha-sync-complete-notify',
  'ha-reset',
  'ha-maintenance-notify',
  'status-get',
  'list-commands',
]);
