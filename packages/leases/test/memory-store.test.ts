import { describe, expect, it } from 'vitest';
import { MemoryLeaseStore } from '../src/index.js';
import { describeLeaseStoreContract, leaseAt } from './store-contract.js';

describeLeaseStoreContract('MemoryLeaseStore', async () => new MemoryLeaseStore());

describe('MemoryLeaseStore at scale', () => {
  it('pages through 100 000 leases added in random order without losing or repeating one', async () => {
    const store = new MemoryLeaseStore();
    const total = 100_000;
    // A multiplicative permutation of 0..total-1 gives a shuffled insertion order without Math.random().
    for (let i = 0; i < total; i++) {
      const n = (i * 7919) % total;
      await store.add(leaseAt(`10.${n >> 16}.${(n >> 8) & 0xff}.${n & 0xff}`, { cltt: n }));
    }
    const walked: number[] = [];
    let from: string | 'start' = 'start';
    for (;;) {
      const page = await store.page(from, 10_000);
      for (const lease of page) walked.push(lease.cltt);
      if (page.length < 10_000) break;
      from = page[page.length - 1]!.address;
    }
    expect(walked.length).toBe(total);
    expect(walked.every((cltt, index) => cltt === index)).toBe(true);
    // Deleting every other lease merges chunks; order and count stay right.
    for (let n = 0; n < total; n += 2) await store.delete(`10.${n >> 16}.${(n >> 8) & 0xff}.${n & 0xff}`);
    const rest = await store.page('start', total);
    expect(rest).toHaveLength(total / 2);
    expect(rest.every((lease, index) => lease.cltt === index * 2 + 1)).toBe(true);
    expect((await store.expired(1_000 + 3600, 3)).map((lease) => lease.cltt)).toEqual([1, 3, 5]);
  });
});
