import type { Lease4 } from './lease.js';

/**
 * What the allocation engine, the lease commands and HA sync need from a lease database.
 * Every method may do I/O, so every method is async; implementations serialise their own writes.
 */
export interface LeaseStore {
  get(address: string): Promise<Lease4 | undefined>;
  /** Every lease with that hw-address, ascending by address; `''` (no hw-address) matches none. */
  getByHwAddress(hwAddress: string): Promise<readonly Lease4[]>;
  /** Every lease with that client-id, ascending by address. */
  getByClientId(clientId: string): Promise<readonly Lease4[]>;
  /** Inserts; resolves false (and changes nothing) when a lease for that address exists. */
  add(lease: Lease4): Promise<boolean>;
  /** Replaces the lease at `lease.address`; resolves false when there is none. */
  update(lease: Lease4): Promise<boolean>;
  /** Resolves false when there was no lease at that address. */
  delete(address: string): Promise<boolean>;
  /**
   * Leases in ascending address order strictly after `from` (or from the lowest address with
   * `'start'`), at most `limit` of them — the semantics of Kea's lease4-get-page. A `limit` outside
   * 1..2^32-1 is refused (RangeError), as Kea's LeasePageSize refuses it.
   */
  page(from: string | 'start', limit: number): Promise<readonly Lease4[]>;
  count(): Promise<number>;
  /**
   * Leases not yet reclaimed (state default or declined) whose expiry (`cltt + validLifetime`) is before
   * `nowS`, oldest first, at most `limit`. Declined leases are included as in Kea's getExpiredLeases4, so
   * a declined address comes back after its probation; `limit` 0 means no limit (as max-reclaim-leases 0).
   * Equal expiry times are ordered by address.
   */
  expired(nowS: number, limit: number): Promise<readonly Lease4[]>;
  /** Makes every change so far durable (where the store has a disk). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
