/**
 * A secondary key (hw-address or client-id text, or an expiry time) → addresses of its leases. Nearly every client
 * holds one lease, so a single address is stored bare, a few share a small array, and only a key
 * with many leases (a relay's shared client-id, a test fixture) pays for a Set; at a million leases
 * that saves a container per entry without making a crowded key quadratic.
 */
export class AddressMultimap<K> {
  private static readonly smallLimit = 8;
  private readonly entries = new Map<K, number | number[] | Set<number>>();

  add(key: K, address: number): void {
    const present = this.entries.get(key);
    if (present === undefined) this.entries.set(key, address);
    else if (typeof present === 'number') {
      if (present !== address) this.entries.set(key, [present, address]);
    } else if (present instanceof Set) present.add(address);
    else if (!present.includes(address)) {
      if (present.length < AddressMultimap.smallLimit) present.push(address);
      else this.entries.set(key, new Set([...present, address]));
    }
  }

  /** Removes one address; returns true when `key` has no address left. */
  remove(key: K, address: number): boolean {
    const present = this.entries.get(key);
    if (present === undefined) return true;
    if (typeof present === 'number') {
      if (present !== address) return false;
      this.entries.delete(key);
      return true;
    }
    if (present instanceof Set) {
      present.delete(address);
      if (present.size > 0) return false;
      this.entries.delete(key);
      return true;
    }
    const index = present.indexOf(address);
    if (index >= 0) present.splice(index, 1);
    if (present.length === 1) this.entries.set(key, present[0]!);
    return false;
  }

  /** Addresses under `key` in ascending numeric order. */
  get(key: K): number[] {
    const present = this.entries.get(key);
    if (present === undefined) return [];
    if (typeof present === 'number') return [present];
    return [...present].sort((a, b) => a - b);
  }
}
