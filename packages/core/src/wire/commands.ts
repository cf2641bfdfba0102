/**
 * The HA commands other than heartbeat and leases (spec §8.4–§8.12): the requests HA sends
 * to its partner, the argument checks a receiver applies, and the fixed answer texts.
 *
 * Kea 2.2 ignores any argument it does not know (including HEAD's `server-name`), so the
 * HEAD additions are safe to send to it; the parsers below follow 2.2 unless `compat` is
 * `head`, where the `server-name` relationship selector is checked as HEAD checks it (CMD-18).
 */

import { match } from 'ts-pattern';
import { type KeaCompat, STATE_LABELS, type StateLabel } from '../config/types.js';
import { type ControlRequest, type KeaService, request } from './envelope.js';
import { type JsonMap, type Parsed, getKey, isJsonInteger, isJsonMap, parsedError, parsedOk } from './json-value.js';

// ---------------------------------------------------------------------------------------------
// Answer texts (spec §4, §8.3–§8.12).

export const HA_RESET_DONE = 'HA state machine reset.';
export const HA_RESET_ALREADY_WAITING = 'HA state machine already in WAITING state.';
export const HA_CONTINUE_RESUMED = 'HA state machine continues.';
export const HA_CONTINUE_NOT_PAUSED = 'HA state machine is not paused.';
export const HA_SCOPES_CONFIGURED = 'New HA scopes configured.';
export const HA_SYNC_COMPLETE = 'Lease database synchronization complete.';
export const HA_SYNC_COMPLETE_NOTIFIED = 'Server successfully notified about the synchronization completion.';
export const HA_MAINTENANCE_NOTIFY_ENTERED = 'Server is in-maintenance state.';
export const HA_MAINTENANCE_NOTIFY_CANCELED = 'Server maintenance canceled.';
export const HA_MAINTENANCE_NOTIFY_NOT_IN_MAINTENANCE =
  'Unable to cancel the maintenance for the server not in the in-maintenance state.';
export const HA_MAINTENANCE_START_PARTNER_DOWN =
  'Server is now in the partner-down state as its partner appears to be offline for maintenance.';
export const HA_MAINTENANCE_START_DONE =
  'Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.';
export const HA_MAINTENANCE_CANCEL_NOT_IN_PARTNER_MAINTENANCE =
  'Unable to cancel maintenance request because the server is not in the partner-in-maintenance state.';
export const HA_MAINTENANCE_CANCEL_DONE = 'Server maintenance successfully canceled.';
export const DHCP_ENABLED_TEXT = 'DHCP service successfully enabled';

/** Result 1001 to `ha-maintenance-notify` in `backup`, `partner-in-maintenance` or `terminated`. */
export const maintenanceNotAllowedText = (state: StateLabel): string =>
  `Unable to transition the server from the ${state} to in-maintenance state.`;

/** Result 1 to `ha-maintenance-start` in `backup`, `in-maintenance`, `partner-in-maintenance` or `terminated`. */
export const maintenanceStartNotAllowedText = (state: StateLabel): string =>
  `Unable to transition the server from the ${state} to partner-in-maintenance state.`;

/** `partnerError` is the formatted peer error, e.g. `"Unable to … state., error code 1001"`. */
export const maintenanceStartRefusedText = (partnerError: string): string =>
  'Unable to transition to the partner-in-maintenance state. The partner server responded with the following ' +
  `message to the ha-maintenance-notify command: ${partnerError}.`;

export const maintenanceCancelFailedText = (partnerError: string): string =>
  'Unable to cancel maintenance. The partner server responded with the following message to the ' +
  `ha-maintenance-notify command: ${partnerError}.`;

export const invalidScopeNameText = (name: string): string =>
  `invalid server name specified '${name}' while enabling/disabling HA scopes`;

/** HEAD: a `server-name` argument that names no peer of any relationship. */
export const serverNameUnknownText = (name: string): string => `${name} matches no configured 'server-name'`;

/** HEAD ≥2.5.8 `ha-sync` naming an unknown server. */
export const syncUnknownServerText = (name: string): string => `no configuration specified for server ${name}`;

/** HEAD ≥2.5.8 `ha-sync` naming this server itself. */
export const syncLocalServerText = (name: string): string =>
  `'${name}' points to local server but should point to a partner`;

/** `dhcp-disable` success: `DHCPv4 service disabled for 60 seconds`, or without a period. */
export function dhcpDisabledText(service: KeaService, maxPeriodS?: number): string {
  const family = match(service)
    .with('dhcp4', () => 'DHCPv4')
    .with('dhcp6', () => 'DHCPv6')
    .exhaustive();
  return maxPeriodS === undefined || maxPeriodS <= 0
    ? `${family} service disabled`
    : `${family} service disabled for ${maxPeriodS} seconds`;
}

// ---------------------------------------------------------------------------------------------
// Requests HA sends.

/**
 * HEAD's network-state origin of a remote lock: 2000 + relationship index. Kea 2.2 and HEAD
 * both also understand `origin: "ha-partner"`, which is always sent.
 */
export const HA_REMOTE_ORIGIN_ID = 2000;

export interface DhcpDisableOptions {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  /** Seconds after which the partner re-enables itself; 0 (admin ha-sync without a period) sends none. */
  readonly maxPeriodS: number;
  /** HEAD only; defaults to the first relationship's 2000. */
  readonly originId?: number;
}

/** First step of a sync and of every further page (CMD-15). */
export function buildDhcpDisable(opts: DhcpDisableOptions): ControlRequest {
  return request('dhcp-disable', opts.service, {
    origin: 'ha-partner',
    ...(opts.maxPeriodS > 0 ? { 'max-period': opts.maxPeriodS } : {}),
    ...originIdArgument(opts.compat, opts.originId),
  });
}

/** Sent after a failed sync, or when the peer does not know `ha-sync-complete-notify` (CMD-15). */
export function buildDhcpEnable(opts: {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  readonly originId?: number;
}): ControlRequest {
  return request('dhcp-enable', opts.service, {
    origin: 'ha-partner',
    ...originIdArgument(opts.compat, opts.originId),
  });
}

const originIdArgument = (compat: KeaCompat, originId: number | undefined): JsonMap =>
  match(compat)
    .with('2.2', () => ({}))
    .with('head', () => ({ 'origin-id': originId ?? HA_REMOTE_ORIGIN_ID }))
    .exhaustive();

/**
 * Last step of a successful sync. HEAD names the sender and the lock to release (`origin`
 * duplicated for 2.5.5–2.5.7 receivers); Kea 2.2 sends no arguments.
 */
export function buildSyncCompleteNotify(opts: {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  readonly serverName: string;
  readonly originId?: number;
}): ControlRequest {
  const originId = opts.originId ?? HA_REMOTE_ORIGIN_ID;
  return match(opts.compat)
    .with('2.2', () => request('ha-sync-complete-notify', opts.service))
    .with('head', () =>
      request('ha-sync-complete-notify', opts.service, {
        'server-name': opts.serverName,
        'origin-id': originId,
        origin: originId,
      }),
    )
    .exhaustive();
}

/** Sent to the partner when communication-recovery cannot deliver its backlog. */
export function buildHaReset(opts: {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  readonly serverName: string;
}): ControlRequest {
  return match(opts.compat)
    .with('2.2', () => request('ha-reset', opts.service))
    .with('head', () => request('ha-reset', opts.service, { 'server-name': opts.serverName }))
    .exhaustive();
}

/**
 * Sent by `ha-maintenance-start` (cancel false) and `ha-maintenance-cancel` (cancel true).
 * HEAD adds the sender's name and its state — for a cancel, the state it is about to enter.
 */
export function buildMaintenanceNotify(opts: {
  readonly service: KeaService;
  readonly compat: KeaCompat;
  readonly cancel: boolean;
  readonly serverName: string;
  readonly state: StateLabel;
}): ControlRequest {
  return match(opts.compat)
    .with('2.2', () => request('ha-maintenance-notify', opts.service, { cancel: opts.cancel }))
    .with('head', () =>
      request('ha-maintenance-notify', opts.service, {
        'server-name': opts.serverName,
        cancel: opts.cancel,
        state: opts.state,
      }),
    )
    .exhaustive();
}

/** Admin commands, built for tools and tests that drive a server. */
export const buildMaintenanceStart = (service: KeaService): ControlRequest => request('ha-maintenance-start', service);
export const buildMaintenanceCancel = (service: KeaService): ControlRequest => request('ha-maintenance-cancel', service);

export function buildHaContinue(opts: { readonly service: KeaService; readonly serverName?: string }): ControlRequest {
  return request('ha-continue', opts.service, serverNameArgument(opts.serverName));
}

export function buildHaScopes(opts: {
  readonly service: KeaService;
  readonly scopes: readonly string[];
  readonly serverName?: string;
}): ControlRequest {
  return request('ha-scopes', opts.service, { scopes: [...opts.scopes], ...serverNameArgument(opts.serverName) });
}

export function buildHaSync(opts: {
  readonly service: KeaService;
  readonly serverName: string;
  readonly maxPeriodS?: number;
}): ControlRequest {
  return request('ha-sync', opts.service, {
    'server-name': opts.serverName,
    ...(opts.maxPeriodS === undefined ? {} : { 'max-period': opts.maxPeriodS }),
  });
}

/** `undefined` rather than `{}` so that a command without a selector carries no `arguments` at all. */
function serverNameArgument(serverName: string | undefined): JsonMap | undefined {
  return serverName === undefined ? undefined : { 'server-name': serverName };
}

// ---------------------------------------------------------------------------------------------
// Receiver-side argument checks.

/** Names of the HA commands whose receiver accepts HEAD's `server-name` selector. */
export type HaCommandName =
  | 'ha-heartbeat'
  | 'ha-reset'
  | 'ha-continue'
  | 'ha-scopes'
  | 'ha-sync'
  | 'ha-maintenance-notify'
  | 'ha-sync-complete-notify';

export interface RelationshipSelector {
  /** HEAD: the relationship to act on; absent means the first (or only) one. Checking it against the configuration is the caller's job. */
  readonly serverName?: string;
}

/**
 * HEAD's relationship selector (CMD-18): `arguments` absent or a map whose optional
 * `server-name` is a string. Kea 2.2 ignores the arguments of these commands entirely.
 */
export function parseRelationshipSelector(
  command: HaCommandName,
  args: unknown,
  compat: KeaCompat,
): Parsed<RelationshipSelector> {
  if (compat === '2.2' || args === undefined) return parsedOk({});
  if (!isJsonMap(args)) return parsedError(`arguments in the '${command}' command are not a map`);
  const serverName = getKey(args, 'server-name');
  if (serverName === undefined) return parsedOk({});
  if (typeof serverName !== 'string') return parsedError(`'server-name' must be a string in the '${command}' command`);
  return parsedOk({ serverName });
}

export interface HaScopesArgs extends RelationshipSelector {
  /** Peer names in the order given; whether they name peers is for the query filter to check (§7.7). */
  readonly scopes: readonly string[];
}

/** `ha-scopes` arguments (§8.4, CMD-01). */
export function parseHaScopesArgs(args: unknown, compat: KeaCompat): Parsed<HaScopesArgs> {
  if (args === undefined) return parsedError("arguments not found in the 'ha-scopes' command");
  if (!isJsonMap(args)) return parsedError("arguments in the 'ha-scopes' command are not a map");
  const scopes = getKey(args, 'scopes');
  if (scopes === undefined) return parsedError("'scopes' is mandatory for the 'ha-scopes' command");
  if (!Array.isArray(scopes)) return parsedError("'scopes' must be a list in the 'ha-scopes' command");
  if (!scopes.every((scope): scope is string => typeof scope === 'string')) {
    return parsedError("scope name must be a string in the 'scopes' argument");
  }
  const selector = parseRelationshipSelector('ha-scopes', args, compat);
  if (!selector.ok) return selector;
  return parsedOk({ scopes, ...selector.value });
}

export interface HaSyncArgs {
  /** The peer to fetch leases from (in HEAD also the relationship selector). */
  readonly serverName: string;
  /** Absent: the source's DHCP service stays disabled until re-enabled. */
  readonly maxPeriodS?: number;
}

/** `ha-sync` arguments (§8.7, SY-14). */
export function parseHaSyncArgs(args: unknown): Parsed<HaSyncArgs> {
  if (args === undefined) return parsedError("arguments not found in the 'ha-sync' command");
  if (!isJsonMap(args)) return parsedError("arguments in the 'ha-sync' command are not a map");
  const serverName = getKey(args, 'server-name');
  if (serverName === undefined) return parsedError("'server-name' is mandatory for the 'ha-sync' command");
  if (typeof serverName !== 'string') return parsedError("'server-name' must be a string in the 'ha-sync' command");
  const maxPeriod = getKey(args, 'max-period');
  if (maxPeriod !== undefined && !(isJsonInteger(maxPeriod) && maxPeriod > 0)) {
    return parsedError("'max-period' must be a positive integer in the 'ha-sync' command");
  }
  return parsedOk({ serverName, ...(maxPeriod === undefined ? {} : { maxPeriodS: maxPeriod }) });
}

export interface MaintenanceNotifyArgs extends RelationshipSelector {
  readonly cancel: boolean;
  /** HEAD: the sender's state, `unavailable` when absent or not a known label. */
  readonly partnerState?: StateLabel | 'unavailable';
}

const KNOWN_STATES: ReadonlySet<string> = new Set<string>(STATE_LABELS);

/**
 * `ha-maintenance-notify` arguments (§8.8). Kea 2.2 gives no well-formed answer when
 * `cancel` is missing or not a boolean; the error returned here is HEAD's, for the caller to
 * answer with result 1.
 */
export function parseMaintenanceNotifyArgs(args: unknown, compat: KeaCompat): Parsed<MaintenanceNotifyArgs> {
  const command = 'ha-maintenance-notify';
  if (args === undefined) return parsedError(`no arguments specified for the '${command}' command`);
  if (!isJsonMap(args)) return parsedError(`arguments specified for the '${command}' command are not a map`);
  if (Object.keys(args).length === 0) return parsedError(`arguments must not be empty for the '${command}' command`);
  const cancel = getKey(args, 'cancel');
  if (cancel === undefined) return parsedError(`'cancel' is mandatory for the '${command}' command`);
  if (typeof cancel !== 'boolean') return parsedError(`'cancel' must be a boolean in the '${command}' command`);
  if (compat === '2.2') return parsedOk({ cancel });
  const state = getKey(args, 'state');
  if (state !== undefined && typeof state !== 'string') {
    return parsedError(`'state' must be a string in the '${command}' command`);
  }
  const selector = parseRelationshipSelector(command, args, compat);
  if (!selector.ok) return selector;
  return parsedOk({
    cancel,
    partnerState: typeof state === 'string' && KNOWN_STATES.has(state) ? (state as StateLabel) : 'unavailable',
    ...selector.value,
  });
}

export interface SyncCompleteNotifyArgs extends RelationshipSelector {
  /**
   * HEAD: the remote lock to release. Absent when the sender named none (a 2.2 sender):
   * the caller should then release the `ha-partner` lock (spec §11) rather than HEAD's 2001.
   */
  readonly originId?: number;
}

/** `ha-sync-complete-notify` arguments (§8.11); Kea 2.2 ignores them. */
export function parseSyncCompleteNotifyArgs(args: unknown, compat: KeaCompat): Parsed<SyncCompleteNotifyArgs> {
  const command = 'ha-sync-complete-notify';
  if (compat === '2.2' || args === undefined) return parsedOk({});
  if (!isJsonMap(args)) return parsedError(`arguments in the '${command}' command are not a map`);
  let originId: number | undefined;
  const originIdValue = getKey(args, 'origin-id');
  const originValue = getKey(args, 'origin');
  if (originIdValue !== undefined) {
    if (!isJsonInteger(originIdValue)) return parsedError(`'origin-id' must be an integer in the '${command}' command`);
    originId = originIdValue;
  } else if (originValue !== undefined) {
    if (!isJsonInteger(originValue)) return parsedError(`'origin' must be an integer in the '${command}' command`);
    originId = originValue;
  }
  const selector = parseRelationshipSelector(command, args, compat);
  if (!selector.ok) return selector;
  return parsedOk({ ...(originId === undefined ? {} : { originId }), ...selector.value });
}

export type DhcpServiceOrigin = 'user' | 'ha-partner';

export interface DhcpDisableArgs {
  readonly origin: DhcpServiceOrigin;
  /** Absent: disabled until re-enabled. */
  readonly maxPeriodS?: number;
  /** HEAD senders also name their lock; Kea 2.2 ignores it, HEAD receivers use it. */
  readonly originId?: number;
}

/**
 * `dhcp-disable` arguments with Kea 2.2's daemon checks: `origin` `user` (default) or
 * `ha-partner`, `max-period` a positive integer, other keys ignored. Like Kea, every problem
 * found is reported, run together in one text.
 */
export function parseDhcpDisableArgs(args: unknown): Parsed<DhcpDisableArgs> {
  if (args === undefined) return parsedOk({ origin: 'user' });
  if (!isJsonMap(args)) return parsedError("arguments for the 'dhcp-disable' command must be a map");
  const problems: string[] = [];
  let maxPeriodS: number | undefined;
  const maxPeriod = getKey(args, 'max-period');
  if (maxPeriod !== undefined) {
    if (!isJsonInteger(maxPeriod)) problems.push("'max-period' argument must be a number");
    else if (maxPeriod <= 0) problems.push("'max-period' must be positive integer");
    else maxPeriodS = maxPeriod;
  }
  const origin = originOf(args, problems);
  if (problems.length > 0) return parsedError(problems.join(''));
  return parsedOk({ origin, ...(maxPeriodS === undefined ? {} : { maxPeriodS }), ...originIdOf(args) });
}

/** `dhcp-enable` arguments with Kea 2.2's daemon checks. */
export function parseDhcpEnableArgs(args: unknown): Parsed<Omit<DhcpDisableArgs, 'maxPeriodS'>> {
  if (args === undefined) return parsedOk({ origin: 'user' });
  if (!isJsonMap(args)) return parsedError("arguments for the 'dhcp-enable' command must be a map");
  const problems: string[] = [];
  const origin = originOf(args, problems);
  if (problems.length > 0) return parsedError(problems.join(''));
  return parsedOk({ origin, ...originIdOf(args) });
}

function originOf(args: JsonMap, problems: string[]): DhcpServiceOrigin {
  const origin = getKey(args, 'origin');
  if (origin === undefined || origin === 'user') return 'user';
  if (origin === 'ha-partner') return 'ha-partner';
  if (typeof origin !== 'string') {
    problems.push("'origin' argument must be a string");
  } else {
    problems.push(`invalid value used for 'origin' parameter: ${origin === '' ? '(empty string)' : origin}`);
  }
  return 'user';
}

function originIdOf(args: JsonMap): { originId?: number } {
  const originId = getKey(args, 'origin-id');
  return isJsonInteger(originId) ? { originId } : {};
}
