import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PendingAllocations } from '../src/dhcp/pending-allocations.js';

describe('queries in allocation, for the overload bound', () => {
  it('reports the wait of the oldest query still in allocation, 0 when none is', () => {
    const pending = new PendingAllocations();
    expect(pending.oldestAgeMs(1_000)).toBe(0);
    const first = pending.begin(1_000);
    const second = pending.begin(1_200);
    expect(pending.oldestAgeMs(1_500)).toBe(500);
    pending.end(first);
    expect(pending.oldestAgeMs(1_500)).toBe(300);
    pending.end(second);
    expect(pending.oldestAgeMs(1_500)).toBe(0);
  });

  test.prop([fc.array(fc.tuple(fc.nat(1000), fc.boolean()), { maxLength: 60 })])(
    'whatever order queries end in, the age is that of the earliest begun among those not ended',
    (steps) => {
      const pending = new PendingAllocations();
      const open = new Map<number, number>();
      let nowMs = 0;
      for (const [advanceMs, endOne] of steps) {
        nowMs += advanceMs;
        if (endOne && open.size > 0) {
          // End some query in the middle, not necessarily the oldest.
          const ids = [...open.keys()];
          const id = ids[advanceMs % ids.length]!;
          pending.end(id);
          open.delete(id);
        } else {
          open.set(pending.begin(nowMs), nowMs);
        }
        const oldest = Math.min(...open.values());
        expect(pending.oldestAgeMs(nowMs)).toBe(open.size === 0 ? 0 : nowMs - oldest);
      }
    },
  );
});
