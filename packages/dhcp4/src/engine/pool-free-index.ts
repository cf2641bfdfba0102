/**
 * Which addresses of one pool are worth trying next, so that picking a free address costs about
 * one lease-store read instead of a walk over the pool.
 *
 * Addresses are handed out by an ascending sweep first (like Kea's iterative allocator), then
 * from a FIFO of addresses that became free again (released, reclaimed, offered but not taken),
 * so a released address is reused as late as possible. The index is a hint: other writers (HA
 * lease updates, lease commands) change the store behind it, so the engine always confirms a
 * candidate with the store and reports back what it found. When both sources run dry the engine
 * rebuilds the index from the store, which also finds leases that expired without reclamation.
 *
 * Memory: two bits per address plus the FIFO.
 */
export class PoolFreeIndex {
  readonly first: number;
  readonly last: number;
  readonly #size: number;
  /** Bit set: a lease blocks the address, as far as the index knows. */
  readonly #used: Uint8Array;
  /** Bit set: the address is in the FIFO (so it is never queued twice). */
  readonly #queued: Uint8Array;
  /** Next offset of the ascending sweep. */
  #cursor = 0;
  #fifo: number[] = [];
  #fifoHead = 0;
  /** `nowS` of the last rebuild; the engine rebuilds at most once per second. */
  rebuiltAtS = Number.NEGATIVE_INFINITY;
  loaded = false;

  constructor(first: number, last: number) {
    this.first = first;
    this.last = last;
    this.#size = last - first + 1;
    this.#used = new Uint8Array(Math.ceil(this.#size / 8));
    this.#queued = new Uint8Array(Math.ceil(this.#size / 8));
  }

  contains(address: number): boolean {
    return address >= this.first && address <= this.last;
  }

  /** Starts over from the addresses the store says are taken. */
  rebuild(takenAddresses: Iterable<number>, nowS: number): void {
    this.#used.fill(0);
    this.#queued.fill(0);
    for (const address of takenAddresses) if (this.contains(address)) this.#setBit(this.#used, address - this.first);
    this.#cursor = 0;
    this.#fifo = [];
    this.#fifoHead = 0;
    this.rebuiltAtS = nowS;
    this.loaded = true;
  }

  /** The next candidate, or undefined when the index knows of no free address. */
  take(): number | undefined {
    while (this.#cursor < this.#size) {
      const offset = this.#cursor++;
      if (!this.#bit(this.#used, offset)) return this.first + offset;
    }
    while (this.#fifoHead < this.#fifo.length) {
      const offset = this.#fifo[this.#fifoHead++]!;
      this.#clearBit(this.#queued, offset);
      if (!this.#bit(this.#used, offset)) {
        this.#compact();
        return this.first + offset;
      }
    }
    this.#compact();
    return undefined;
  }

  markUsed(address: number): void {
    if (this.contains(address)) this.#setBit(this.#used, address - this.first);
  }

  /** The address is free (again): it goes to the back of the FIFO. */
  markFree(address: number): void {
    if (!this.contains(address)) return;
    const offset = address - this.first;
    this.#clearBit(this.#used, offset);
    if (!this.#bit(this.#queued, offset)) {
      this.#setBit(this.#queued, offset);
      this.#fifo.push(offset);
    }
  }

  #compact(): void {
    if (this.#fifoHead > 1024 && this.#fifoHead * 2 > this.#fifo.length) {
      this.#fifo = this.#fifo.slice(this.#fifoHead);
      this.#fifoHead = 0;
    }
  }

  #bit(bits: Uint8Array, offset: number): boolean {
    return (bits[offset >>> 3]! & (1 << (offset & 7))) !== 0;
  }
  #setBit(bits: Uint8Array, offset: number): void {
    bits[offset >>> 3] = bits[offset >>> 3]! | (1 << (offset & 7));
  }
  #clearBit(bits: Uint8Array, offset: number): void {
    bits[offset >>> 3] = bits[offset >>> 3]! & ~(1 << (offset & 7));
  }
}
