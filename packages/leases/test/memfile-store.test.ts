import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LEASE4_HEADER,
  loadMemfileLeases,
  MemfileLeaseStore,
  MemoryLeaseStore,
  type Lease4,
  type MemfileWarning,
} from '../src/index.js';
import { describeLeaseStoreContract, leaseAt } from './store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'tandem-memfile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** A fresh directory per store, so compaction's sibling files never meet another test's. */
const freshPath = (): string => join(mkdtempSync(join(root, 'db-')), 'kea-leases4.csv');
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const openAt = (path: string, warnings: MemfileWarning[] = []) =>
  MemfileLeaseStore.open({ path, persist: true, lfcIntervalS: 0, onWarning: (warning) => warnings.push(warning) });

describeLeaseStoreContract('MemfileLeaseStore (persist true)', () => openAt(freshPath()));
describeLeaseStoreContract('MemfileLeaseStore (persist false)', () =>
  MemfileLeaseStore.open({ path: freshPath(), persist: false, lfcIntervalS: 0 }));

// The leases behind fixtures/kea-2.2-leases4.csv, a file in the exact form Kea 2.2's CSVLeaseFile4
// writes (derived from csv_lease_file4.cc, csv_file.cc and data.cc at tag Kea-2.2.0).
const infinite: Lease4 = {
  address: '192.0.2.9', hwAddress: '08:00:2b:0a:0b:0c', validLifetime: 0xffff_ffff, cltt: 1_700_000_100,
  subnetId: 7, fqdnFwd: false, fqdnRev: false, hostname: '', state: 0, userContext: {},
};
const printer: Lease4 = {
  address: '192.0.2.10', hwAddress: '08:00:2b:01:02:03', clientId: '01:08:00:2b:01:02:03', validLifetime: 3600,
  cltt: 1_700_000_000, subnetId: 1, fqdnFwd: true, fqdnRev: false, hostname: 'printer,lab.example.org', state: 0,
  userContext: { tags: ['a', 1, true, null], name: 'café', ha: { site: 'north' }, comment: 'R&D, 2nd floor' },
};
const declined: Lease4 = {
  address: '192.0.2.11', hwAddress: '', validLifetime: 86_400, cltt: 1_700_000_200,
  subnetId: 1, fqdnFwd: false, fqdnRev: false, hostname: '', state: 1,
};

describe('MemfileLeaseStore file format (Kea 2.2 kea-leases4.csv)', () => {
  it('writes, row for row and byte for byte, what Kea 2.2 writes for the same changes', async () => {
    const path = freshPath();
    const store = await openAt(path);
    await store.add(infinite);
    await store.add(printer);
    await store.add(declined);
    await store.update({ ...printer, cltt: 1_700_001_000 });
    await store.delete('192.0.2.9');
    expect(readFileSync(path, 'utf8')).toBe(fixture('kea-2.2-leases4.csv'));
    await store.close();
  });

  it('reads a Kea 2.2 file to the same leases: later rows win, valid lifetime 0 deletes, escapes undone', async () => {
    const path = freshPath();
    writeFileSync(path, fixture('kea-2.2-leases4.csv'));
    const warnings: MemfileWarning[] = [];
    const store = await openAt(path, warnings);
    expect(warnings).toEqual([]);
    expect(await store.page('start', 10)).toEqual([{ ...printer, cltt: 1_700_001_000 }, declined]);
    expect((await store.get('192.0.2.10'))!.userContext).toEqual(printer.userContext);
    await store.close();
    // An unchanged Kea 2.2 file is appended to as it is, not rewritten.
    expect(readFileSync(path, 'utf8')).toBe(fixture('kea-2.2-leases4.csv'));
  });

  it('round-trips every field through the file, whatever the hostname and user context hold (property)', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', ',', '&', '#', 'x', '2', 'c', ';', '"', '\\', '\n', '\r', '\t', ' ', 'é', '😀', '\u0001', '\u007f') });
    const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(text, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const octets = (min: number, max: number) =>
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: min, maxLength: max })
        .map((bytes) => bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':'));
    const lease: fc.Arbitrary<Lease4> = fc.record({
      address: fc.nat(0xffff_ffff).map((n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`),
      hwAddress: octets(1, 20),
      clientId: fc.option(octets(2, 128), { nil: undefined }),
      validLifetime: fc.integer({ min: 1, max: 0xffff_ffff }),
      cltt: fc.integer({ min: 0, max: 2 ** 40 }),
      subnetId: fc.nat(0xffff_ffff),
      fqdnFwd: fc.boolean(),
      fqdnRev: fc.boolean(),
      hostname: text,
      state: fc.constantFrom(0 as const, 1 as const, 2 as const),
      userContext: fc.option(fc.dictionary(text, json, { maxKeys: 4 }), { nil: undefined }),
    }, { requiredKeys: ['address', 'hwAddress', 'validLifetime', 'cltt', 'subnetId', 'fqdnFwd', 'fqdnRev', 'hostname', 'state'] });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(lease, { selector: (l) => l.address, maxLength: 8 }), async (leases) => {
        const path = freshPath();
        const store = await openAt(path);
        for (const l of leases) expect(await store.add(l)).toBe(true);
        await store.close();
        const warnings: MemfileWarning[] = [];
        const reopened = await openAt(path, warnings);
        expect(warnings).toEqual([]);
        for (const l of leases) expect(await reopened.get(l.address)).toEqual(l);
        expect(await reopened.count()).toBe(leases.length);
        await reopened.close();
      }),
      { numRuns: 60 },
    );
  });

  it('loads a file of later Kea (pool_id column), skips its released (3) lease, and rewrites it in 2.2 form', async () => {
    const path = freshPath();
    writeFileSync(path, fixture('kea-head-leases4.csv'));
    const warnings: MemfileWarning[] = [];
    const store = await openAt(path, warnings);
    expect(warnings).toEqual([
      { kind: 'malformed-row', file: path, line: 4, reason: expect.stringMatching(/^state 3 is not 0/) },
      { kind: 'schema-converted', file: path, headerColumns: 12 },
    ]);
    const expected: Lease4[] = [
      { address: '10.1.2.3', hwAddress: 'aa:bb:cc:dd:ee:01', clientId: '01:aa:bb:cc:dd:ee:01', validLifetime: 7200, cltt: 1_700_000_000,
        subnetId: 3, fqdnFwd: true, fqdnRev: true, hostname: 'one.example.org', state: 0, userContext: { x: 1 } },
      { address: '10.1.2.4', hwAddress: 'aa:bb:cc:dd:ee:02', validLifetime: 7200, cltt: 1_700_000_100,
        subnetId: 3, fqdnFwd: false, fqdnRev: false, hostname: 'two,example', state: 1 },
      // Written with 11 columns under the 12-column header, as Kea 2.2 appends to such a file.
      { address: '10.1.2.6', hwAddress: 'aa:bb:cc:dd:ee:04', validLifetime: 7200, cltt: 1_700_000_300,
        subnetId: 3, fqdnFwd: false, fqdnRev: false, hostname: '', state: 2 },
    ];
    expect(await store.page('start', 10)).toEqual(expected);
    expect(store.malformedRows).toBe(1);
    await store.add(leaseAt('10.1.2.7'));
    await store.close();
    // The live file now starts with Kea 2.2's header; the converted leases sit in `.2`.
    expect(readFileSync(path, 'utf8')).toBe(`${LEASE4_HEADER}${readFileSync(path, 'utf8').split('\n')[1]}\n`);
    expect(readFileSync(`${path}.2`, 'utf8').split('\n')[0]).toBe(LEASE4_HEADER.trim());
    expect(await loadMemfileLeases(path)).toEqual([...expected, leaseAt('10.1.2.7')]);
  });

  it('loads files of Kea 1.x that stop at hostname or at state, taking state 0 and no user context when absent', async () => {
    const path = freshPath();
    writeFileSync(path, [
      'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname',
      '10.0.0.1,0a:00:00:00:00:01,,100,1100,1,0,0,old',
      '',
    ].join('\n'));
    writeFileSync(`${path}.2`, [
      'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state',
      '10.0.0.2,0a:00:00:00:00:02,,100,1200,1,0,0,,1',
      // Rows of an older file may carry the newer columns, never fewer than its header (as Kea).
      '10.0.0.3,0a:00:00:00:00:03,,100,1300,1,0,0,,0,{ "u": 1 }',
      '10.0.0.4,0a:00:00:00:00:04,,100,1300,1,0,0,',
      '',
    ].join('\n'));
    const warnings: MemfileWarning[] = [];
    const store = await openAt(path, warnings);
    expect(warnings).toEqual([
      { kind: 'malformed-row', file: `${path}.2`, line: 4, reason: 'the row has 9 column(s) where the header has 10' },
      { kind: 'schema-converted', file: path, headerColumns: 9 },
    ]);
    expect(await store.page('start', 10)).toEqual([
      leaseAt('10.0.0.1', { hwAddress: '0a:00:00:00:00:01', clientId: undefined, validLifetime: 100, cltt: 1000, hostname: 'old' }),
      leaseAt('10.0.0.2', { hwAddress: '0a:00:00:00:00:02', clientId: undefined, validLifetime: 100, cltt: 1100, state: 1 }),
      leaseAt('10.0.0.3', { hwAddress: '0a:00:00:00:00:03', clientId: undefined, validLifetime: 100, cltt: 1200, userContext: { u: 1 } }),
    ]);
    await store.close();
  });

  it('skips malformed rows with their line numbers, counts them, and keeps loading', async () => {
    const path = freshPath();
    writeFileSync(path, [
      LEASE4_HEADER.trim(),
      '10.0.0.1,0a:00:00:00:00:01,,100,1100,1,0,0,,0,',
      '10.0.0.300,0a:00:00:00:00:02,,100,1100,1,0,0,,0,',
      '10.0.0.3,0a:00:00:00:00:03,,100,1100,1,0,0,,0',
      '',
      '10.0.0.4,zz:00,,100,1100,1,0,0,,0,',
      '10.0.0.5,0a:00:00:00:00:05,,100,1100,1,2,0,,0,',
      '10.0.0.6,0a:00:00:00:00:06,,100,1100,1,0,0,,0,{ "a": ',
      '10.0.0.7,0a:00:00:00:00:07,,100,1100,1,0,0,,0,[ 1 ]',
      '10.0.0.8,,,100,1100,1,0,0,,0,',
      '10.0.0.9,0a:00:00:00:00:09,01,100,1100,1,0,0,,0,',
      '10.0.0.10,0A:0:00:00:00:0a,0x01AB0C,100,1100,1,0,0,,0,',
      '',
    ].join('\n'));
    const warnings: MemfileWarning[] = [];
    const store = await openAt(path, warnings);
    expect(warnings.map((w) => (w.kind === 'malformed-row' ? [w.line, w.reason] : w.kind))).toEqual([
      [3, 'address "10.0.0.300" is not an IPv4 address'],
      [4, 'the row has 10 column(s) where the header has 11'],
      [6, 'hwaddr "zz:00" is not colon-separated hex'],
      [7, 'fqdn_fwd "2" is neither 0 nor 1'],
      [8, expect.stringMatching(/^user_context is not JSON/)],
      [9, 'user_context is not a JSON map'],
      [10, 'the lease has neither hwaddr nor client_id and is not declined'],
      [11, 'client_id "01" has 1 octet(s); Kea needs 2 to 128'],
    ]);
    expect(store.malformedRows).toBe(8);
    // Accepted spellings are normalised to Kea's canonical text.
    expect(await store.get('10.0.0.10')).toMatchObject({ hwAddress: '0a:00:00:00:00:0a', clientId: '01:ab:0c' });
    expect(await store.count()).toBe(2);
    await store.close();
  });

  it('refuses to open a file that is not a DHCPv4 lease file, naming it', async () => {
    const path = freshPath();
    writeFileSync(path, 'address,duid,valid_lifetime\n2001:db8::1,00:01,100\n');
    await expect(openAt(path)).rejects.toThrow(`lease file ${path}: line 1 is not a Kea DHCPv4 lease file header`);
  });

  it('ends a torn last line before appending, so the next row is not lost with it', async () => {
    const path = freshPath();
    writeFileSync(path, `${LEASE4_HEADER}10.0.0.1,0a:00:00:00:00:01,,100,1100,1,0,0,,0,\n10.0.0.2,0a:00:00:00:00:02,,10`);
    const warnings: MemfileWarning[] = [];
    const store = await openAt(path, warnings);
    expect(warnings.map((w) => w.kind)).toEqual(['malformed-row', 'incomplete-last-line']);
    await store.add(leaseAt('10.0.0.3'));
    await store.close();
    expect((await loadMemfileLeases(path)).map((l) => l.address)).toEqual(['10.0.0.1', '10.0.0.3']);
  });

  it('a lease stored with valid lifetime 0 is a deletion marker in the file, so it is gone after a reload (as in Kea)', async () => {
    const path = freshPath();
    const store = await openAt(path);
    await store.add(leaseAt('10.0.0.1', { validLifetime: 0 }));
    expect(await store.get('10.0.0.1')).toBeDefined();
    await store.close();
    expect(await loadMemfileLeases(path)).toEqual([]);
  });

  it('refuses a lease with neither hw-address nor client-id unless declined, as Kea cannot write it', async () => {
    const store = await openAt(freshPath());
    await expect(store.add(leaseAt('10.0.0.1', { hwAddress: '', clientId: undefined }))).rejects.toThrow(/needs a hw-address or a client-id/);
    expect(await store.add(leaseAt('10.0.0.1', { hwAddress: '', clientId: undefined, state: 1 }))).toBe(true);
    await store.close();
  });
});

describe('MemfileLeaseStore durability and compaction', () => {
  it('resolves a write only when its row is in the file, and commits a burst of concurrent writes', async () => {
    const path = freshPath();
    const store = await openAt(path);
    const rowsWhenResolved: boolean[] = [];
    await Promise.all(Array.from({ length: 300 }, (_, i) => {
      const address = `10.0.${i >> 8}.${i & 255}`;
      return store.add(leaseAt(address)).then(() => {
        if (i % 50 === 0) rowsWhenResolved.push(readFileSync(path, 'utf8').includes(`\n${address},`));
      });
    }));
    expect(rowsWhenResolved).toEqual([true, true, true, true, true, true]);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(1 + 300 + 1);
    await store.close();
  });

  it('persist false writes no file at all', async () => {
    const path = freshPath();
    const store = await MemfileLeaseStore.open({ path, persist: false, lfcIntervalS: 1 });
    await store.add(leaseAt('10.0.0.1'));
    await store.delete('10.0.0.1');
    await store.add(leaseAt('10.0.0.2'));
    await store.compact();
    await store.flush();
    await store.close();
    expect(readdirSync(join(path, '..'))).toEqual([]);
  });

  it('compaction leaves the live set in `.2`, sorted by address as kea-lfc writes it, and an empty live file', async () => {
    const path = freshPath();
    const steps: string[] = [];
    const store = await MemfileLeaseStore.open({ path, persist: true, lfcIntervalS: 0, onCompactionStep: (step) => void steps.push(step) });
    await store.add(leaseAt('10.0.0.20', { cltt: 1 }));
    await store.add(leaseAt('10.0.0.3', { cltt: 2 }));
    await store.add(leaseAt('10.0.0.100', { cltt: 3 }));
    await store.update(leaseAt('10.0.0.3', { cltt: 4 }));
    await store.delete('10.0.0.100');
    await store.compact();
    expect(steps).toEqual(['rotated', 'output-partly-written', 'output-written', 'output-completed', 'previous-removed', 'copy-removed', 'finished']);
    expect(readdirSync(join(path, '..')).sort()).toEqual(['kea-leases4.csv', 'kea-leases4.csv.2']);
    expect(readFileSync(path, 'utf8')).toBe(LEASE4_HEADER);
    expect(readFileSync(`${path}.2`, 'utf8').split('\n').map((row) => row.split(',').slice(0, 5).join(','))).toEqual([
      'address,hwaddr,client_id,valid_lifetime,expire',
      `10.0.0.3,${leaseAt('').hwAddress},${leaseAt('').clientId},3600,3604`,
      `10.0.0.20,${leaseAt('').hwAddress},${leaseAt('').clientId},3600,3601`,
      '',
    ]);
    // Writes continue into the new live file, and a second compaction folds them in.
    await store.add(leaseAt('10.0.0.1'));
    await store.compact();
    await store.close();
    expect((await loadMemfileLeases(path)).map((l) => l.address)).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.20']);
  });

  it('writes made while a compaction runs all survive it', async () => {
    const path = freshPath();
    let release: () => void = () => {};
    const paused = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => {};
    const reachedStep = new Promise<void>((resolve) => (reached = resolve));
    const store = await MemfileLeaseStore.open({
      path, persist: true, lfcIntervalS: 0,
      onCompactionStep: async (step) => {
        if (step === 'output-partly-written') {
          reached();
          await paused;
        }
      },
    });
    for (let i = 0; i < 50; i++) await store.add(leaseAt(`10.0.0.${i}`));
    const compaction = store.compact();
    await reachedStep;
    for (let i = 0; i < 50; i += 2) await store.delete(`10.0.0.${i}`);
    for (let i = 50; i < 60; i++) await store.add(leaseAt(`10.0.0.${i}`));
    release();
    await compaction;
    await store.close();
    const expected = [...Array.from({ length: 25 }, (_, k) => 2 * k + 1), ...Array.from({ length: 10 }, (_, k) => 50 + k)];
    expect((await loadMemfileLeases(path)).map((l) => l.address)).toEqual(expected.map((n) => `10.0.0.${n}`));
  });

  it('loads like Kea whatever a crash left: `.completed` wins over `.2` and `.1`, the live file always comes last', async () => {
    const path = freshPath();
    const row = (address: string, cltt: number, valid = 100) =>
      `${address},0a:00:00:00:00:01,,${valid},${cltt + valid},1,0,0,,0,\n`;
    writeFileSync(`${path}.2`, LEASE4_HEADER + row('10.0.0.1', 1) + row('10.0.0.2', 1));
    writeFileSync(`${path}.1`, LEASE4_HEADER + row('10.0.0.2', 2) + row('10.0.0.3', 2));
    writeFileSync(`${path}.output`, `${LEASE4_HEADER}${row('10.0.0.9', 9)}10.0.0.`);
    writeFileSync(path, LEASE4_HEADER + row('10.0.0.3', 3, 0) + row('10.0.0.4', 3));
    const clttOf = async () => Object.fromEntries((await loadMemfileLeases(path)).map((l) => [l.address, l.cltt]));
    expect(await clttOf()).toEqual({ '10.0.0.1': 1, '10.0.0.2': 2, '10.0.0.4': 3 });
    writeFileSync(`${path}.completed`, LEASE4_HEADER + row('10.0.0.1', 5) + row('10.0.0.2', 5) + row('10.0.0.3', 5));
    expect(await clttOf()).toEqual({ '10.0.0.1': 5, '10.0.0.2': 5, '10.0.0.4': 3 });

    // Opening finishes the interrupted compaction and leaves the steady two files.
    const store = await openAt(path);
    await store.close();
    expect(readdirSync(join(path, '..')).sort()).toEqual(['kea-leases4.csv', 'kea-leases4.csv.2']);
    expect(await clttOf()).toEqual({ '10.0.0.1': 5, '10.0.0.2': 5, '10.0.0.4': 3 });
  });

  it('compacts on its own every lfc-interval seconds', async () => {
    const path = freshPath();
    const startedMs = Date.now();
    const store = await MemfileLeaseStore.open({ path, persist: true, lfcIntervalS: 1 });
    await store.add(leaseAt('10.0.0.1'));
    expect(existsSync(`${path}.2`)).toBe(false);
    while (!existsSync(`${path}.2`) && Date.now() - startedMs < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(950);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect((await loadMemfileLeases(path)).map((l) => l.address)).toEqual(['10.0.0.1']);
    await store.close();
  });

  it('any sequence of adds, updates, deletes and compactions leaves the reopened file equal to a memory store (property)', async () => {
    const address = fc.integer({ min: 0, max: 30 }).map((n) => `10.9.${n >> 4}.${n & 15}`);
    const changes = fc.record({
      cltt: fc.nat(5000),
      hostname: fc.constantFrom('', 'a,b', 'x&#x2cy', 'host.example.org'),
      state: fc.constantFrom(0 as const, 1 as const, 2 as const),
      userContext: fc.option(fc.dictionary(fc.constantFrom('k', 'l,m', 'é'), fc.oneof(fc.integer(), fc.string())), { nil: undefined }),
    });
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), address, changes }),
      fc.record({ kind: fc.constant('update' as const), address, changes }),
      fc.record({ kind: fc.constant('delete' as const), address }),
      fc.record({ kind: fc.constant('compact' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 30 }), async (operations) => {
        const path = freshPath();
        const memfile = await openAt(path);
        const memory = new MemoryLeaseStore();
        for (const op of operations) {
          switch (op.kind) {
            case 'add':
            case 'update': {
              const lease = leaseAt(op.address, op.changes);
              expect(await memfile[op.kind](lease)).toBe(await memory[op.kind](lease));
              break;
            }
            case 'delete':
              expect(await memfile.delete(op.address)).toBe(await memory.delete(op.address));
              break;
            case 'compact':
              await memfile.compact();
              break;
          }
        }
        await memfile.close();
        const reopened = await openAt(path);
        expect(await reopened.page('start', 100)).toEqual(await memory.page('start', 100));
        await reopened.close();
      }),
      { numRuns: 50 },
    );
  });
});
