/**
 * Keeps a pool of database connections from reordering one caller's operations.
 *
 * With several connections, two calls made one after the other without awaiting (an add then an
 * update of the same lease, say) could run on different connections in either order. The memory
 * and memfile stores apply changes in call order; so does this: an operation on an address starts
 * only after every earlier operation on that address has settled, and a read spanning addresses
 * (a page, a count, a lookup by client) starts only after every per-address operation issued
 * before it. Reads never wait for each other — ordering them would serialise every client
 * lookup of every DHCP query across the pool. Operations on different addresses still run in
 * parallel on the pool.
 */
export class IssueOrder {
  /** The last operation issued for each address (settled promises are dropped). */
  private readonly tails = new Map<number, Promise<void>>();
  /** Every per-address operation (the only ones that change leases) issued and not yet settled. */
  private readonly addressOps = new Set<Promise<void>>();
  /** Every operation issued and not yet settled. */
  private readonly pending = new Set<Promise<void>>();

  /** Runs `operation` after every earlier operation on `address`. */
  onAddress<T>(address: number, operation: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(address);
    const result = previous === undefined ? operation() : previous.then(operation);
    const settled = this.track(result);
    this.addressOps.add(settled);
    void settled.then(() => this.addressOps.delete(settled));
    this.tails.set(address, settled);
    void settled.then(() => {
      if (this.tails.get(address) === settled) this.tails.delete(address);
    });
    return result;
  }

  /** Runs the read `operation` after every per-address operation issued so far (not after other reads). */
  afterEarlierChanges<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.addressOps.size === 0 ? operation() : Promise.all([...this.addressOps]).then(operation);
    this.track(result);
    return result;
  }

  /** Runs `operation` after every operation issued so far, reads included (flush, close). */
  afterEverything<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.pending.size === 0 ? operation() : Promise.all([...this.pending]).then(operation);
    this.track(result);
    return result;
  }

  /** How many operations are issued and not yet settled. */
  get inFlight(): number {
    return this.pending.size;
  }

  private track(result: Promise<unknown>): Promise<void> {
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return settled;
  }
}
