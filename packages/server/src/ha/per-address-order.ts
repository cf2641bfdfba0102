/**
 * Lease updates to one peer travel over many connections at once, so two updates of the same
 * address could overtake each other: a backup, which the client's answer does not wait for, might
 * get a client's RELEASE (lease4-del) before the lease4-update of its REQUEST and keep a released
 * lease. Work for an address starts only when earlier work for that address on that peer has
 * ended; work on other addresses is not held up.
 */
export class PerAddressOrder {
  readonly #tails = new Map<string, Promise<void>>();

  /** Queues `work` behind earlier work on any of `addresses` for `peer`; the queueing happens at call time. */
  async run<T>(peer: string, addresses: readonly string[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(addresses)].map((address) => `${peer} ${address}`);
    const earlier = keys.flatMap((key) => {
      const tail = this.#tails.get(key);
      return tail === undefined ? [] : [tail];
    });
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of keys) this.#tails.set(key, done);
    try {
      if (earlier.length > 0) await Promise.all(earlier);
      return await work();
    } finally {
      release();
      for (const key of keys) if (this.#tails.get(key) === done) this.#tails.delete(key);
    }
  }

  /** Addresses with work queued or under way (for tests and status). */
  get pending(): number {
    return this.#tails.size;
  }
}
