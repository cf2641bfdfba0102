/**
 * A set of numbers (addresses, expiry times) kept in ascending order as a list of short sorted chunks, so an insert or a removal moves at
 * most a chunk's worth of elements (not the whole set) and a walk from any key starts after a binary
 * search. This is what lets `page()` and `expired()` answer in O(log n + limit) while leases churn.
 */
export class SortedNumberSet {
  /** Chunks grow to twice this length before they split; small enough for a cheap splice. */
  private static readonly chunkLoad = 512;

  private readonly chunks: number[][] = [];
  /** `maxes[i]` is the last (largest) element of `chunks[i]`, searched to find a chunk. */
  private readonly maxes: number[] = [];
  private length = 0;

  get size(): number {
    return this.length;
  }

  /** Inserts `value`; returns false (and changes nothing) when an equal element is present. */
  insert(value: number): boolean {
    const { chunks, maxes } = this;
    if (chunks.length === 0) {
      chunks.push([value]);
      maxes.push(value);
      this.length = 1;
      return true;
    }
    let chunkIndex = this.lowerBound(maxes, value);
    if (chunkIndex === chunks.length) chunkIndex--;
    const chunk = chunks[chunkIndex]!;
    const position = this.lowerBound(chunk, value);
    if (position < chunk.length && chunk[position] === value) return false;
    if (position === chunk.length) chunk.push(value);
    else chunk.splice(position, 0, value);
    maxes[chunkIndex] = chunk[chunk.length - 1]!;
    this.length++;
    if (chunk.length > 2 * SortedNumberSet.chunkLoad) {
      const upper = chunk.splice(SortedNumberSet.chunkLoad);
      chunks.splice(chunkIndex + 1, 0, upper);
      maxes.splice(chunkIndex, 1, chunk[chunk.length - 1]!, upper[upper.length - 1]!);
    }
    return true;
  }

  /** Removes the element equal to `value`; returns false when there is none. */
  remove(value: number): boolean {
    const { chunks, maxes } = this;
    const chunkIndex = this.lowerBound(maxes, value);
    if (chunkIndex === chunks.length) return false;
    const chunk = chunks[chunkIndex]!;
    const position = this.lowerBound(chunk, value);
    if (position === chunk.length || chunk[position] !== value) return false;
    chunk.splice(position, 1);
    this.length--;
    if (chunk.length === 0) {
      chunks.splice(chunkIndex, 1);
      maxes.splice(chunkIndex, 1);
      return true;
    }
    maxes[chunkIndex] = chunk[chunk.length - 1]!;
    // Merging a shrunken chunk into its successor keeps the chunk count proportional to the size.
    const next = chunks[chunkIndex + 1];
    if (next !== undefined && chunk.length + next.length <= SortedNumberSet.chunkLoad) {
      chunk.push(...next);
      chunks.splice(chunkIndex + 1, 1);
      maxes.splice(chunkIndex, 2, chunk[chunk.length - 1]!);
    }
    return true;
  }

  /**
   * Visits elements in ascending order, starting after `after` (exclusive) or at the smallest when
   * `after` is undefined, until `visit` returns false or the elements run out.
   */
  forEachAfter(after: number | undefined, visit: (value: number) => boolean): void {
    const { chunks } = this;
    let chunkIndex = 0;
    let position = 0;
    if (after !== undefined) {
      chunkIndex = this.upperBound(this.maxes, after);
      if (chunkIndex === chunks.length) return;
      position = this.upperBound(chunks[chunkIndex]!, after);
    }
    for (; chunkIndex < chunks.length; chunkIndex++, position = 0) {
      const chunk = chunks[chunkIndex]!;
      for (; position < chunk.length; position++) {
        if (!visit(chunk[position]!)) return;
      }
    }
  }

  /** First index whose element is >= value. */
  private lowerBound(sorted: readonly number[], value: number): number {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** First index whose element is > value. */
  private upperBound(sorted: readonly number[], value: number): number {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! <= value) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
