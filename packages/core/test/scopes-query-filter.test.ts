import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { HaConfig, HaMode, StateLabel } from '../src/config/types.js';
import {
  classifyQuery4,
  classifyQuery6,
  isLoadBalancedMessageType4,
  isLoadBalancedMessageType6,
  leaseScope4,
  leaseScope6,
  loadBalancingKey4,
  loadBalancingKey6,
  queryFilterFor,
  servesScope,
  shouldReclaimLease,
  type QueryFilter,
} from '../src/scopes/query-filter.js';
import { defaultScopes, failoverScopes } from '../src/scopes/scopes-per-state.js';
import { byteSource, bytes, haConfig } from './scopes-communication.fixture.js';

const DISCOVER = 1;
const SOLICIT = 1;
const SAMPLES = 65_535;

const normalState = (mode: HaMode): StateLabel => (mode === 'hot-standby' ? 'hot-standby' : 'load-balancing');

/** The filter a server has right after entering its normal state (backup: the backup state). */
function entryFilter(config: HaConfig): QueryFilter {
  const state = config.thisServer.role === 'backup' ? 'backup' : normalState(config.mode);
  return queryFilterFor(config, defaultScopes(config, state, { maintenanceEntry: false }));
}

interface Tally {
  readonly inScope: number;
  readonly classes: ReadonlyMap<string | undefined, number>;
  readonly inScopeClasses: ReadonlySet<string | undefined>;
  readonly outOfScopeClasses: ReadonlySet<string | undefined>;
}

function tally(results: Iterable<{ inScope: boolean; clientClass?: string }>): Tally {
  let inScope = 0;
  const classes = new Map<string | undefined, number>();
  const inScopeClasses = new Set<string | undefined>();
  const outOfScopeClasses = new Set<string | undefined>();
  for (const r of results) {
    if (r.inScope) inScope++;
    classes.set(r.clientClass, (classes.get(r.clientClass) ?? 0) + 1);
    (r.inScope ? inScopeClasses : outOfScopeClasses).add(r.clientClass);
  }
  return { inScope, classes, inScopeClasses, outOfScopeClasses };
}

function* randomMacQueries4(filter: QueryFilter, seed: number, messageType = DISCOVER) {
  const next = byteSource(seed);
  for (let i = 0; i < SAMPLES; i++) yield classifyQuery4(filter, { messageType, chaddr: next(6) });
}

function* randomDuidQueries6(filter: QueryFilter, seed: number, messageType = SOLICIT) {
  const next = byteSource(seed);
  for (let i = 0; i < SAMPLES; i++) yield classifyQuery6(filter, { messageType, duid: next(14) });
}

describe('load-balancing key (§7.2)', () => {
  it('prefers a non-empty client identifier, type byte included, over chaddr', () => {
    const clientId = bytes('01 aa bb cc dd ee ff');
    expect(loadBalancingKey4({ chaddr: bytes('aa bb cc dd ee ff'), clientId })).toBe(clientId);
  });

  it('falls back to chaddr when the client identifier is absent or empty', () => {
    const chaddr = bytes('aa bb cc dd ee ff');
    expect(loadBalancingKey4({ chaddr })).toBe(chaddr);
    expect(loadBalancingKey4({ chaddr, clientId: new Uint8Array(0) })).toBe(chaddr);
  });

  it('has no key without client identifier and with an empty chaddr', () => {
    expect(loadBalancingKey4({ chaddr: new Uint8Array(0) })).toBeUndefined();
    expect(loadBalancingKey6(undefined)).toBeUndefined();
    expect(loadBalancingKey6(new Uint8Array(0))).toBeUndefined();
  });

  it('LB-01 the owner of a v4 client follows the §7.2 table through the filter', () => {
    const filter = queryFilterFor(haConfig(), ['server1']);
    expect(classifyQuery4(filter, { messageType: DISCOVER, chaddr: bytes('00 00 00 00 00 00') }).scope).toBe('server1');
    expect(classifyQuery4(filter, { messageType: DISCOVER, chaddr: bytes('aa bb cc dd ee ff') }).scope).toBe('server2');
    // Same MAC, but the client-id decides.
    expect(
      classifyQuery4(filter, {
        messageType: DISCOVER,
        chaddr: bytes('aa bb cc dd ee ff'),
        clientId: bytes('01 aa bb cc dd ee ff'),
      }).scope,
    ).toBe('server1');
    expect(classifyQuery6(filter, { messageType: SOLICIT, duid: bytes('00 03 00 01 01 02 03 04 05 06') }).scope).toBe('server1');
    expect(
      classifyQuery6(filter, { messageType: SOLICIT, duid: bytes('00 01 00 01 12 34 56 78 aa bb cc dd ee ff') }).scope,
    ).toBe('server2');
  });
});

describe('query filter, DHCPv4', () => {
  it('LB-02 LB primary: about half of random MACs in scope, classed by owner', () => {
    const filter = entryFilter(haConfig());
    const t = tally(randomMacQueries4(filter, 2));
    expect(t.inScope).toBeGreaterThan(SAMPLES * 0.25);
    expect(SAMPLES - t.inScope).toBeGreaterThan(SAMPLES * 0.25);
    expect([...t.inScopeClasses]).toEqual(['HA_server1']);
    expect([...t.outOfScopeClasses]).toEqual(['HA_server2']);
  });

  it('LB-03 LB primary serving failover scopes: everything in scope, keyless query still out', () => {
    const config = haConfig();
    const filter = queryFilterFor(config, failoverScopes(config));
    const t = tally(randomMacQueries4(filter, 3));
    expect(t.inScope).toBe(SAMPLES);
    expect(new Set(t.classes.keys())).toEqual(new Set(['HA_server1', 'HA_server2']));
    expect(classifyQuery4(filter, { messageType: DISCOVER, chaddr: new Uint8Array(0) })).toEqual({ inScope: false });
  });

  it('LB-04 fixed MAC, random client identifiers: the split follows the client-id', () => {
    const filter = entryFilter(haConfig());
    const next = byteSource(4);
    const chaddr = bytes('aa bb cc dd ee ff');
    const t = tally(
      (function* () {
        for (let i = 0; i < SAMPLES; i++) yield classifyQuery4(filter, { messageType: DISCOVER, chaddr, clientId: next(7) });
      })(),
    );
    expect(t.inScope).toBeGreaterThan(SAMPLES * 0.25);
    expect(SAMPLES - t.inScope).toBeGreaterThan(SAMPLES * 0.25);
  });

  it('LB-05 LB secondary: the complementary half is in scope', () => {
    const primary = entryFilter(haConfig());
    const secondary = entryFilter(haConfig({ thisServerName: 'server2' }));
    const next = byteSource(5);
    let secondaryInScope = 0;
    const violations: string[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const q = { messageType: DISCOVER, chaddr: next(6) };
      const a = classifyQuery4(primary, q);
      const b = classifyQuery4(secondary, q);
      if (a.inScope === b.inScope || a.clientClass !== b.clientClass) violations.push(`query ${i}: ${JSON.stringify([a, b])}`);
      if (b.inScope) {
        secondaryInScope++;
        if (b.clientClass !== 'HA_server2') violations.push(`query ${i}: secondary answers as ${b.clientClass}`);
      }
    }
    expect(violations).toEqual([]);
    expect(secondaryInScope).toBeGreaterThan(SAMPLES * 0.25);
    expect(SAMPLES - secondaryInScope).toBeGreaterThan(SAMPLES * 0.25);
  });

  it('LB-06 LB backup: nothing in scope by default, everything after serving both scopes', () => {
    const config = haConfig({ thisServerName: 'server3' });
    expect(tally(randomMacQueries4(entryFilter(config), 6)).inScope).toBe(0);
    const both = queryFilterFor(config, ['server1', 'server2']);
    expect(tally(randomMacQueries4(both, 6)).inScope).toBe(SAMPLES);
  });

  it('LB-07 HS primary: every HA-type query in scope, classed HA_server1', () => {
    const filter = entryFilter(haConfig({ mode: 'hot-standby' }));
    const t = tally(randomMacQueries4(filter, 7));
    expect(t.inScope).toBe(SAMPLES);
    expect([...t.classes.keys()]).toEqual(['HA_server1']);
  });

  it('LB-07 HS primary: a query without any identifier still belongs to the primary', () => {
    const filter = entryFilter(haConfig({ mode: 'hot-standby' }));
    expect(classifyQuery4(filter, { messageType: DISCOVER, chaddr: new Uint8Array(0) })).toEqual({
      inScope: true,
      scope: 'server1',
      clientClass: 'HA_server1',
    });
  });

  it('LB-08 HS standby: nothing in scope by default, everything after failover scopes', () => {
    const config = haConfig({ mode: 'hot-standby', thisServerName: 'server2' });
    const none = tally(randomMacQueries4(entryFilter(config), 8));
    expect(none.inScope).toBe(0);
    expect([...none.classes.keys()]).toEqual(['HA_server1']);
    expect(tally(randomMacQueries4(queryFilterFor(config, failoverScopes(config)), 8)).inScope).toBe(SAMPLES);
  });

  it('LB-09 HS backup: nothing in scope', () => {
    const config = haConfig({ mode: 'hot-standby', thisServerName: 'server3' });
    expect(tally(randomMacQueries4(entryFilter(config), 9)).inScope).toBe(0);
  });

  it('LB-12 only DISCOVER, REQUEST, DECLINE, RELEASE and INFORM are balanced among types 0..20', () => {
    const filter = entryFilter(haConfig());
    // A server2-owned client (hash 57 is odd) and a server1-owned one (hash 254).
    const theirs = bytes('aa bb cc dd ee ff');
    const ours = bytes('00 00 00 00 00 00');
    const balanced: number[] = [];
    for (let type = 0; type <= 20; type++) {
      expect(classifyQuery4(filter, { messageType: type, chaddr: ours })).toEqual({
        inScope: true,
        scope: 'server1',
        clientClass: 'HA_server1',
      });
      const r = classifyQuery4(filter, { messageType: type, chaddr: theirs });
      if (isLoadBalancedMessageType4(type)) {
        balanced.push(type);
        expect(r).toEqual({ inScope: false, scope: 'server2', clientClass: 'HA_server2' });
      } else {
        expect(r).toEqual({ inScope: true, scope: 'server1', clientClass: 'HA_server1' });
      }
    }
    expect(balanced).toEqual([1, 3, 4, 7, 8]);
  });

  it('LB-12 non-balanced types are in scope even for a server serving nothing', () => {
    const config = haConfig({ mode: 'hot-standby', thisServerName: 'server2' });
    const filter = queryFilterFor(config, []);
    // DHCPLEASEQUERY (10) reaches every enabled server, with the primary's class.
    expect(classifyQuery4(filter, { messageType: 10, chaddr: new Uint8Array(0) })).toEqual({
      inScope: true,
      scope: 'server1',
      clientClass: 'HA_server1',
    });
  });
});

describe('query filter, DHCPv6', () => {
  it('LB-10 LB primary and secondary: complementary halves by DUID', () => {
    const primary = entryFilter(haConfig());
    const secondary = entryFilter(haConfig({ thisServerName: 'server2' }));
    const p = tally(randomDuidQueries6(primary, 10));
    const s = tally(randomDuidQueries6(secondary, 10));
    expect(p.inScope).toBeGreaterThan(SAMPLES * 0.25);
    expect(s.inScope).toBeGreaterThan(SAMPLES * 0.25);
    expect(p.inScope + s.inScope).toBe(SAMPLES);
    expect([...p.inScopeClasses]).toEqual(['HA_server1']);
    expect([...s.inScopeClasses]).toEqual(['HA_server2']);
  });

  it('LB-10 LB: a message without client identifier is out of scope and unclassed', () => {
    const config = haConfig();
    const filter = queryFilterFor(config, failoverScopes(config));
    expect(classifyQuery6(filter, { messageType: SOLICIT })).toEqual({ inScope: false });
    expect(classifyQuery6(filter, { messageType: SOLICIT, duid: new Uint8Array(0) })).toEqual({ inScope: false });
  });

  it('LB-10 LB backup: nothing by default, everything with both scopes', () => {
    const config = haConfig({ thisServerName: 'server3' });
    expect(tally(randomDuidQueries6(entryFilter(config), 11)).inScope).toBe(0);
    expect(tally(randomDuidQueries6(queryFilterFor(config, ['server1', 'server2']), 11)).inScope).toBe(SAMPLES);
  });

  it('LB-10 HS primary all, HS standby none then all, HS backup none', () => {
    const hs = (name: string) => haConfig({ mode: 'hot-standby', thisServerName: name });
    expect(tally(randomDuidQueries6(entryFilter(hs('server1')), 12)).inScope).toBe(SAMPLES);
    expect(tally(randomDuidQueries6(entryFilter(hs('server2')), 12)).inScope).toBe(0);
    expect(tally(randomDuidQueries6(queryFilterFor(hs('server2'), failoverScopes(hs('server2'))), 12)).inScope).toBe(SAMPLES);
    expect(tally(randomDuidQueries6(entryFilter(hs('server3')), 12)).inScope).toBe(0);
    // Without a DUID the HS primary still answers: only load balancing needs a key.
    expect(classifyQuery6(entryFilter(hs('server1')), { messageType: SOLICIT }).inScope).toBe(true);
  });

  it('LB-13 only SOLICIT, REQUEST, CONFIRM, RENEW, REBIND, RELEASE and DECLINE are balanced among 0..37', () => {
    const filter = entryFilter(haConfig());
    const theirs = bytes('00 01 00 01 12 34 56 78 aa bb cc dd ee ff');
    const balanced: number[] = [];
    for (let type = 0; type <= 37; type++) {
      const r = classifyQuery6(filter, { messageType: type, duid: theirs });
      if (isLoadBalancedMessageType6(type)) {
        balanced.push(type);
        expect(r).toEqual({ inScope: false, scope: 'server2', clientClass: 'HA_server2' });
      } else {
        expect(r).toEqual({ inScope: true, scope: 'server1', clientClass: 'HA_server1' });
      }
    }
    expect(balanced).toEqual([1, 3, 4, 5, 6, 8, 9]);
    // INFORMATION-REQUEST and DHCPv4-over-DHCPv6 QUERY are answered by every enabled server.
    expect(isLoadBalancedMessageType6(11)).toBe(false);
    expect(isLoadBalancedMessageType6(20)).toBe(false);
  });
});

describe('served scopes', () => {
  it('a scope name unknown to the relationship counts as served', () => {
    const filter = queryFilterFor(haConfig(), ['server1']);
    expect(servesScope(filter, 'server1')).toBe(true);
    expect(servesScope(filter, 'server2')).toBe(false);
    expect(servesScope(filter, 'server3')).toBe(false);
    expect(servesScope(filter, 'elsewhere')).toBe(true);
  });

  it('the filter names the load-balancing secondary only in load-balancing mode', () => {
    expect(queryFilterFor(haConfig(), []).secondaryName).toBe('server2');
    expect(queryFilterFor(haConfig({ mode: 'hot-standby' }), []).secondaryName).toBeUndefined();
    expect(queryFilterFor(haConfig({ mode: 'passive-backup' }), []).primaryName).toBe('server1');
  });
});

describe('lease scope for reclamation (§10.6)', () => {
  it('LB-15 a v4 lease has the owner a query from the same client would have', () => {
    const filter = entryFilter(haConfig());
    const next = byteSource(15);
    for (let i = 0; i < 2_000; i++) {
      const chaddr = next(6);
      const clientId = i % 3 === 0 ? undefined : next(7);
      const q = classifyQuery4(filter, { messageType: DISCOVER, chaddr, ...(clientId ? { clientId } : {}) });
      const l = leaseScope4(filter, { hwAddress: chaddr, ...(clientId ? { clientId } : {}) });
      expect(l).toEqual({ inScope: q.inScope, scope: q.scope });
    }
  });

  it('LB-15 a v6 lease has the owner a query with the same DUID would have', () => {
    const filter = entryFilter(haConfig({ thisServerName: 'server2' }));
    const next = byteSource(16);
    for (let i = 0; i < 2_000; i++) {
      const duid = next(10);
      const q = classifyQuery6(filter, { messageType: SOLICIT, duid });
      expect(leaseScope6(filter, { duid })).toEqual({ inScope: q.inScope, scope: q.scope });
    }
  });

  it('LB-15 a lease without identifiers is out of scope in load balancing', () => {
    const filter = entryFilter(haConfig());
    expect(leaseScope4(filter, {})).toEqual({ inScope: false });
    expect(leaseScope6(filter, {})).toEqual({ inScope: false });
  });

  it('LB-15 only a terminated server skips reclaiming leases of scopes it does not serve', () => {
    const filter = entryFilter(haConfig());
    const theirs = leaseScope4(filter, { hwAddress: bytes('aa bb cc dd ee ff') });
    const ours = leaseScope4(filter, { hwAddress: bytes('00 00 00 00 00 00') });
    expect(shouldReclaimLease('terminated', theirs)).toBe(false);
    expect(shouldReclaimLease('terminated', ours)).toBe(true);
    expect(shouldReclaimLease('load-balancing', theirs)).toBe(true);
    expect(shouldReclaimLease('partner-down', theirs)).toBe(true);
  });
});

describe('properties', () => {
  const query4 = fc.record({
    chaddr: fc.uint8Array({ maxLength: 16 }),
    clientId: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
    messageType: fc.constantFrom(1, 3, 4, 7, 8),
  });

  test.prop([fc.array(query4, { maxLength: 50 })])(
    'LB primary and secondary partition every query that has a key',
    (queries) => {
      const primary = entryFilter(haConfig());
      const secondary = entryFilter(haConfig({ thisServerName: 'server2' }));
      for (const raw of queries) {
        const q = raw.clientId === undefined ? { messageType: raw.messageType, chaddr: raw.chaddr } : raw;
        const served = [classifyQuery4(primary, q).inScope, classifyQuery4(secondary, q).inScope];
        const hasKey = loadBalancingKey4(q) !== undefined;
        expect(served.filter(Boolean).length).toBe(hasKey ? 1 : 0);
      }
    },
  );

  test.prop([fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 50 })])(
    'LB primary and secondary partition every DUID-carrying v6 query',
    (duids) => {
      const primary = entryFilter(haConfig());
      const secondary = entryFilter(haConfig({ thisServerName: 'server2' }));
      for (const duid of duids) {
        const q = { messageType: SOLICIT, duid };
        const count = [classifyQuery6(primary, q), classifyQuery6(secondary, q)].filter((r) => r.inScope).length;
        expect(count).toBe(duid.length > 0 ? 1 : 0);
      }
    },
  );

  test.prop([query4, fc.subarray(['server1', 'server2', 'server3'])])(
    'the class names the owner whether or not the query is answered',
    (raw, served) => {
      const filter = queryFilterFor(haConfig(), served);
      const r = classifyQuery4(filter, raw);
      if (r.scope === undefined) {
        expect(r).toEqual({ inScope: false });
      } else {
        expect(r.clientClass).toBe(`HA_${r.scope}`);
        expect(r.inScope).toBe(served.includes(r.scope));
      }
    },
  );
});
