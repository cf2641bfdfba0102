/**
 * Which server answers a query (spec §7.1-§7.5) and which lease a terminated server may
 * reclaim (§10.6). The filter is a plain value: the served-scope set changes on state
 * entry and through `ha-scopes`, and the caller simply builds a new filter then.
 */
import type { HaConfig, HaMode, StateLabel } from '../config/types.js';
import { pearsonHash } from './pearson.js';

export interface QueryFilter {
  readonly mode: HaMode;
  readonly primaryName: string;
  /** The load-balancing secondary; absent in hot-standby and passive-backup, where index 0 is all there is. */
  readonly secondaryName?: string;
  readonly servedScopes: ReadonlySet<string>;
  /**
   * Every peer name of the relationship. Kea tracks a served/not-served flag per peer only, so a
   * name outside this set "counts as served" (§7.1); omitted, no name is treated that way.
   */
  readonly knownScopes?: ReadonlySet<string>;
}

export interface QueryClassification {
  readonly inScope: boolean;
  /** The peer name the query belongs to; absent for a load-balanced query without a usable key. */
  readonly scope?: string;
  /** `HA_<scope>`, attached whether or not this server answers (§7.3). */
  readonly clientClass?: string;
}

export interface LeaseScope {
  readonly inScope: boolean;
  readonly scope?: string;
}

export interface Query4 {
  readonly messageType: number;
  /** chaddr truncated to hlen. */
  readonly chaddr: Uint8Array;
  /** Option 61 payload, type byte included. */
  readonly clientId?: Uint8Array;
}

export interface Query6 {
  readonly messageType: number;
  /** Option 1 (Client Identifier) payload. */
  readonly duid?: Uint8Array;
}

export interface Lease4Identity {
  readonly hwAddress?: Uint8Array;
  readonly clientId?: Uint8Array;
}

export interface Lease6Identity {
  readonly duid?: Uint8Array;
}

export const scopeClass = (scope: string): string => `HA_${scope}`;

export function queryFilterFor(config: HaConfig, servedScopes: readonly string[]): QueryFilter {
  const primary = config.peers.find((peer) => peer.role === 'primary');
  if (primary === undefined) {
    throw new Error(`no primary server among the peers of '${config.thisServerName}': cannot build the query filter`);
  }
  const secondary = config.peers.find((peer) => peer.role === 'secondary');
  const base = {
    mode: config.mode,
    primaryName: primary.name,
    servedScopes: new Set(servedScopes),
    knownScopes: new Set(config.peers.map((peer) => peer.name)),
  };
  return config.mode === 'load-balancing' && secondary !== undefined
    ? { ...base, secondaryName: secondary.name }
    : base;
}

export function servesScope(filter: QueryFilter, scope: string): boolean {
  return filter.servedScopes.has(scope) || (filter.knownScopes !== undefined && !filter.knownScopes.has(scope));
}

/** Option 61 when present and non-empty, else chaddr; undefined when neither carries a byte (§7.2). */
export function loadBalancingKey4(q: { readonly chaddr?: Uint8Array; readonly clientId?: Uint8Array }): Uint8Array | undefined {
  if (q.clientId !== undefined && q.clientId.length > 0) return q.clientId;
  if (q.chaddr !== undefined && q.chaddr.length > 0) return q.chaddr;
  return undefined;
}

export function loadBalancingKey6(duid?: Uint8Array): Uint8Array | undefined {
  return duid !== undefined && duid.length > 0 ? duid : undefined;
}

/** DISCOVER, REQUEST, DECLINE, RELEASE, INFORM (§7.4). */
export function isLoadBalancedMessageType4(type: number): boolean {
  return type === 1 || type === 3 || type === 4 || type === 7 || type === 8;
}

/** SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE, DECLINE (§7.4). */
export function isLoadBalancedMessageType6(type: number): boolean {
  return (type >= 1 && type <= 6 && type !== 2) || type === 8 || type === 9;
}

export function classifyQuery4(filter: QueryFilter, q: Query4): QueryClassification {
  if (!isLoadBalancedMessageType4(q.messageType)) return alwaysInScope(filter);
  return classifyBalanced(filter, loadBalancingKey4(q));
}

export function classifyQuery6(filter: QueryFilter, q: Query6): QueryClassification {
  if (!isLoadBalancedMessageType6(q.messageType)) return alwaysInScope(filter);
  return classifyBalanced(filter, loadBalancingKey6(q.duid));
}

/** Same owner as a query from that client (§10.6, LB-15). */
export function leaseScope4(filter: QueryFilter, lease: Lease4Identity): LeaseScope {
  return owningScope(filter, loadBalancingKey4({ chaddr: lease.hwAddress, clientId: lease.clientId }));
}

export function leaseScope6(filter: QueryFilter, lease: Lease6Identity): LeaseScope {
  return owningScope(filter, loadBalancingKey6(lease.duid));
}

/**
 * [HEAD ≥2.7.6] A terminated server reclaims only leases of scopes it serves, so the two
 * servers (both serving their own scope in terminated) do not reclaim each other's leases.
 */
export function shouldReclaimLease(state: StateLabel, lease: LeaseScope): boolean {
  return state !== 'terminated' || lease.inScope;
}

function alwaysInScope(filter: QueryFilter): QueryClassification {
  return { inScope: true, scope: filter.primaryName, clientClass: scopeClass(filter.primaryName) };
}

function classifyBalanced(filter: QueryFilter, key: Uint8Array | undefined): QueryClassification {
  const owner = owningScope(filter, key);
  return owner.scope === undefined
    ? owner
    : { inScope: owner.inScope, scope: owner.scope, clientClass: scopeClass(owner.scope) };
}

/**
 * Only load balancing hashes; hot-standby and passive-backup always pick index 0, so a query
 * without any identifier still belongs to the primary there.
 */
function owningScope(filter: QueryFilter, key: Uint8Array | undefined): LeaseScope {
  let scope = filter.primaryName;
  if (filter.mode === 'load-balancing') {
    if (key === undefined) return { inScope: false };
    if (pearsonHash(key) % 2 === 1) {
      if (filter.secondaryName === undefined) {
        throw new Error('load-balancing query filter without a secondary server: cannot pick the scope of an odd hash');
      }
      scope = filter.secondaryName;
    }
  }
  return { inScope: servesScope(filter, scope), scope };
}
