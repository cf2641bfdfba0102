import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  clearBacklog,
  drainBacklog,
  emptyBacklog,
  popBacklog,
  pushBacklog,
  type LeaseUpdateBacklog,
  type LeaseUpdateOp,
} from '../src/communication/backlog.js';

interface Lease {
  readonly address: string;
}

const lease = (i: number): Lease => ({ address: `192.0.2.${i + 1}` });

function push(b: LeaseUpdateBacklog<Lease>, op: LeaseUpdateOp, l: Lease) {
  return pushBacklog(b, op, l);
}

describe('communication-recovery backlog (§10.5)', () => {
  it('CR-10 pushAndPop: five fit, the sixth overflows, pops come out in order', () => {
    let b = emptyBacklog<Lease>(5);
    for (let i = 0; i < 5; i++) {
      const r = push(b, i % 2 ? 'update' : 'delete', lease(i));
      expect(r.accepted).toBe(true);
      expect(r.backlog.overflowed).toBe(false);
      b = r.backlog;
    }

    const sixth = push(b, 'update', { address: '192.0.2.0' });
    expect(sixth.accepted).toBe(false);
    expect(sixth.backlog.overflowed).toBe(true);
    expect(sixth.backlog.operations).toHaveLength(5);
    b = sixth.backlog;

    for (let i = 0; i < 5; i++) {
      const r = popBacklog(b);
      expect(r.entry).toEqual({ op: i % 2 ? 'update' : 'delete', lease: lease(i) });
      b = r.backlog;
    }
    const empty = popBacklog(b);
    expect(empty.entry).toBeUndefined();
    expect(empty.backlog.overflowed).toBe(true);

    const cleared = clearBacklog(empty.backlog);
    expect(cleared.overflowed).toBe(false);
    expect(cleared.operations).toEqual([]);
    expect(cleared.limit).toBe(5);
  });

  it('CR-10 clear: three pushed, all removed', () => {
    let b = emptyBacklog<Lease>(5);
    for (let i = 0; i < 3; i++) b = push(b, 'update', lease(i)).backlog;
    expect(b.operations).toHaveLength(3);
    expect(clearBacklog(b).operations).toHaveLength(0);
  });

  it('overflow is sticky: popping makes room but does not clear it', () => {
    let b = emptyBacklog<Lease>(1);
    b = push(b, 'update', lease(0)).backlog;
    b = push(b, 'update', lease(1)).backlog;
    b = popBacklog(b).backlog;
    const again = push(b, 'delete', lease(2));
    expect(again.accepted).toBe(true);
    expect(again.backlog.overflowed).toBe(true);
  });

  it('DHCPv6 delivery takes the whole backlog at once, oldest first', () => {
    let b = emptyBacklog<Lease>(10);
    b = push(b, 'delete', lease(0)).backlog;
    b = push(b, 'update', lease(1)).backlog;
    const drained = drainBacklog(b);
    expect(drained.entries).toEqual([
      { op: 'delete', lease: lease(0) },
      { op: 'update', lease: lease(1) },
    ]);
    expect(drained.backlog.operations).toEqual([]);
    expect(drainBacklog(drained.backlog).entries).toEqual([]);
  });

  it('a backlog with limit 0 refuses everything', () => {
    const r = push(emptyBacklog<Lease>(0), 'update', lease(0));
    expect(r.accepted).toBe(false);
    expect(r.backlog.overflowed).toBe(true);
  });

  const command = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), op: fc.constantFrom<LeaseUpdateOp>('update', 'delete'), n: fc.nat(1000) }),
    fc.record({ kind: fc.constant('pop' as const) }),
    fc.record({ kind: fc.constant('clear' as const) }),
  );

  test.prop([fc.nat(8), fc.array(command, { maxLength: 60 })])(
    'behaves like a bounded FIFO with a sticky overflow flag, never altering earlier values',
    (limit, commands) => {
      let b = emptyBacklog<Lease>(limit);
      const model: { op: LeaseUpdateOp; lease: Lease }[] = [];
      let overflowed = false;
      for (const c of commands) {
        const before = b;
        const beforeOps = [...b.operations];
        if (c.kind === 'push') {
          const r = pushBacklog(b, c.op, lease(c.n));
          const fits = model.length < limit;
          expect(r.accepted).toBe(fits);
          if (fits) model.push({ op: c.op, lease: lease(c.n) });
          else overflowed = true;
          b = r.backlog;
        } else if (c.kind === 'pop') {
          const r = popBacklog(b);
          expect(r.entry).toEqual(model.shift());
          b = r.backlog;
        } else {
          b = clearBacklog(b);
          model.length = 0;
          overflowed = false;
        }
        expect(before.operations).toEqual(beforeOps);
        expect(b.operations).toEqual(model);
        expect(b.overflowed).toBe(overflowed);
        expect(b.operations.length).toBeLessThanOrEqual(limit);
      }
    },
  );
});
