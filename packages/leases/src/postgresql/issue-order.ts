/**
 * Keeps a pool of database connections from reordering one caller's operations.
 *
 * With several connections, two calls made one after the other without awaiting (an add then an
 * update of the same lease, say) could run on different connections in either order. The memory
 * and memfile stores apply changes in call order; so does this: an operation on an address starts
 * only after every earlier operation on that address has settled, and an operation spanning
 * addresses (a page, a count, a lookup by client) starts only after every operation issued before
 * it. Operations on different addresses still run in parallel on the pool.
 */
export class IssueOrder {
  /** The last operation issued for each address (settled promises are dropped). */
  private readonly tails = new Map<number, Promise<void>>();
  /** Every operation issued and not yet settled. */
  private readonly pending = new Set<Promise<void>>();

  /** Runs `operation` after every earlier operation on `address`. */
  onAddress<T>(address: number, operation: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(address);
    const result = previous === undefined ? operation() : previous.then(operation);
    const settled = this.track(result);
    this.tails.set(address, settled);
    void settled.then(() => {
      if (this.tails.get(address) === settled) this.tails.delete(address);
    });
    return result;
  }

  /** Runs `operation` after every operation issued so far. */
  afterAll<T>(operation: () => Promise<T>): Promise<T> {
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
