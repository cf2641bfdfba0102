/**
 * One peer's lease database: address → lease, as the memfile store keeps it. A value, replaced on
 * every change (never mutated), so a copied cluster shares it until one side writes.
 */
import { ipv4ToNumber, type Lease4Record } from '@tandem/core';

export type LeaseStore = ReadonlyMap<string, Lease4Record>;

export const emptyStore = (): LeaseStore => new Map();

export function putLease(store: LeaseStore, lease: Lease4Record): LeaseStore {
  const next = new Map(store);
  next.set(lease.address, lease);
  return next;
}

export function removeLease(store: LeaseStore, address: string): LeaseStore {
  if (!store.has(address)) return store;
  const next = new Map(store);
  next.delete(address);
  return next;
}

/** lease4-get-page: leases strictly after `from`, ascending by address, at most `limit`. */
export function leasePage(store: LeaseStore, from: 'start' | string, limit: number): readonly Lease4Record[] {
  const after = from === 'start' ? -1 : ipv4ToNumber(from);
  return [...store.values()]
    .filter((lease) => ipv4ToNumber(lease.address) > after)
    .sort((a, b) => ipv4ToNumber(a.address) - ipv4ToNumber(b.address))
    .slice(0, limit);
}

/** The synchronisation's merge rule (§9 step 4): insert, or overwrite a strictly older cltt; never delete. */
export function mergeNewer(store: LeaseStore, lease: Lease4Record): { readonly store: LeaseStore; readonly applied: boolean } {
  const local = store.get(lease.address);
  if (local !== undefined && local.clttS >= lease.clttS) return { store, applied: false };
  return { store: putLease(store, lease), applied: true };
}

export const leaseExpiryS = (lease: Lease4Record): number => lease.clttS + lease.validLifetimeS;

/**
 * A lease that still binds its address at wall time `wallS`: Kea counts a lease as expired only
 * once its expiration time is strictly in the past (`Lease::expired()`). Declined and reclaimed
 * leases bind nothing.
 */
export const isLeaseActive = (lease: Lease4Record, wallS: number): boolean => lease.state === 0 && leaseExpiryS(lease) >= wallS;

export function leaseOfClient(store: LeaseStore, hwAddress: string, wallS: number): Lease4Record | undefined {
  for (const lease of store.values()) {
    if (lease.hwAddress === hwAddress && isLeaseActive(lease, wallS)) return lease;
  }
  return undefined;
}
