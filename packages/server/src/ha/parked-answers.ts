import type { ParkVerdict } from '../ha-hooks.js';

interface Entry {
  verdict?: ParkVerdict;
  resolve?: (verdict: ParkVerdict) => void;
}

/**
 * The DHCP answers of queries whose lease changes went to the core, until its `query.respond` or
 * `query.drop` for them. The core decides within the `leases.committed` step whether an answer is
 * parked: when it is not, the verdict is there by the time `claim` is called and the daemon gets
 * it at once (not counted against parked-packet-limit); otherwise it gets a promise.
 */
export class ParkedAnswers {
  #next = 0;
  readonly #entries = new Map<string, Entry>();

  /** A fresh query id, to be carried by `leases.committed`. */
  open(): string {
    this.#next += 1;
    const queryId = `q${this.#next}`;
    this.#entries.set(queryId, {});
    return queryId;
  }

  settle(queryId: string, verdict: ParkVerdict): void {
    const entry = this.#entries.get(queryId);
    if (entry === undefined) return;
    if (entry.resolve === undefined) {
      entry.verdict = verdict;
      return;
    }
    this.#entries.delete(queryId);
    entry.resolve(verdict);
  }

  claim(queryId: string): ParkVerdict | Promise<ParkVerdict> {
    const entry = this.#entries.get(queryId);
    if (entry === undefined) return { kind: 'drop', reason: `query ${queryId} is unknown to HA` };
    if (entry.verdict !== undefined) {
      this.#entries.delete(queryId);
      return entry.verdict;
    }
    return new Promise((resolve) => {
      entry.resolve = resolve;
    });
  }

  get parked(): number {
    return this.#entries.size;
  }

  /** At shutdown: no acknowledgement can arrive any more, so no parked answer may leave. */
  dropAll(reason: string): void {
    for (const [queryId, entry] of this.#entries) {
      this.#entries.delete(queryId);
      entry.resolve?.({ kind: 'drop', reason });
    }
  }
}
