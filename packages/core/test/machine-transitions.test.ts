/**
 * Conformance of the HA state machine to the transition tables of spec §3 (SM-01..SM-04), the
 * unavailable-partner sequences (SM-05) and the state-machine scenarios SM-06..SM-24, plus the
 * per-state heartbeat (HB-09) and clock-skew (CS-14) behaviour as the machine shows it.
 *
 * Every cell is checked on a machine brought into "my state" by a realistic run
 * (support/reach.ts), then given one heartbeat result. Kea runs the new state's handler right
 * after a transition in the same evaluation (§1.3 item 4), so a cell that moves on is followed
 * through the table until the machine rests; the test checks the whole chain of
 * state.changed effects. A `sync` cell must start the synchronisation (sync.start), and its
 * success must lead to ready; a `recover` cell must deliver the backlog or send ha-reset.
 */
import { describe, expect, it } from 'vitest';
import type { HaConfig, StateLabel } from '../src/config/index.js';
import { normalState } from '../src/machine/decide.js';
import { isCommunicationInterrupted } from '../src/machine/facts.js';
import type { HaEffect } from '../src/machine/effects.js';
import { leaseScope4, queryFilterFor, shouldReclaimLease } from '../src/scopes/index.js';
import { HaDriver, YEAR_1994_S, lease, ofType, transitionsIn } from './support/ha-driver.js';
import { hsPrimary, hsStandby, lbBackup, lbPrimary, lbSecondary, pbPrimary } from './support/kea-config.js';
import { reach } from './support/reach.js';
import {
  ABBREV_OF,
  COLUMNS,
  HOT_STANDBY_PRIMARY,
  HOT_STANDBY_STANDBY,
  LOAD_BALANCING,
  STATE_OF,
  resolveCell,
  variantsOf,
  type Abbrev,
  type Column,
  type Outcome,
  type Table,
  type Variant,
} from './support/transition-tables.js';

/** A small backlog so that overflowing it takes one query. */
const BACKLOG_LIMIT = 3;

interface TableCase {
  readonly id: string;
  readonly name: string;
  readonly table: Table;
  readonly config: (variant: Variant) => HaConfig;
}

const TABLES: readonly TableCase[] = [
  {
    id: 'SM-01',
    name: 'LB primary',
    table: LOAD_BALANCING,
    config: (v) => lbPrimary({ parameters: { 'delayed-updates-limit': v.delayedUpdates === false ? 0 : BACKLOG_LIMIT } }),
  },
  {
    id: 'SM-02',
    name: 'LB secondary',
    table: LOAD_BALANCING,
    config: (v) => lbSecondary({ parameters: { 'delayed-updates-limit': v.delayedUpdates === false ? 0 : BACKLOG_LIMIT } }),
  },
  { id: 'SM-03', name: 'HS primary', table: HOT_STANDBY_PRIMARY, config: () => hsPrimary() },
  { id: 'SM-04', name: 'HS standby', table: HOT_STANDBY_STANDBY, config: () => hsStandby() },
];

const COLUMN_TEXT: Readonly<Record<'U0' | 'U1' | 'U2', string>> = {
  U0: 'partner unavailable, U0 (not yet interrupted)',
  U1: 'partner unavailable, U1 (interrupted, failure not confirmed)',
  U2: 'partner unavailable, U2 (failure confirmed)',
};

const columnText = (column: Column): string =>
  column === 'U0' || column === 'U1' || column === 'U2' ? COLUMN_TEXT[column] : `partner ${STATE_OF[column]}`;

function variantText(v: Variant): string {
  const parts: string[] = [];
  if (v.delayedUpdates === false) parts.push('delayed-updates-limit 0');
  if (v.backlogOverflowed === true) parts.push('backlog overflowed');
  if (v.backlogOverflowed === false) parts.push('backlog intact');
  if (v.partnerNewUnsent === true) parts.push('partner reports new unsent updates');
  if (v.partnerNewUnsent === false) parts.push('no new unsent updates');
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function outcomeText(row: Abbrev, outcome: Outcome, v: Variant): string {
  if (outcome === 'sync') return 'synchronises, then ready';
  if (outcome === 'recover') return v.backlogOverflowed === true ? 'recovers by ha-reset → waiting' : 'recovers by delivering the backlog → load-balancing';
  if (outcome === row) return `stays ${STATE_OF[row]}`;
  return STATE_OF[outcome as Abbrev];
}

/** Deliver the column's heartbeat result; a state without heartbeats gets a late answer. */
function deliverColumn(d: HaDriver, column: Column, v: Variant): HaEffect[] {
  const heartbeating = d.heartbeatPhase !== 'off';
  if (column === 'U0') {
    return heartbeating ? d.heartbeatFails() : d.send({ type: 'heartbeat.failed', nowMs: d.nowMs, reason: 'late failure' });
  }
  if (column === 'U1' || column === 'U2') {
    const unackedClients = column === 'U2' ? d.clientsConfirmingFailure : 0;
    if (heartbeating) return d.heartbeatFailsInterrupted({ unackedClients });
    const effects = d.advance(d.context.partner.lastContactMs + d.config.maxResponseDelayMs + 1 - d.nowMs);
    effects.push(...d.observeUnackedClients(unackedClients));
    effects.push(...d.send({ type: 'heartbeat.failed', nowMs: d.nowMs, reason: 'late failure' }));
    return effects;
  }
  const answer = v.partnerNewUnsent === undefined ? {} : { unsentUpdateCount: v.partnerNewUnsent ? 10 : 0 };
  return heartbeating ? d.heartbeatSucceeds(STATE_OF[column], answer) : d.send(d.heartbeatSuccessEvent(STATE_OF[column], answer));
}

/** The committed lease operations a communication-recovery server holds back (§10.5). */
function fillBacklog(d: HaDriver, v: Variant): void {
  const leases = v.backlogOverflowed === true ? [1, 2, 3, 4].map((i) => lease(`192.0.2.${i}`)) : [lease('192.0.2.1')];
  d.commit(leases);
  expect(d.context.backlog.overflowed).toBe(v.backlogOverflowed === true);
}

const abbrevPairs = (effects: readonly HaEffect[]): string[] => transitionsIn(effects).map(([f, t]) => `${ABBREV_OF[f]}→${ABBREV_OF[t]}`);

/**
 * Run one cell and follow the table through every transition the same evaluation makes (and
 * through sync / recovery results), checking the exact chain of state changes.
 */
function checkCell(tc: TableCase, rowAbbrev: Abbrev, column: Column, v: Variant): void {
  const config = tc.config(v);
  const isPrimary = config.thisServer.role === 'primary';
  const outcomeOf = (at: Abbrev): Outcome => {
    const r = tc.table[at];
    if (r === undefined) throw new Error(`the table has no ${at} row`);
    return resolveCell(r[column], isPrimary, config.syncLeases, v);
  };
  const d = reach(config, STATE_OF[rowAbbrev]);
  if (rowAbbrev === 'CR') fillBacklog(d, v);
  const backlogBefore = d.context.backlog.operations;

  let effects = deliverColumn(d, column, v);
  let at: Abbrev = rowAbbrev;
  let expected: string[] = [];
  for (let round = 0; round < 4; round++) {
    let outcome = outcomeOf(at);
    while (outcome !== at && outcome !== 'sync' && outcome !== 'recover') {
      if (outcome === '—') throw new Error(`the chain reached an impossible cell: ${at} + ${column}`);
      expected.push(`${at}→${outcome}`);
      at = outcome;
      outcome = outcomeOf(at);
    }
    expect(abbrevPairs(effects), 'state changes').toEqual(expected);
    expect(d.state).toBe(STATE_OF[at]);
    if (outcome === at) {
      expect(ofType(effects, 'sync.start'), 'no synchronisation').toHaveLength(0);
      expect(ofType(effects, 'ha-reset.send'), 'no ha-reset').toHaveLength(0);
      return;
    }
    if (outcome === 'sync') {
      expect(d.haNode).toBe('syncing.running');
      expect(ofType(effects, 'sync.start')).toEqual([
        { type: 'sync.start', peer: config.partner?.name, maxPeriodS: 60, pageLimit: 10000, timeoutMs: 60000 },
      ]);
      effects = d.syncSucceeds();
      expected = ['SYNC→RDY'];
      at = 'RDY';
      continue;
    }
    // recover (§2.5): deliver the backlog when it is whole, else ask the partner to resynchronise.
    if (v.backlogOverflowed === true) {
      expect(ofType(effects, 'backlog.deliver'), 'an overflowed backlog is not sent').toHaveLength(0);
      expect(ofType(effects, 'ha-reset.send')).toEqual([{ type: 'ha-reset.send', peer: config.partner?.name }]);
      effects = d.haResetSent(true);
      expected = ['CR→WAIT'];
      at = 'WAIT';
    } else {
      expect(ofType(effects, 'backlog.deliver')).toEqual([{ type: 'backlog.deliver', peer: config.partner?.name, operations: backlogBefore }]);
      expect(ofType(effects, 'ha-reset.send')).toHaveLength(0);
      effects = d.backlogDelivered(true);
      expected = ['CR→LB'];
      at = 'LB';
    }
  }
  throw new Error('the table chain did not come to rest');
}

for (const tc of TABLES) {
  describe(`${tc.id} transition table, ${tc.name}`, () => {
    const isPrimary = tc.config({}).thisServer.role === 'primary';
    for (const [rowAbbrev, row] of Object.entries(tc.table) as Array<[Abbrev, NonNullable<Table[Abbrev]>]>) {
      for (const column of COLUMNS) {
        for (const v of variantsOf(row[column])) {
          const outcome = resolveCell(row[column], isPrimary, true, v);
          if (outcome === '—') continue;
          it(`${tc.id} ${tc.name}: ${STATE_OF[rowAbbrev]} + ${columnText(column)} → ${outcomeText(rowAbbrev, outcome, v)}${variantText(v)}`, () =>
            checkCell(tc, rowAbbrev, column, v));
        }
      }
    }
  });
}

describe('SM-05 unavailable partner: U0, then interrupted (U1), then failure confirmed (U2)', () => {
  for (const tc of TABLES) {
    const config = tc.config({});
    const isPrimary = config.thisServer.role === 'primary';
    for (const rowAbbrev of Object.keys(tc.table) as Abbrev[]) {
      if (rowAbbrev === 'TERM') continue; // no heartbeats in terminated (HB-09)
      it(`SM-05 ${tc.name}: ${STATE_OF[rowAbbrev]} through U0, U1, U2`, () => {
        const d = reach(config, STATE_OF[rowAbbrev]);
        let at: Abbrev = rowAbbrev;
        const seen: string[] = [];
        for (const column of ['U0', 'U1', 'U2'] as const) {
          const cell = (tc.table[at] as NonNullable<Table[Abbrev]>)[column];
          const outcome = resolveCell(cell, isPrimary, config.syncLeases, {});
          if (outcome === '—') continue;
          const effects = deliverColumn(d, column, {});
          let next: Abbrev = at;
          let o: Outcome = outcome;
          while (o !== next) {
            seen.push(`${next}→${o}`);
            next = o as Abbrev;
            o = resolveCell((tc.table[next] as NonNullable<Table[Abbrev]>)[column], isPrimary, config.syncLeases, {});
          }
          expect(abbrevPairs(effects), `${column} from ${at}`).toEqual(seen.splice(0));
          at = next;
          expect(d.state).toBe(STATE_OF[at]);
        }
        // U2 always ends in partner-down, except where the partner is ignored (§2.8).
        expect(d.state).toBe(rowAbbrev === 'IM' ? 'in-maintenance' : 'partner-down');
      });
    }
  }
});

describe('SM-06 sync-leases false: waiting goes straight to ready', () => {
  const cases: Array<[string, HaConfig, StateLabel[]]> = [
    ['LB primary', lbPrimary({ parameters: { 'sync-leases': false } }), ['load-balancing', 'partner-down', 'ready']],
    ['HS primary', hsPrimary({ parameters: { 'sync-leases': false } }), ['hot-standby', 'partner-down', 'ready']],
  ];
  for (const [name, config, partners] of cases) {
    for (const partner of partners) {
      it(`SM-06 ${name}: waiting + partner ${partner} → ready without synchronising`, () => {
        const d = new HaDriver(config);
        const effects = d.heartbeatSucceeds(partner);
        expect(ofType(effects, 'sync.start')).toHaveLength(0);
        const [first] = transitionsIn(effects);
        expect(first).toEqual(['waiting', 'ready']);
        // ready's handler runs in the same evaluation (§1.3): the primary moves on when the partner is normal or ready.
        expect(d.state).toBe(partner === 'partner-down' ? 'ready' : normalState(config));
      });
    }
  }
});

describe('SM-07 a partner clock from 1994 terminates the relationship', () => {
  const configs: Array<[string, HaConfig]> = [
    ['LB primary', lbPrimary()],
    ['LB secondary', lbSecondary()],
    ['HS primary', hsPrimary()],
    ['HS standby', hsStandby()],
  ];
  // Each answer would otherwise move the server elsewhere: the skew guard comes first (§1.3).
  const starts: Array<[StateLabel | 'normal', (c: HaConfig) => string]> = [
    ['waiting', (c) => normalState(c)],
    ['ready', (c) => normalState(c)],
    ['normal', () => 'partner-down'],
    ['partner-down', () => 'ready'],
  ];
  for (const [name, config] of configs) {
    for (const [start, partner] of starts) {
      const label = start === 'normal' ? normalState(config) : start;
      it(`SM-07 ${name}: ${label} + partner ${partner(config)} with a 1994 clock → terminated`, () => {
        const d = reach(config, label);
        const effects = d.heartbeatSucceeds(partner(config) as StateLabel, { dateTimeS: YEAR_1994_S });
        expect(transitionsIn(effects)).toEqual([[label, 'terminated']]);
        expect(ofType(effects, 'log').map((l) => l.id)).toContain('HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION');
        // terminated keeps serving its own scope with heartbeats stopped (§2.9).
        expect(d.context.dhcpEnabled).toBe(true);
        expect(d.heartbeatPhase).toBe('off');
      });
    }
  }
});

describe('SM-08 restart while the partner is still terminated', () => {
  it('SM-08 waiting + partner terminated with synchronised clocks stays waiting; a 1994 clock then terminates', () => {
    const d = new HaDriver(lbPrimary());
    for (let i = 0; i < 3; i++) {
      expect(transitionsIn(d.heartbeatSucceeds('terminated'))).toEqual([]);
      expect(d.state).toBe('waiting');
    }
    // The skew check precedes the partner-state switch (§2.1 step 5), unlike Kea's test artefact.
    expect(transitionsIn(d.heartbeatSucceeds('terminated', { dateTimeS: YEAR_1994_S }))).toEqual([['waiting', 'terminated']]);
  });
});

describe('SM-09 / SM-10 backup and passive-backup servers', () => {
  it('SM-09 a backup server goes to backup at once and stays there, DHCP disabled, no scopes, no heartbeat', () => {
    const d = new HaDriver(lbBackup());
    expect(transitionsIn(d.effects)).toEqual([['waiting', 'backup']]);
    for (let i = 0; i < 10; i++) {
      // ha-reset runs the model from waiting each time (§8.6); a backup goes straight back.
      const { answer, effects } = d.command({ type: 'command.ha-reset' });
      expect(answer).toEqual({ result: 0, text: 'HA state machine reset.' });
      expect(transitionsIn(effects)).toEqual([
        ['backup', 'waiting'],
        ['waiting', 'backup'],
      ]);
      d.advance(60_000);
      expect(d.state).toBe('backup');
      expect(d.context.dhcpEnabled).toBe(false);
      expect(d.context.servedScopes).toEqual([]);
    }
    expect(ofType(d.effects, 'heartbeat.send')).toHaveLength(0);
    expect(ofType(d.effects, 'scopes.set')).toHaveLength(0);
    expect(ofType(d.effects, 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: false }]);
  });

  it('SM-10 a passive-backup primary goes to passive-backup, serves server1 with DHCP enabled, never heartbeats', () => {
    const d = new HaDriver(pbPrimary());
    expect(transitionsIn(d.effects)).toEqual([['waiting', 'passive-backup']]);
    expect(d.context.servedScopes).toEqual(['server1']);
    expect(d.context.dhcpEnabled).toBe(true);
    expect(ofType(d.effects, 'scopes.set')).toEqual([{ type: 'scopes.set', scopes: ['server1'] }]);
    expect(ofType(d.effects, 'dhcp-service.set').at(-1)).toEqual({ type: 'dhcp-service.set', enabled: true });
    d.advance(600_000);
    expect(d.state).toBe('passive-backup');
    expect(d.heartbeatPhase).toBe('off');
    expect(ofType(d.effects, 'heartbeat.send')).toHaveLength(0);
  });
});

type ScopeRow = readonly [state: string, scopes: readonly string[], dhcp: boolean];

/**
 * Reach `state` and check the served scopes and the DHCP service three ways: the context, the
 * last scopes.set / dhcp-service.set effect the caller would have acted on, and (for scopes)
 * that an effect was emitted exactly when the set changed.
 */
function checkScopes(config: HaConfig, [state, scopes, dhcp]: ScopeRow): void {
  let d: HaDriver;
  if (state === 'partner-down (maintenance-start)') {
    d = reach(config, normalState(config));
    const start = d.command({ type: 'command.ha-maintenance-start' });
    d.maintenanceNotifyCompleted(start.requestId, { kind: 'unreachable', text: 'Connection refused' });
    expect(d.state).toBe('partner-down');
  } else if (state === 'partner-down (from partner-in-maintenance)') {
    d = reach(config, 'partner-in-maintenance');
    d.heartbeatFails();
    expect(d.state).toBe('partner-down');
  } else {
    d = reach(config, state as StateLabel);
  }
  expect(d.context.servedScopes).toEqual(scopes);
  expect(d.context.dhcpEnabled).toBe(dhcp);
  const lastScopes = ofType(d.effects, 'scopes.set').at(-1)?.scopes ?? [];
  expect(lastScopes).toEqual(scopes);
  expect(ofType(d.effects, 'dhcp-service.set').at(-1)?.enabled).toBe(dhcp);
  const setEffects = ofType(d.effects, 'scopes.set');
  for (let i = 1; i < setEffects.length; i++) expect(setEffects[i]?.scopes).not.toEqual(setEffects[i - 1]?.scopes);
}

describe('SM-11 / SM-12 scopes and DHCP service per state (§7.6, §1.5)', () => {
  const S1 = ['server1'];
  const S2 = ['server2'];
  const BOTH = ['server1', 'server2'];
  const NONE: string[] = [];
  const common = (own: readonly string[], failover: readonly string[], pdAuto: readonly string[], pim: readonly string[]): ScopeRow[] => [
    ['waiting', NONE, false],
    ['syncing', NONE, false],
    ['ready', NONE, false],
    ['partner-down', pdAuto, true],
    ['partner-down (maintenance-start)', failover, true],
    ['partner-in-maintenance', pim, true],
    ['in-maintenance', NONE, false],
    ['terminated', own, true],
  ];
  const cases: Array<[string, string, HaConfig, ScopeRow[]]> = [
    ['SM-11', 'LB primary, auto-failover true', lbPrimary(), [
      ...common(S1, BOTH, BOTH, BOTH),
      ['load-balancing', S1, true],
      ['communication-recovery', S1, true],
      ['partner-down (from partner-in-maintenance)', BOTH, true],
    ]],
    ['SM-11', 'LB primary, auto-failover false', lbPrimary({ autoFailover: { server1: false } }), [
      ...common(S1, BOTH, S1, BOTH),
      ['load-balancing', S1, true],
      ['communication-recovery', S1, true],
      // quirk §13.12: not a maintenance entry, so only the own scope.
      ['partner-down (from partner-in-maintenance)', S1, true],
    ]],
    ['SM-11', 'LB secondary, auto-failover true', lbSecondary(), [
      ...common(S2, BOTH, BOTH, BOTH),
      ['load-balancing', S2, true],
      ['communication-recovery', S2, true],
    ]],
    ['SM-11', 'LB secondary, auto-failover false', lbSecondary({ autoFailover: { server2: false } }), [
      ...common(S2, BOTH, S2, BOTH),
      ['load-balancing', S2, true],
      ['communication-recovery', S2, true],
    ]],
    // Only this server's own auto-failover matters (§5.2): the partner's false changes nothing here.
    ['SM-11', 'LB primary, partner auto-failover false', lbPrimary({ autoFailover: { server2: false } }), [
      ['partner-down', BOTH, true],
    ]],
    ['SM-12', 'HS primary, auto-failover true', hsPrimary(), [...common(S1, S1, S1, S1), ['hot-standby', S1, true]]],
    ['SM-12', 'HS primary, auto-failover false', hsPrimary({ autoFailover: { server1: false } }), [...common(S1, S1, S1, S1), ['hot-standby', S1, true]]],
    // The standby serves nothing in hot-standby but has DHCP enabled to watch the traffic (§1.5 note).
    ['SM-12', 'HS standby, auto-failover true', hsStandby(), [...common(NONE, S1, S1, S1), ['hot-standby', NONE, true]]],
    ['SM-12', 'HS standby, auto-failover false', hsStandby({ autoFailover: { server2: false } }), [...common(NONE, S1, NONE, S1), ['hot-standby', NONE, true]]],
    ['SM-12', 'LB backup', lbBackup(), [['backup', NONE, false]]],
    ['SM-10', 'PB primary', pbPrimary(), [['passive-backup', S1, true]]],
  ];
  for (const [id, name, config, rows] of cases) {
    for (const row of rows) {
      it(`${id} ${name}: ${row[0]} serves [${row[1].join(', ')}], DHCP ${row[2] ? 'enabled' : 'disabled'}`, () => checkScopes(config, row));
    }
  }
});

describe('SM-13..SM-17 scenarios', () => {
  it('SM-13 LB: lone start → partner-down; partner ready with unsent updates → waiting → ready → load-balancing; partner fails → communication-recovery → partner-down; partner back in load-balancing → stays partner-down', () => {
    const d = new HaDriver(lbPrimary({ parameters: { 'sync-leases': false } }));
    expect(transitionsIn(d.heartbeatFails())).toEqual([]);
    expect(transitionsIn(d.heartbeatFailsInterrupted())).toEqual([['waiting', 'partner-down']]);
    expect(d.context.servedScopes).toEqual(['server1', 'server2']);
    expect(transitionsIn(d.heartbeatSucceeds('ready', { unsentUpdateCount: 10 }))).toEqual([
      ['partner-down', 'waiting'],
      ['waiting', 'ready'],
      ['ready', 'load-balancing'],
    ]);
    expect(transitionsIn(d.heartbeatFails())).toEqual([['load-balancing', 'communication-recovery']]);
    expect(transitionsIn(d.heartbeatFailsInterrupted({ unackedClients: 10 }))).toEqual([]);
    expect(d.state).toBe('communication-recovery');
    expect(d.context.unacked.unackedClients).toBe(10);
    expect(transitionsIn(d.heartbeatFailsInterrupted({ unackedClients: 1 }))).toEqual([['communication-recovery', 'partner-down']]);
    // What status-get reports at this point (§8.15): interrupted, 11 unacked of 11 analysed clients.
    expect(isCommunicationInterrupted(d.context)).toBe(true);
    expect(d.context.unacked).toMatchObject({ connectingClients: 11, unackedClients: 11, analyzedPackets: 11 });
    expect([d.context.partner.state, d.context.partner.inTouch]).toEqual(['unavailable', true]);
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([]);
    expect(d.state).toBe('partner-down');
    expect(d.context.partner.state).toBe('load-balancing');
    expect(d.context.unacked.unackedClients).toBe(0);
  });

  it('SM-14 HS standby: lone start → partner-down; partner ready → waiting → ready; partner hot-standby → hot-standby; failures stay until the standby sees unacked clients → partner-down; partner back → stays partner-down', () => {
    const d = new HaDriver(hsStandby({ parameters: { 'sync-leases': false } }));
    expect(transitionsIn(d.heartbeatFailsInterrupted())).toEqual([['waiting', 'partner-down']]);
    expect(transitionsIn(d.heartbeatSucceeds('ready', { unsentUpdateCount: 10 }))).toEqual([
      ['partner-down', 'waiting'],
      ['waiting', 'ready'],
    ]);
    expect(transitionsIn(d.heartbeatSucceeds('hot-standby'))).toEqual([['ready', 'hot-standby']]);
    expect(transitionsIn(d.heartbeatFails())).toEqual([]);
    expect(transitionsIn(d.heartbeatFailsInterrupted({ unackedClients: 10 }))).toEqual([]);
    expect(d.state).toBe('hot-standby');
    expect(transitionsIn(d.heartbeatFailsInterrupted({ unackedClients: 1 }))).toEqual([['hot-standby', 'partner-down']]);
    expect(d.context.servedScopes).toEqual(['server1']);
    expect(transitionsIn(d.heartbeatSucceeds('hot-standby'))).toEqual([]);
    expect(d.state).toBe('partner-down');
  });

  it('SM-15 partner in partner-down at start: a failed sync stays syncing; the next one succeeds → ready; partner-down keeps ready; partner load-balancing → load-balancing', () => {
    const d = new HaDriver(lbSecondary());
    expect(transitionsIn(d.heartbeatSucceeds('partner-down'))).toEqual([['waiting', 'syncing']]);
    expect(ofType(d.syncFails('malformed leases list'), 'state.changed')).toHaveLength(0);
    expect(d.haNode).toBe('syncing.idle');
    expect(d.context.partner.state).toBe('unavailable');
    // SY-12: no new attempt until a heartbeat succeeds.
    expect(ofType(d.heartbeatFails(), 'sync.start')).toHaveLength(0);
    const retry = d.heartbeatSucceeds('partner-down');
    expect(ofType(retry, 'sync.start')).toHaveLength(1);
    expect(transitionsIn(d.syncSucceeds(12))).toEqual([['syncing', 'ready']]);
    expect(transitionsIn(d.heartbeatSucceeds('partner-down'))).toEqual([]);
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([['ready', 'load-balancing']]);
  });

  it('SM-16 concurrent start as primary: waiting → syncing → ready; stays ready while the partner syncs; partner ready → load-balancing', () => {
    const d = new HaDriver(lbPrimary());
    expect(transitionsIn(d.heartbeatSucceeds('waiting'))).toEqual([['waiting', 'syncing']]);
    expect(transitionsIn(d.syncSucceeds())).toEqual([['syncing', 'ready']]);
    expect(transitionsIn(d.heartbeatSucceeds('waiting'))).toEqual([]);
    expect(transitionsIn(d.heartbeatSucceeds('syncing'))).toEqual([]);
    expect(transitionsIn(d.heartbeatSucceeds('ready'))).toEqual([['ready', 'load-balancing']]);
  });

  it('SM-17 concurrent start as secondary: stays waiting while the partner waits or syncs; partner ready → syncing → ready; stays ready until the partner is load-balancing', () => {
    const d = new HaDriver(lbSecondary());
    expect(transitionsIn(d.heartbeatSucceeds('waiting'))).toEqual([]);
    expect(transitionsIn(d.heartbeatSucceeds('syncing'))).toEqual([]);
    expect(transitionsIn(d.heartbeatSucceeds('ready'))).toEqual([['waiting', 'syncing']]);
    expect(transitionsIn(d.syncSucceeds())).toEqual([['syncing', 'ready']]);
    expect(transitionsIn(d.heartbeatSucceeds('ready'))).toEqual([]);
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([['ready', 'load-balancing']]);
  });

  it('SM-18 mode mismatch: a load-balancing server whose partner reports hot-standby goes to waiting and stays there', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    expect(transitionsIn(d.heartbeatSucceeds('hot-standby'))).toEqual([['load-balancing', 'waiting']]);
    for (let i = 0; i < 5; i++) expect(transitionsIn(d.heartbeatSucceeds('hot-standby'))).toEqual([]);
    expect(d.state).toBe('waiting');
  });

  for (const [name, config] of [['LB primary', lbPrimary()], ['HS standby', hsStandby()]] as const) {
    it(`SM-19 ${name}: partner-in-maintenance + the first failed heartbeat → partner-down`, () => {
      const d = reach(config, 'partner-in-maintenance');
      expect(transitionsIn(d.heartbeatFails())).toEqual([['partner-in-maintenance', 'partner-down']]);
    });
  }
});

describe('SM-21..SM-24 [HEAD]', () => {
  const stalePausedSkew = (compat: '2.2' | 'head'): HaDriver => {
    // A paused load-balancing server records a 65 s skew without acting on it (§4), then resumes.
    const d = reach(lbPrimary({ pause: { 'load-balancing': 'always' } }, compat), 'load-balancing', { compat });
    expect(d.context.paused).toBe(true);
    d.heartbeatSucceeds('load-balancing', { skewS: 65 });
    expect(d.state).toBe('load-balancing');
    d.command({ type: 'command.ha-continue' });
    return d;
  };

  it('SM-21 [HEAD] load-balancing with a stale 65 s skew: a failed heartbeat forgets the skew → communication-recovery, not terminated', () => {
    const d = stalePausedSkew('head');
    expect(transitionsIn(d.heartbeatFails())).toEqual([['load-balancing', 'communication-recovery']]);
    expect(d.context.partner.clockSkewS).toBeUndefined();
  });

  it('SM-21 [2.2.0] quirk §13.13: the same stale skew still terminates', () => {
    const d = stalePausedSkew('2.2');
    expect(transitionsIn(d.heartbeatFails())).toEqual([['load-balancing', 'terminated']]);
  });

  it('SM-22 [HEAD] conflicts for max-rejected-lease-updates distinct clients terminate load-balancing', () => {
    const config = lbPrimary({}, 'head');
    expect(config.maxRejectedLeaseUpdates).toBe(10);
    const d = reach(config, 'load-balancing', { compat: 'head' });
    for (let i = 1; i <= 10; i++) {
      const { queryId } = d.commit([lease(`192.0.2.${i}`)], [], `client-${i}`);
      const effects = d.leaseUpdatesCompleted(queryId, 'server2', { kind: 'conflict', text: 'lease conflict' });
      expect(ofType(effects, 'query.drop')).toHaveLength(1);
      expect(d.state).toBe(i < 10 ? 'load-balancing' : 'terminated');
    }
  });

  describe('SM-23 [HEAD] the rejected-client list is cleared on entry to waiting, syncing, ready, partner-down and terminated only', () => {
    const config = lbPrimary({}, 'head');
    /** One rejected client, recorded from a conflict answer to an update of a query. */
    const reject = (d: HaDriver, queryId: string) => {
      d.leaseUpdatesCompleted(queryId, 'server2', { kind: 'conflict', text: 'lease conflict' });
    };
    const inLoadBalancing = () => {
      const d = reach(config, 'load-balancing', { compat: 'head' });
      reject(d, d.commit([lease('192.0.2.9')]).queryId);
      expect(Object.keys(d.context.rejected)).toHaveLength(1);
      return d;
    };
    const rejected = (d: HaDriver) => Object.keys(d.context.rejected).length;

    it('SM-23 kept in load-balancing and on entry to communication-recovery, in-maintenance, partner-in-maintenance', () => {
      const cr = inLoadBalancing();
      cr.heartbeatFails();
      expect([cr.state, rejected(cr)]).toEqual(['communication-recovery', 1]);
      const im = inLoadBalancing();
      im.command({ type: 'command.ha-maintenance-notify', cancel: false });
      expect([im.state, rejected(im)]).toEqual(['in-maintenance', 1]);
      const pim = inLoadBalancing();
      const start = pim.command({ type: 'command.ha-maintenance-start' });
      pim.maintenanceNotifyCompleted(start.requestId, { kind: 'accepted' });
      expect([pim.state, rejected(pim)]).toEqual(['partner-in-maintenance', 1]);
    });

    it('SM-23 cleared on entry to partner-down and terminated', () => {
      const pd = inLoadBalancing();
      pd.heartbeatFailsInterrupted({ unackedClients: pd.clientsConfirmingFailure });
      expect([pd.state, rejected(pd)]).toEqual(['partner-down', 0]);
      const term = inLoadBalancing();
      term.heartbeatSucceeds('load-balancing', { dateTimeS: YEAR_1994_S });
      expect([term.state, rejected(term)]).toEqual(['terminated', 0]);
    });

    it('SM-23 cleared on entry to waiting, syncing and ready (late conflicts recorded in between)', () => {
      const d = reach(config, 'load-balancing', { compat: 'head' });
      d.heartbeatSucceeds('syncing'); // load-balancing + syncing stays; waiting + syncing will stay too
      const q1 = d.commit([lease('192.0.2.1')]).queryId;
      const q2 = d.commit([lease('192.0.2.2')]).queryId;
      const q3 = d.commit([lease('192.0.2.3')]).queryId;
      reject(d, q1);
      expect(rejected(d)).toBe(1);
      d.command({ type: 'command.ha-reset' });
      expect([d.state, rejected(d)]).toEqual(['waiting', 0]);
      reject(d, q2);
      expect(rejected(d)).toBe(1);
      d.heartbeatSucceeds('load-balancing');
      expect([d.state, rejected(d)]).toEqual(['syncing', 0]);
      reject(d, q3);
      expect(rejected(d)).toBe(1);
      // ready clears; ready + load-balancing then moves on to load-balancing, which keeps the (empty) list.
      expect(transitionsIn(d.syncSucceeds())).toEqual([
        ['syncing', 'ready'],
        ['ready', 'load-balancing'],
      ]);
      expect(rejected(d)).toBe(0);
    });
  });

  it('SM-24 [HEAD] in terminated the HS primary reclaims its leases and the standby skips them; elsewhere both reclaim', () => {
    const identity = { hwAddress: Uint8Array.of(8, 0, 0x27, 0, 0, 1) };
    const primary = reach(hsPrimary({}, 'head'), 'terminated', { compat: 'head' });
    const standby = reach(hsStandby({}, 'head'), 'terminated', { compat: 'head' });
    const decision = (d: HaDriver) => shouldReclaimLease(d.state, leaseScope4(queryFilterFor(d.config, d.context.servedScopes), identity));
    expect(decision(primary)).toBe(true);
    expect(decision(standby)).toBe(false);
    const standbyInHs = reach(hsStandby({}, 'head'), 'hot-standby', { compat: 'head' });
    expect(decision(standbyInHs)).toBe(true);
  });
});

describe('HB-09 heartbeats per state', () => {
  const configs: Array<[string, HaConfig]> = [
    ['LB primary', lbPrimary()],
    ['HS primary', hsPrimary()],
  ];
  for (const [name, config] of configs) {
    const states: StateLabel[] = ['waiting', 'ready', normalState(config), 'partner-down', 'partner-in-maintenance', 'in-maintenance'];
    for (const state of states) {
      it(`HB-09 ${name}: heartbeats are sent every heartbeat-delay in ${state}`, () => {
        const d = reach(config, state);
        for (let i = 0; i < 3; i++) {
          expect(d.heartbeatPhase).toBe('scheduled');
          expect(d.advance(config.heartbeatDelayMs - 1).filter((e) => e.type === 'heartbeat.send')).toHaveLength(0);
          expect(ofType(d.advance(1), 'heartbeat.send')).toEqual([{ type: 'heartbeat.send', peer: 'server2' }]);
          // Nothing more is sent until this one completes (§6.1).
          expect(ofType(d.advance(config.heartbeatDelayMs * 3), 'heartbeat.send')).toHaveLength(0);
          // An answer under which the state stays (tables §3.1, §3.2).
          d.send(d.heartbeatSuccessEvent(state === 'waiting' ? 'syncing' : state === 'ready' || state === 'partner-down' ? 'waiting' : normalState(config)));
          expect(d.state).toBe(state);
        }
      });
    }
    it(`HB-09 ${name}: no heartbeat in terminated`, () => {
      const d = reach(config, 'terminated');
      expect(d.heartbeatPhase).toBe('off');
      expect(ofType(d.advance(config.heartbeatDelayMs * 10), 'heartbeat.send')).toHaveLength(0);
    });
    it(`HB-09 ${name}: the heartbeat pauses while a synchronisation runs and resumes after it`, () => {
      const d = new HaDriver(config);
      d.heartbeatSucceeds('partner-down');
      expect(d.haNode).toBe('syncing.running');
      expect(d.heartbeatPhase).toBe('off');
      expect(ofType(d.advance(config.heartbeatDelayMs * 10), 'heartbeat.send')).toHaveLength(0);
      d.syncFails();
      expect(d.heartbeatPhase).toBe('scheduled');
      expect(ofType(d.advance(config.heartbeatDelayMs), 'heartbeat.send')).toHaveLength(1);
    });
  }
});

describe('CS-14 clock skew at the machine: warn above 30 s (at most once per 60 s), terminate above 60 s', () => {
  const skewLogs = (effects: readonly HaEffect[]) =>
    ofType(effects, 'log').filter((l) => l.id === 'HA_HIGH_CLOCK_SKEW' || l.id === 'HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION');

  for (const skewS of [15, -15, 30, -30]) {
    it(`CS-14 a ${skewS} s skew is fine: no warning`, () => {
      const d = reach(lbPrimary(), 'load-balancing');
      expect(skewLogs(d.heartbeatSucceeds('load-balancing', { skewS }))).toEqual([]);
      expect(d.state).toBe('load-balancing');
    });
  }

  for (const skewS of [35, -35, 60]) {
    it(`CS-14 a ${skewS} s skew warns at once, then only after more than 60 s, and never terminates`, () => {
      const d = reach(lbPrimary(), 'load-balancing');
      const warnedAt: number[] = [];
      const startMs = d.nowMs;
      for (let i = 0; i < 16; i++) {
        const logs = skewLogs(d.heartbeatSucceeds('load-balancing', { skewS }));
        for (const l of logs) {
          expect(l.id).toBe('HA_HIGH_CLOCK_SKEW');
          warnedAt.push(d.nowMs - startMs);
        }
      }
      // Heartbeats every 10 s from +10 s: warnings at +10 s, then the first one more than 60 whole seconds later.
      expect(warnedAt).toEqual([10_000, 80_000, 150_000]);
      expect(d.state).toBe('load-balancing');
    });
  }

  it('CS-14 a terminating skew is logged at error even right after a rate-limited warning (as Kea 2.2)', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    expect(skewLogs(d.heartbeatSucceeds('load-balancing', { skewS: 45 })).map((l) => l.id)).toEqual(['HA_HIGH_CLOCK_SKEW']);
    const logs = skewLogs(d.heartbeatSucceeds('load-balancing', { skewS: 75 }));
    expect(logs.map((l) => [l.id, l.level])).toEqual([['HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION', 'error']]);
    expect(d.state).toBe('terminated');
  });

  for (const skewS of [65, -65, 61]) {
    it(`CS-14 a ${skewS} s skew warns and terminates`, () => {
      const d = reach(lbPrimary(), 'load-balancing');
      const effects = d.heartbeatSucceeds('load-balancing', { skewS });
      expect(skewLogs(effects).map((l) => l.id)).toEqual(['HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION']);
      expect(d.state).toBe('terminated');
    });
  }
});
