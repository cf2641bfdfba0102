/**
 * The scopes a server serves on entering each state (spec §7.6), whether the state wants the
 * local DHCP service running (§1.5), and the checks `ha-scopes` applies to an operator's list
 * (§7.7, §8.4). Scope lists are sorted the way Kea's std::set of names iterates.
 */
import { match } from 'ts-pattern';
import type { HaConfig, StateLabel } from '../config/types.js';

export interface ScopeEntryOptions {
  /** partner-down was entered through `ha-maintenance-start`, which is not a failover (§2.6, quirk §13.12). */
  readonly maintenanceEntry: boolean;
}

export type ScopesValidation =
  | { readonly ok: true; readonly scopes: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** Primary and secondary serve their own name; standby and backup serve nothing. */
export function ownScopes(config: HaConfig): readonly string[] {
  const me = config.thisServer;
  return me.role === 'primary' || me.role === 'secondary' ? [me.name] : [];
}

/** Primary and, in load balancing, secondary: for a standby this means "the primary's scope". */
export function failoverScopes(config: HaConfig): readonly string[] {
  return sortScopes(config.peers.filter((peer) => peer.role === 'primary' || peer.role === 'secondary').map((peer) => peer.name));
}

export function defaultScopes(config: HaConfig, state: StateLabel, opts: ScopeEntryOptions): readonly string[] {
  return match(state)
    .with('waiting', 'syncing', 'ready', 'in-maintenance', 'backup', () => [])
    .with('load-balancing', 'hot-standby', 'communication-recovery', 'terminated', 'passive-backup', () => ownScopes(config))
    .with('partner-in-maintenance', () => failoverScopes(config))
    // Only this server's own auto-failover flag counts: it is a per-peer setting that says
    // whether *that* server may take over its partner's scope by itself.
    .with('partner-down', () =>
      opts.maintenanceEntry || config.thisServer.autoFailover ? failoverScopes(config) : ownScopes(config),
    )
    .exhaustive();
}

/** The "Local DHCP service" column of §1.5, applied on state entry and after `ha-scopes`. */
export function dhcpServiceWanted(state: StateLabel): boolean {
  return match(state)
    .with(
      'load-balancing',
      'hot-standby',
      'communication-recovery',
      'partner-down',
      'partner-in-maintenance',
      'terminated',
      'passive-backup',
      () => true,
    )
    .with('waiting', 'syncing', 'ready', 'in-maintenance', 'backup', () => false)
    .exhaustive();
}

/**
 * Checks the `scopes` argument of `ha-scopes`: a list of strings naming peers (backups
 * included). The first problem wins, in Kea's order: list, then every element's type, then
 * every name. The served set is replaced only when this succeeds.
 */
export function validateScopes(config: HaConfig, names: unknown): ScopesValidation {
  if (!Array.isArray(names)) return { ok: false, error: "'scopes' must be a list in the 'ha-scopes' command" };
  if (!names.every((name): name is string => typeof name === 'string')) {
    return { ok: false, error: "scope name must be a string in the 'scopes' argument" };
  }
  const peerNames = new Set(config.peers.map((peer) => peer.name));
  const unknown = names.find((name) => !peerNames.has(name));
  if (unknown !== undefined) {
    return { ok: false, error: `invalid server name specified '${unknown}' while enabling/disabling HA scopes` };
  }
  return { ok: true, scopes: sortScopes(names) };
}

/**
 * Kea keeps scope names in a std::set<std::string>, i.e. byte order of their UTF-8 form,
 * which is code-point order; JavaScript's default sort compares UTF-16 units instead.
 */
export function sortScopes(names: Iterable<string>): readonly string[] {
  return [...new Set(names)].sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done === true || y.done === true) return (x.done === true ? 0 : 1) - (y.done === true ? 0 : 1);
    const dx = x.value.codePointAt(0) as number;
    const dy = y.value.codePointAt(0) as number;
    if (dx !== dy) return dx - dy;
  }
}
