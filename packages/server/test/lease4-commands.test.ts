import { readFileSync } from 'node:fs';
import { MemoryLeaseStore, type Lease4 } from '@tandem/leases';
import { describe, expect, it } from 'vitest';
import { answerToJson } from '../src/commands/answer.js';
import { toKeaJson } from '../src/commands/json.js';
import { lease4Commands, type LeaseCommandContext } from '../src/commands/lease4-commands.js';
import { CommandRegistry } from '../src/commands/registry.js';
import { subnetCatalog, subnetInfo } from '../src/commands/subnet-catalog.js';

const wire = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../../shared/kea-wire/${name}`, import.meta.url), 'utf8'));

const NOW_S = 1_795_306_300;

const context = (): LeaseCommandContext => ({
  store: new MemoryLeaseStore(),
  subnets: subnetCatalog([subnetInfo(1, '198.18.0.0/16', 3600), subnetInfo(2, '192.0.2.0/24', 7200)]),
  nowS: () => NOW_S,
});

const registry = () => new CommandRegistry<LeaseCommandContext>().registerAll(lease4Commands);

/** The single answer object of a captured HTTP exchange (the agent wraps it in a list). */
const wireAnswer = (name: string): unknown => (wire(name) as unknown[])[0];

const lease = (address: string, hw: string, extra: Partial<Lease4> = {}): Lease4 => ({
  address,
  hwAddress: hw,
  clientId: `01:${hw}`,
  validLifetime: 3600,
  cltt: 1_795_306_293,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: '',
  state: 0,
  ...extra,
});

describe('lease4 commands answer as Kea 2.2 lease_cmds', () => {
  it('§8.13 lease4-update from a Kea HA peer (captured request) adds the lease with cltt = expire - valid-lft', async () => {
    const ctx = context();
    const answer = await registry().dispatch(wire('lease4-update.request.json'), ctx);
    expect(answerToJson(answer)).toEqual(wireAnswer('lease4-update.response.json'));
    const stored = await ctx.store.get('198.18.1.0');
    expect(stored).toMatchObject({ hwAddress: '00:0c:01:02:03:04', clientId: '01:00:0c:01:02:03:04', cltt: 1795309890 - 3600, validLifetime: 3600, subnetId: 1 });
  });

  it('§8.13 a second lease4-update of the same address overwrites it: "IPv4 lease updated."', async () => {
    const ctx = context();
    await registry().dispatch(wire('lease4-update.request.json'), ctx);
    const answer = await registry().dispatch(wire('lease4-update.request.json'), ctx);
    expect(answer).toEqual({ result: 0, text: 'IPv4 lease updated.' });
  });

  it('§8.13 lease4-update without force-create of a missing lease fails with result 1', async () => {
    const ctx = context();
    const answer = await registry().dispatch(
      { command: 'lease4-update', arguments: { 'ip-address': '198.18.0.5', 'hw-address': '0a:0b:0c:0d:0e:0f' } },
      ctx,
    );
    expect(answer.result).toBe(1);
    expect(answer.text).toContain('failed to update the lease with address 198.18.0.5');
  });

  it('§8.13 lease4-del (captured request) deletes, then answers 3 "IPv4 lease not found."', async () => {
    const ctx = context();
    await ctx.store.add(lease('198.18.1.1', '00:0c:01:02:03:05'));
    const first = await registry().dispatch(wire('lease4-del.request.json'), ctx);
    expect(answerToJson(first)).toEqual(wireAnswer('lease4-del.response.json'));
    const again = await registry().dispatch(wire('lease4-del.request.json'), ctx);
    expect(again).toEqual({ result: 3, text: 'IPv4 lease not found.' });
  });

  it('§8.14 lease4-get-page pages in address order strictly after "from", byte-identical to the capture', async () => {
    const ctx = context();
    const all = (wireAnswer('lease4-get-all.response.json') as { arguments: { leases: Array<Record<string, unknown>> } }).arguments.leases;
    for (const json of all) {
      await ctx.store.add({
        address: json['ip-address'] as string,
        hwAddress: json['hw-address'] as string,
        clientId: json['client-id'] as string,
        validLifetime: json['valid-lft'] as number,
        cltt: json.cltt as number,
        subnetId: json['subnet-id'] as number,
        fqdnFwd: false,
        fqdnRev: false,
        hostname: '',
        state: 0,
      });
    }
    const first = await registry().dispatch(wire('lease4-get-page.request.json'), ctx);
    expect(toKeaJson(answerToJson(first))).toBe(toKeaJson(wireAnswer('lease4-get-page.response.json') as never));
    const next = await registry().dispatch(wire('lease4-get-page.next.request.json'), ctx);
    expect(answerToJson(next)).toEqual(wireAnswer('lease4-get-page.next.response.json'));
    const everything = await registry().dispatch(wire('lease4-get-all.request.json'), ctx);
    expect((everything.arguments as { leases: unknown[] }).leases).toHaveLength(all.length);
  });

  it('§8.14 lease4-get-page on an empty store is result 3 with an empty list (Kea formatting "[  ]")', async () => {
    const answer = await registry().dispatch(wire('lease4-get-page.sync-empty.request.json'), context());
    expect(toKeaJson(answerToJson(answer))).toBe(toKeaJson(wireAnswer('lease4-get-page.sync-empty.response.json') as never));
    expect(toKeaJson(answerToJson(answer))).toContain('"leases": [  ]');
  });

  it('lease4-get-page refuses a missing, non-string or IPv6 "from" and a zero limit with Kea texts', async () => {
    const r = registry();
    const ctx = context();
    const text = async (args: unknown) => (await r.dispatch({ command: 'lease4-get-page', arguments: args }, ctx)).text;
    expect(await text({ limit: 3 })).toBe("'from' parameter not specified");
    expect(await text({ from: 1, limit: 3 })).toBe("'from' parameter must be a string");
    expect(await text({ from: '2001:db8::1', limit: 3 })).toBe("'from' parameter value 2001:db8::1 is not an IPv4 address");
    expect(await text({ from: 'start' })).toBe("'limit' parameter not specified");
    expect(await text({ from: 'start', limit: 'x' })).toBe("'limit' parameter must be a number");
    expect(await text({ from: 'start', limit: 0 })).toBe('page size of retrieved leases must not be 0');
    expect((await r.dispatch({ command: 'lease4-get-page' }, ctx)).text).toBe('no parameters specified for the lease4-get-page command');
  });

  it('lease4-add adds once, then refuses the duplicate; lease4-get finds it by address, hw-address and client-id', async () => {
    const r = registry();
    const ctx = context();
    const args = { 'ip-address': '192.0.2.10', 'hw-address': '1A:1B:1C:1D:1E:1F', 'client-id': '01:1a:1b:1c:1d:1e:1f', 'subnet-id': 2 };
    expect(await r.dispatch({ command: 'lease4-add', arguments: args }, ctx)).toEqual({
      result: 0,
      text: 'Lease for address 192.0.2.10, subnet-id 2 added.',
    });
    expect(await r.dispatch({ command: 'lease4-add', arguments: args }, ctx)).toEqual({ result: 1, text: 'IPv4 lease already exists.' });
    const byAddress = await r.dispatch({ command: 'lease4-get', arguments: { 'ip-address': '192.0.2.10' } }, ctx);
    expect(byAddress).toMatchObject({ result: 0, text: 'IPv4 lease found.', arguments: { 'hw-address': '1a:1b:1c:1d:1e:1f', 'valid-lft': 7200, cltt: NOW_S } });
    const byHw = await r.dispatch(
      { command: 'lease4-get', arguments: { 'identifier-type': 'hw-address', identifier: '1a:1b:1c:1d:1e:1f', 'subnet-id': 2 } },
      ctx,
    );
    expect(byHw.result).toBe(0);
    const byClient = await r.dispatch(
      { command: 'lease4-get', arguments: { 'identifier-type': 'client-id', identifier: '01:1a:1b:1c:1d:1e:1f', 'subnet-id': 1 } },
      ctx,
    );
    expect(byClient).toEqual({ result: 3, text: 'Lease not found.' });
  });

  it('lease4-add validates like Kea: unknown subnet, address outside subnet, bad state, fqdn without hostname', async () => {
    const r = registry();
    const ctx = context();
    const add = async (extra: Record<string, unknown>) =>
      (await r.dispatch({ command: 'lease4-add', arguments: { 'ip-address': '198.18.0.9', 'hw-address': '00:01:02:03:04:05', ...extra } }, ctx)).text;
    expect(await add({ 'subnet-id': 9 })).toBe('Invalid subnet-id: No IPv4 subnet with subnet-id=9 currently configured.');
    expect(await add({ 'subnet-id': 2 })).toBe('The address 198.18.0.9 does not belong to subnet 192.0.2.0/24, subnet-id=2');
    expect(await add({ state: 3 })).toBe('Invalid state value: 3, supported values are: 0 (default), 1 (declined) and 2 (expired-reclaimed)');
    expect(await add({ 'fqdn-fwd': true })).toBe('No hostname specified and either forward or reverse fqdn was set to true.');
    expect(await add({ expire: 10, 'valid-lft': 3600 })).toBe('expiration time must be greater than valid lifetime for address 198.18.0.9');
    expect(await add({ 'ip-address': '2001:db8::1' })).toBe('Non-IPv4 address specified: 2001:db8::1');
    expect((await r.dispatch({ command: 'lease4-add' }, ctx)).text).toBe('no parameters specified for the command');
    expect(await ctx.store.count()).toBe(0);
  });

  it('lease4-get-all with subnets filters by subnet id; wrong shapes get result 1', async () => {
    const r = registry();
    const ctx = context();
    await ctx.store.add(lease('198.18.0.1', '00:00:00:00:00:01'));
    await ctx.store.add(lease('192.0.2.1', '00:00:00:00:00:02', { subnetId: 2 }));
    const only2 = await r.dispatch({ command: 'lease4-get-all', arguments: { subnets: [2] } }, ctx);
    expect(only2).toMatchObject({ result: 0, text: '1 IPv4 lease(s) found.' });
    expect((await r.dispatch({ command: 'lease4-get-all', arguments: { subnets: [3] } }, ctx)).result).toBe(3);
    expect((await r.dispatch({ command: 'lease4-get-all', arguments: {} }, ctx)).text).toBe("'subnets' parameter not specified");
    expect((await r.dispatch({ command: 'lease4-get-all', arguments: { subnets: 2 } }, ctx)).text).toBe("'subnets' parameter must be a list");
  });
});
