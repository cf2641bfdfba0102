import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease4, LeaseStore } from '../src/index.js';

/**
 * The behaviour every LeaseStore owes its callers (the allocation engine, the lease commands, HA
 * sync), run against each implementation: memory, memfile, and later PostgreSQL. Paging follows
 * Kea's lease4-get-page (spec §8.14): ascending by address, strictly after `from`.
 */

export const baseLease: Lease4 = {
  address: '192.0.2.1',
  hwAddress: '0a:0b:0c:0d:0e:01',
  clientId: '01:0a:0b:0c:0d:0e:01',
  validLifetime: 3600,
  cltt: 1_700_000_000,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: '',
  state: 0,
};

export const leaseAt = (address: string, changes: Partial<Lease4> = {}): Lease4 => ({ ...baseLease, address, ...changes });

const addresses = (leases: readonly Lease4[]): string[] => leases.map((lease) => lease.address);

export const describeLeaseStoreContract = (name: string, openStore: () => Promise<LeaseStore>): void => {
  describe(`${name} honours the LeaseStore contract`, () => {
    const opened: LeaseStore[] = [];
    const fresh = async (): Promise<LeaseStore> => {
      const store = await openStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('a lease added is found by address with every field as given', async () => {
      const store = await fresh();
      const lease = leaseAt('192.0.2.7', {
        hostname: 'host.example.org',
        fqdnFwd: true,
        fqdnRev: true,
        state: 1,
        subnetId: 42,
        userContext: { comment: 'first, second', nested: { list: [1, 'two', null, true] } },
      });
      expect(await store.add(lease)).toBe(true);
      expect(await store.get('192.0.2.7')).toEqual(lease);
      expect(await store.get('192.0.2.8')).toBeUndefined();
      expect(await store.count()).toBe(1);
    });

    it('adding at an address that has a lease answers false and keeps the first lease', async () => {
      const store = await fresh();
      const first = leaseAt('192.0.2.1');
      expect(await store.add(first)).toBe(true);
      expect(await store.add(leaseAt('192.0.2.1', { hwAddress: 'aa:aa:aa:aa:aa:aa', cltt: 5 }))).toBe(false);
      expect(await store.get('192.0.2.1')).toEqual(first);
      expect(await store.getByHwAddress('aa:aa:aa:aa:aa:aa')).toEqual([]);
      expect(await store.count()).toBe(1);
    });

    it('update replaces the lease and re-indexes it; update of an absent address answers false and adds nothing', async () => {
      const store = await fresh();
      await store.add(leaseAt('192.0.2.1', { hwAddress: '11:11:11:11:11:11', clientId: '01:11' }));
      const renewed = leaseAt('192.0.2.1', { hwAddress: '22:22:22:22:22:22', clientId: undefined, cltt: 1_700_000_500 });
      expect(await store.update(renewed)).toBe(true);
      expect(await store.get('192.0.2.1')).toEqual(renewed);
      expect(await store.getByHwAddress('11:11:11:11:11:11')).toEqual([]);
      expect(await store.getByClientId('01:11')).toEqual([]);
      expect(await store.getByHwAddress('22:22:22:22:22:22')).toEqual([renewed]);

      expect(await store.update(leaseAt('192.0.2.2'))).toBe(false);
      expect(await store.get('192.0.2.2')).toBeUndefined();
      expect(await store.count()).toBe(1);
    });

    it('delete removes the lease from every index; deleting an absent address answers false', async () => {
      const store = await fresh();
      const lease = leaseAt('192.0.2.1', { cltt: 100, validLifetime: 10 });
      await store.add(lease);
      expect(await store.delete('192.0.2.1')).toBe(true);
      expect(await store.get('192.0.2.1')).toBeUndefined();
      expect(await store.getByHwAddress(lease.hwAddress)).toEqual([]);
      expect(await store.getByClientId(lease.clientId!)).toEqual([]);
      expect(await store.page('start', 10)).toEqual([]);
      expect(await store.expired(1_000, 0)).toEqual([]);
      expect(await store.count()).toBe(0);
      expect(await store.delete('192.0.2.1')).toBe(false);
      expect(await store.add(lease)).toBe(true);
    });

    it('§8.14 page walks addresses in numeric order strictly after "from", at most "limit"', async () => {
      const store = await fresh();
      for (const address of ['10.0.0.10', '10.0.0.9', '9.255.255.255', '10.0.1.0', '10.0.0.100']) {
        await store.add(leaseAt(address));
      }
      expect(addresses(await store.page('start', 10))).toEqual([
        '9.255.255.255', '10.0.0.9', '10.0.0.10', '10.0.0.100', '10.0.1.0',
      ]);
      expect(addresses(await store.page('start', 2))).toEqual(['9.255.255.255', '10.0.0.9']);
      // `from` is exclusive whether or not a lease sits at it.
      expect(addresses(await store.page('10.0.0.9', 2))).toEqual(['10.0.0.10', '10.0.0.100']);
      expect(addresses(await store.page('10.0.0.11', 10))).toEqual(['10.0.0.100', '10.0.1.0']);
      expect(addresses(await store.page('0.0.0.0', 1))).toEqual(['9.255.255.255']);
      expect(await store.page('10.0.1.0', 10)).toEqual([]);
      expect(await store.page('255.255.255.255', 10)).toEqual([]);
    });

    it('§8.14 paging with the last address of each page visits every lease exactly once', async () => {
      const store = await fresh();
      const all: string[] = [];
      for (let i = 0; i < 50; i++) {
        const address = `172.16.${(i * 37) % 5}.${(i * 53) % 251}`;
        if (await store.add(leaseAt(address))) all.push(address);
      }
      const seen: string[] = [];
      let from: string | 'start' = 'start';
      for (;;) {
        const page = await store.page(from, 7);
        seen.push(...addresses(page));
        if (page.length < 7) break;
        from = page[page.length - 1]!.address;
      }
      const numeric = (a: string) => a.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
      expect(seen).toEqual([...all].sort((a, b) => numeric(a) - numeric(b)));
    });

    it('page refuses a zero limit and a "from" that is not an IPv4 address', async () => {
      const store = await fresh();
      await expect(store.page('start', 0)).rejects.toThrow(RangeError);
      await expect(store.page('start', 1.5)).rejects.toThrow(RangeError);
      await expect(store.page('2001:db8::1', 10)).rejects.toThrow(/not a dotted-quad IPv4 address/);
    });

    it('leases are found by hw-address and by client-id, ascending by address', async () => {
      const store = await fresh();
      await store.add(leaseAt('192.0.2.20', { hwAddress: 'aa:bb:cc:dd:ee:ff', clientId: '01:aa' }));
      await store.add(leaseAt('192.0.2.3', { hwAddress: 'aa:bb:cc:dd:ee:ff', clientId: undefined }));
      await store.add(leaseAt('192.0.2.4', { hwAddress: '', clientId: '01:aa', state: 1 }));
      await store.add(leaseAt('192.0.2.5', { hwAddress: '00:00:00:00:00:01', clientId: '01:bb' }));
      expect(addresses(await store.getByHwAddress('aa:bb:cc:dd:ee:ff'))).toEqual(['192.0.2.3', '192.0.2.20']);
      expect(addresses(await store.getByClientId('01:aa'))).toEqual(['192.0.2.4', '192.0.2.20']);
      expect(await store.getByHwAddress('')).toEqual([]);
      expect(await store.getByClientId('01:cc')).toEqual([]);
    });

    it('expired lists unreclaimed leases expiring before now, soonest first, ties by address', async () => {
      const store = await fresh();
      await store.add(leaseAt('192.0.2.1', { cltt: 100, validLifetime: 50 })); // expires 150
      await store.add(leaseAt('192.0.2.2', { cltt: 100, validLifetime: 10 })); // 110
      await store.add(leaseAt('192.0.2.3', { cltt: 90, validLifetime: 20, state: 1 })); // 110, declined
      await store.add(leaseAt('192.0.2.4', { cltt: 0, validLifetime: 1, state: 2 })); // reclaimed already
      await store.add(leaseAt('192.0.2.5', { cltt: 100, validLifetime: 100 })); // 200 == now: not yet
      await store.add(leaseAt('192.0.2.6', { cltt: 100, validLifetime: 0xffff_ffff })); // infinite
      expect(addresses(await store.expired(200, 0))).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.1']);
      expect(addresses(await store.expired(200, 2))).toEqual(['192.0.2.2', '192.0.2.3']);
      expect(await store.expired(110, 0)).toEqual([]);

      // Reclaiming (state 2) takes a lease out; renewing moves it later.
      await store.update(leaseAt('192.0.2.2', { cltt: 100, validLifetime: 10, state: 2 }));
      await store.update(leaseAt('192.0.2.1', { cltt: 300, validLifetime: 50 }));
      expect(addresses(await store.expired(200, 0))).toEqual(['192.0.2.3']);
      await expect(store.expired(200, -1)).rejects.toThrow(RangeError);
    });

    it('count follows adds, failed adds, updates and deletes', async () => {
      const store = await fresh();
      expect(await store.count()).toBe(0);
      await store.add(leaseAt('10.1.0.1'));
      await store.add(leaseAt('10.1.0.2'));
      await store.add(leaseAt('10.1.0.2'));
      await store.update(leaseAt('10.1.0.1', { cltt: 9 }));
      expect(await store.count()).toBe(2);
      await store.delete('10.1.0.1');
      expect(await store.count()).toBe(1);
    });

    it('a malformed lease is refused with an error naming the field and changes nothing', async () => {
      const store = await fresh();
      await expect(store.add(leaseAt('192.0.2.1', { hwAddress: 'AA:BB:CC:DD:EE:FF' }))).rejects.toThrow(/hw-address/);
      await expect(store.add(leaseAt('192.0.2.256'))).rejects.toThrow(/address/);
      await expect(store.add(leaseAt('192.0.2.1', { clientId: '01' }))).rejects.toThrow(/client-id/);
      await expect(store.add(leaseAt('192.0.2.1', { validLifetime: -1 }))).rejects.toThrow(/valid lifetime/);
      await expect(store.add(leaseAt('192.0.2.1', { state: 3 as never }))).rejects.toThrow(/state/);
      await store.add(leaseAt('192.0.2.1'));
      await expect(store.update(leaseAt('192.0.2.1', { subnetId: 2 ** 32 }))).rejects.toThrow(/subnet-id/);
      expect(await store.get('192.0.2.1')).toEqual(leaseAt('192.0.2.1'));
      expect(await store.count()).toBe(1);
    });

    it('a closed store refuses further use', async () => {
      const store = await fresh();
      await store.add(leaseAt('192.0.2.1'));
      await store.close();
      await expect(store.get('192.0.2.1')).rejects.toThrow(/close/);
      await expect(store.add(leaseAt('192.0.2.2'))).rejects.toThrow(/close/);
    });

    it('concurrent writes to one address are serialised: exactly one add wins', async () => {
      const store = await fresh();
      const results = await Promise.all([
        store.add(leaseAt('192.0.2.9', { cltt: 1 })),
        store.add(leaseAt('192.0.2.9', { cltt: 2 })),
        store.add(leaseAt('192.0.2.9', { cltt: 3 })),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.get('192.0.2.9'))!.cltt).toBe(results.indexOf(true) + 1);
    });

    it('any sequence of operations answers like a map ordered by address (property)', async () => {
      const address = fc.integer({ min: 0, max: 40 }).map((n) => `10.0.${n >> 3}.${(n & 7) * 33}`);
      const operation = fc.oneof(
        fc.record({ kind: fc.constant('add' as const), address, cltt: fc.nat(1000), hw: fc.nat(3) }),
        fc.record({ kind: fc.constant('update' as const), address, cltt: fc.nat(1000), hw: fc.nat(3) }),
        fc.record({ kind: fc.constant('delete' as const), address }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (operations, limit) => {
          const store = await fresh();
          const model = new Map<string, Lease4>();
          for (const op of operations) {
            if (op.kind === 'delete') {
              expect(await store.delete(op.address)).toBe(model.delete(op.address));
              continue;
            }
            const lease = leaseAt(op.address, { cltt: op.cltt, hwAddress: `02:00:00:00:00:0${op.hw}` });
            const present = model.has(op.address);
            if (op.kind === 'add') {
              expect(await store.add(lease)).toBe(!present);
              if (!present) model.set(op.address, lease);
            } else {
              expect(await store.update(lease)).toBe(present);
              if (present) model.set(op.address, lease);
            }
          }
          const numeric = (a: string) => a.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
          const expected = [...model.values()].sort((a, b) => numeric(a.address) - numeric(b.address));
          const walked: Lease4[] = [];
          let from: string | 'start' = 'start';
          for (;;) {
            const page = await store.page(from, limit);
            walked.push(...page);
            if (page.length < limit) break;
            from = page[page.length - 1]!.address;
          }
          expect(walked).toEqual(expected);
          expect(await store.count()).toBe(model.size);
          for (let hw = 0; hw <= 3; hw++) {
            const key = `02:00:00:00:00:0${hw}`;
            expect(await store.getByHwAddress(key)).toEqual(expected.filter((lease) => lease.hwAddress === key));
          }
          await store.close();
        }),
        { numRuns: 40 },
      );
    });
  });
};
