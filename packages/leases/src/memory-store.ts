import type { Lease4 } from './lease.js';
import { LeaseTable } from './lease-table.js';
import {
  requireAddress,
  requireExpiredQuery,
  requirePageLimit,
  requireValidLease,
} from './store-arguments.js';
import type { LeaseStore } from './store.js';

/**
 * A lease store held only in memory: Kea's memfile backend with `persist: false`. It backs every
 * DHCP packet in tests and benchmarks, so each operation is O(1) or O(log n) and paging walks an
 * ordered address index instead of sorting.
 *
 * Leases are kept as given, not copied: callers must treat a `Lease4` as an immutable value (the
 * type is readonly) and build a new object to change one. Malformed leases are refused with a
 * TypeError naming the field.
 */
export class MemoryLeaseStore implements LeaseStore {
  private readonly table = new LeaseTable();
  private closed = false;

  async get(address: string): Promise<Lease4 | undefined> {
    this.requireOpen();
    return this.table.get(requireAddress(address, 'lease lookup'));
  }

  async getByHwAddress(hwAddress: string): Promise<readonly Lease4[]> {
    this.requireOpen();
    return hwAddress === '' ? [] : this.table.withHwAddress(hwAddress);
  }

  async getByClientId(clientId: string): Promise<readonly Lease4[]> {
    this.requireOpen();
    return this.table.withClientId(clientId);
  }

  async add(lease: Lease4): Promise<boolean> {
    this.requireOpen();
    return this.table.insert(requireValidLease(lease), lease);
  }

  async update(lease: Lease4): Promise<boolean> {
    this.requireOpen();
    const address = requireValidLease(lease);
    if (this.table.get(address) === undefined) return false;
    this.table.put(address, lease);
    return true;
  }

  async delete(address: string): Promise<boolean> {
    this.requireOpen();
    return this.table.remove(requireAddress(address, 'lease delete')) !== undefined;
  }

  async page(from: string | 'start', limit: number): Promise<readonly Lease4[]> {
    this.requireOpen();
    requirePageLimit(limit);
    const after = from === 'start' ? undefined : requireAddress(from, 'lease page "from"');
    return this.table.pageAfter(after, limit);
  }

  async count(): Promise<number> {
    this.requireOpen();
    return this.table.size;
  }

  async expired(nowS: number, limit: number): Promise<readonly Lease4[]> {
    this.requireOpen();
    requireExpiredQuery(nowS, limit);
    return this.table.expiredBefore(nowS, limit);
  }

  async flush(): Promise<void> {
    this.requireOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('in-memory lease store: used after close()');
  }
}
