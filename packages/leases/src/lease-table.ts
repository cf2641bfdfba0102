import { AddressMultimap } from './address-multimap.js';
import { LEASE_STATE_EXPIRED_RECLAIMED, leaseExpire, type Lease4 } from './lease.js';
import { SortedNumberSet } from './sorted-number-set.js';

/**
 * The synchronous heart of every lease store: leases by address with the secondary indexes Kea's
 * memfile keeps (hw-address, client-id, expiry of leases not yet reclaimed). Callers pass the
 * address already parsed to its uint32 value and treat stored leases as immutable values.
 */
export class LeaseTable {
  private readonly byAddress = new Map<number, Lease4>();
  private readonly addressOrder = new SortedNumberSet();
  private readonly byHwAddress = new AddressMultimap<string>();
  private readonly byClientId = new AddressMultimap<string>();
  // The expiry index of leases not yet reclaimed: distinct expiry times in order, and the
  // addresses expiring at each (leases granted in the same second share a time).
  private readonly expiryTimes = new SortedNumberSet();
  private readonly byExpiry = new AddressMultimap<number>();

  get size(): number {
    return this.byAddress.size;
  }

  get(address: number): Lease4 | undefined {
    return this.byAddress.get(address);
  }

  /** Adds a lease for an address that has none; returns false when the address is taken. */
  insert(address: number, lease: Lease4): boolean {
    if (this.byAddress.has(address)) return false;
    this.byAddress.set(address, lease);
    this.addressOrder.insert(address);
    this.indexSecondary(address, lease);
    return true;
  }

  /** Puts `lease` at `address` whether or not one was there; returns the lease it replaced. */
  put(address: number, lease: Lease4): Lease4 | undefined {
    const previous = this.byAddress.get(address);
    if (previous === undefined) {
      this.insert(address, lease);
      return undefined;
    }
    this.unindexSecondary(address, previous);
    this.byAddress.set(address, lease);
    this.indexSecondary(address, lease);
    return previous;
  }

  /** Removes and returns the lease at `address`, if any. */
  remove(address: number): Lease4 | undefined {
    const previous = this.byAddress.get(address);
    if (previous === undefined) return undefined;
    this.byAddress.delete(address);
    this.addressOrder.remove(address);
    this.unindexSecondary(address, previous);
    return previous;
  }

  /** Up to `limit` leases in ascending address order, strictly after `after` (or from the lowest). */
  pageAfter(after: number | undefined, limit: number): Lease4[] {
    const page: Lease4[] = [];
    if (limit <= 0) return page;
    this.addressOrder.forEachAfter(after, (address) => {
      page.push(this.byAddress.get(address)!);
      return page.length < limit;
    });
    return page;
  }

  /** Every lease in ascending address order, the order kea-lfc writes a compacted file in. */
  forEachInAddressOrder(visit: (lease: Lease4) => void): void {
    this.addressOrder.forEachAfter(undefined, (address) => {
      visit(this.byAddress.get(address)!);
      return true;
    });
  }

  withHwAddress(hwAddress: string): Lease4[] {
    return this.byHwAddress.get(hwAddress).map((address) => this.byAddress.get(address)!);
  }

  withClientId(clientId: string): Lease4[] {
    return this.byClientId.get(clientId).map((address) => this.byAddress.get(address)!);
  }

  /**
   * Leases not yet reclaimed whose expiry is before `nowS`, soonest expiry first, at most `limit`
   * (0: no limit, as Kea's max-reclaim-leases).
   */
  expiredBefore(nowS: number, limit: number): Lease4[] {
    const expired: Lease4[] = [];
    this.expiryTimes.forEachAfter(undefined, (expireS) => {
      if (expireS >= nowS) return false;
      for (const address of this.byExpiry.get(expireS)) {
        if (limit !== 0 && expired.length === limit) return false;
        expired.push(this.byAddress.get(address)!);
      }
      return limit === 0 || expired.length < limit;
    });
    return expired;
  }

  private indexSecondary(address: number, lease: Lease4): void {
    // An empty hw-address (declined leases may have none) identifies no client, so it is not indexed.
    if (lease.hwAddress !== '') this.byHwAddress.add(lease.hwAddress, address);
    if (lease.clientId !== undefined) this.byClientId.add(lease.clientId, address);
    if (lease.state !== LEASE_STATE_EXPIRED_RECLAIMED) {
      const expireS = leaseExpire(lease);
      this.byExpiry.add(expireS, address);
      this.expiryTimes.insert(expireS);
    }
  }

  private unindexSecondary(address: number, lease: Lease4): void {
    if (lease.hwAddress !== '') this.byHwAddress.remove(lease.hwAddress, address);
    if (lease.clientId !== undefined) this.byClientId.remove(lease.clientId, address);
    if (lease.state !== LEASE_STATE_EXPIRED_RECLAIMED) {
      const expireS = leaseExpire(lease);
      if (this.byExpiry.remove(expireS, address)) this.expiryTimes.remove(expireS);
    }
  }
}
