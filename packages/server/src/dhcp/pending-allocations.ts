/**
 * When each query still being allocated was received, oldest first, so the daemon can tell how far
 * behind it is. A Map keeps insertion order, so the oldest is its first entry; queries mostly end in
 * the order they began, which keeps that entry cheap to find.
 */
export class PendingAllocations {
  readonly #receivedMs = new Map<number, number>();
  #next = 0;

  begin(nowMs: number): number {
    const id = this.#next++;
    this.#receivedMs.set(id, nowMs);
    return id;
  }

  end(id: number): void {
    this.#receivedMs.delete(id);
  }

  /** How long the oldest query still being allocated has waited; 0 when there is none. */
  oldestAgeMs(nowMs: number): number {
    const oldest = this.#receivedMs.values().next();
    return oldest.done === true ? 0 : nowMs - oldest.value;
  }
}
