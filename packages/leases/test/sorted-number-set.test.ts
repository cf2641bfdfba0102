import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedNumberSet } from '../src/sorted-number-set.js';

const contents = (list: SortedNumberSet, after?: number): number[] => {
  const values: number[] = [];
  list.forEachAfter(after, (value) => {
    values.push(value);
    return true;
  });
  return values;
};

describe('SortedNumberSet', () => {
  it('matches a sorted set under any mix of inserts and removals across chunk splits and merges (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 6000 }),
        fc.integer({ min: -1, max: 3001 }),
        (operations, after) => {
          const list = new SortedNumberSet();
          const model = new Set<number>();
          for (const [insert, value] of operations) {
            if (insert) expect(list.insert(value)).toBe(!model.has(value)), model.add(value);
            else expect(list.remove(value)).toBe(model.delete(value));
          }
          const sorted = [...model].sort((a, b) => a - b);
          expect(list.size).toBe(model.size);
          expect(contents(list)).toEqual(sorted);
          expect(contents(list, after)).toEqual(sorted.filter((value) => value > after));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stops a walk as soon as the visitor says so', () => {
    const list = new SortedNumberSet();
    for (let value = 0; value < 5000; value++) list.insert(value);
    const seen: number[] = [];
    list.forEachAfter(1023, (value) => (seen.push(value), seen.length < 3));
    expect(seen).toEqual([1024, 1025, 1026]);
  });
});
