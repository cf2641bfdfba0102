/**
 * Lease updates and communication-recovery at the machine level (spec §10, §2.5, §6.6, §6.8;
 * LU-01, LU-03..LU-07, LU-10..LU-19, CR-01..CR-09). The caller reports committed lease changes
 * per query (`leases.committed`); the machine answers with `lease-updates.send` per peer and
 * either `query.respond` at once or `query.park` until the awaited peers acknowledged, then
 * exactly one `query.respond` or `query.drop`.
 */
import { describe, expect, it } from 'vitest';
import type { HaConfig, StateLabel } from '../src/config/index.js';
import { normalState } from '../src/machine/decide.js';
import type { HaEffect } from '../src/machine/effects.js';
import { buildHeartbeatAnswer } from '../src/wire/heartbeat.js';
import { HaDriver, lease, ofType, transitionsIn } from './support/ha-driver.js';
import { hsPrimary, hsStandby, lbBackup, lbPrimary, lbSecondary, pbPrimary } from './support/kea-config.js';
import { reach } from './support/reach.js';

const NEW = lease('192.1.2.3', '08:00:27:00:00:01');
const OLD = lease('192.2.3.4', '08:00:27:00:00:01');

const sendsTo = (effects: readonly HaEffect[]) => ofType(effects, 'lease-updates.send').map((e) => [e.peer, e.awaited]);
const answersOf = (effects: readonly HaEffect[], queryId: string) =>
  effects.filter((e) => (e.type === 'query.park' || e.type === 'query.respond' || e.type === 'query.drop') && e.queryId === queryId).map((e) => e.type);

describe('LU-01, LU-03..LU-07 sending and acknowledging (§10.2, §10.3)', () => {
  it('LU-01 load-balancing, partner and backup up: both get the update and the deletion, the answer waits for the partner only', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const { queryId, effects } = d.commit([NEW], [OLD]);
    expect(ofType(effects, 'lease-updates.send')).toEqual([
      { type: 'lease-updates.send', queryId, peer: 'server2', deleted: [OLD], updated: [NEW], awaited: true },
      { type: 'lease-updates.send', queryId, peer: 'server3', deleted: [OLD], updated: [NEW], awaited: false },
    ]);
    expect(answersOf(effects, queryId)).toEqual(['query.park']);
    expect(answersOf(d.leaseUpdatesCompleted(queryId, 'server3'), queryId)).toEqual([]);
    const done = d.leaseUpdatesCompleted(queryId, 'server2');
    expect(answersOf(done, queryId)).toEqual(['query.respond']);
    expect(transitionsIn(done)).toEqual([]);
    expect(d.context.unsentUpdateCount).toBe(0);
    expect(d.context.parked).toEqual([]);
  });

  it('LU-01 the backup answering before or after the partner makes no difference', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const { queryId } = d.commit([NEW]);
    expect(answersOf(d.leaseUpdatesCompleted(queryId, 'server2'), queryId)).toEqual(['query.respond']);
    expect(answersOf(d.leaseUpdatesCompleted(queryId, 'server3'), queryId)).toEqual([]);
  });

  it('LU-03 partner-down: nothing for the partner, the backup is updated, no parking, unsent-update-count +1 per query', () => {
    const d = reach(lbPrimary(), 'partner-down');
    for (let i = 1; i <= 6; i++) {
      const { queryId, effects } = d.commit([NEW], [OLD]);
      expect(sendsTo(effects)).toEqual([['server3', false]]);
      expect(answersOf(effects, queryId)).toEqual(['query.respond']);
      expect(d.context.unsentUpdateCount).toBe(i);
    }
    // What the caller reports in its ha-heartbeat answer (§6.6, §8.3; HB-01).
    const hb = buildHeartbeatAnswer({ state: d.state, nowMs: d.nowMs, scopes: d.context.servedScopes, unsentUpdateCount: d.context.unsentUpdateCount });
    expect(hb.arguments).toMatchObject({ state: 'partner-down', 'unsent-update-count': 6, scopes: ['server1', 'server2'] });
  });

  for (const [id, text] of [
    ['LU-04 partner offline', 'Connection refused'],
    ['LU-06 partner answers result 1', 'unable to update the lease, error code 1'],
    ['LU-07 partner answers 401', 'Unauthorized, error code 401'],
  ] as const) {
    it(`${id}: the answer is dropped, the partner becomes unavailable, load-balancing → communication-recovery at once; the backup is still updated`, () => {
      const d = reach(lbPrimary(), 'load-balancing');
      const { queryId, effects } = d.commit([NEW]);
      expect(sendsTo(effects)).toEqual([
        ['server2', true],
        ['server3', false],
      ]);
      const failed = d.leaseUpdatesCompleted(queryId, 'server2', { kind: 'error', text });
      expect(ofType(failed, 'query.drop')).toEqual([{ type: 'query.drop', queryId, reason: `lease update to server2 failed: ${text}` }]);
      expect(ofType(failed, 'query.respond')).toHaveLength(0);
      expect(d.context.partner.state).toBe('unavailable');
      // §10.3: the model runs when the last awaited update completes.
      expect(transitionsIn(failed)).toEqual([['load-balancing', 'communication-recovery']]);
    });
  }

  it('LU-04 with delayed-updates-limit 0: the answer is dropped and load-balancing stays (no communication-recovery)', () => {
    const d = reach(lbPrimary({ parameters: { 'delayed-updates-limit': 0 } }), 'load-balancing');
    const { queryId } = d.commit([NEW]);
    const failed = d.leaseUpdatesCompleted(queryId, 'server2', { kind: 'error', text: 'Connection refused' });
    expect(answersOf(failed, queryId)).toEqual(['query.drop']);
    expect(transitionsIn(failed)).toEqual([]);
    expect(d.context.partner.state).toBe('unavailable');
  });

  it('LU-05 the backup offline, partner fine: the answer is sent, the HA state is untouched', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const { queryId } = d.commit([NEW]);
    const backup = d.leaseUpdatesCompleted(queryId, 'server3', { kind: 'error', text: 'Connection refused' });
    expect(answersOf(backup, queryId)).toEqual([]);
    const partner = d.leaseUpdatesCompleted(queryId, 'server2');
    expect(answersOf(partner, queryId)).toEqual(['query.respond']);
    expect(d.context.partner.state).toBe('load-balancing');
    expect(d.state).toBe('load-balancing');
  });

  it('LU-19 [HEAD] the partner answers 4 (conflict): the answer is dropped, the partner stays available, the client is recorded as rejected', () => {
    const d = reach(lbPrimary({}, 'head'), 'load-balancing', { compat: 'head' });
    const { queryId } = d.commit([NEW], [], 'mac 08:00:27:00:00:01');
    const conflict = d.leaseUpdatesCompleted(queryId, 'server2', { kind: 'conflict', text: 'lease conflict' });
    expect(answersOf(conflict, queryId)).toEqual(['query.drop']);
    expect(d.context.partner.state).toBe('load-balancing');
    expect(Object.keys(d.context.rejected)).toEqual(['mac 08:00:27:00:00:01']);
    expect(d.state).toBe('load-balancing');
    // §6.8: a later successful update for the same client removes the record.
    const again = d.commit([NEW], [], 'mac 08:00:27:00:00:01');
    d.leaseUpdatesCompleted(again.queryId, 'server2');
    expect(d.context.rejected).toEqual({});
  });

  it('LU-18 a query without lease changes (NAK, cache hit) sends nothing and is answered at once', () => {
    for (const state of ['load-balancing', 'partner-down', 'communication-recovery'] as StateLabel[]) {
      const d = reach(lbPrimary(), state);
      const before = d.context.unsentUpdateCount;
      const { queryId, effects } = d.commit([], []);
      expect(ofType(effects, 'lease-updates.send')).toHaveLength(0);
      expect(answersOf(effects, queryId)).toEqual(['query.respond']);
      expect(d.context.unsentUpdateCount).toBe(before);
      expect(d.context.backlog.operations).toEqual([]);
    }
  });
});

type Expect = 'wait' | 'send' | 'queue' | 'unsent' | 'none';

/**
 * What happens to one committed query in `state`, peer by peer: wait = sent and awaited, send =
 * sent without waiting, queue = appended to the backlog, unsent = skipped and counted, none =
 * nothing at all.
 */
function observe(config: HaConfig, state: StateLabel): Record<string, Expect> {
  const d = reach(config, state);
  const unsentBefore = d.context.unsentUpdateCount;
  const backlogBefore = d.context.backlog.operations.length;
  const { queryId, effects } = d.commit([NEW]);
  const result: Record<string, Expect> = {};
  const counted = d.context.unsentUpdateCount - unsentBefore;
  const queued = d.context.backlog.operations.length - backlogBefore;
  for (const peer of config.peers) {
    if (peer.name === config.thisServerName) continue;
    const sent = ofType(effects, 'lease-updates.send').find((e) => e.peer === peer.name);
    result[peer.name] = sent !== undefined ? (sent.awaited ? 'wait' : 'send') : peer.role === 'backup' ? 'none' : queued > 0 ? 'queue' : counted > 0 ? 'unsent' : 'none';
  }
  const parked = ofType(effects, 'query.park').some((e) => e.queryId === queryId);
  expect(parked, 'parked exactly when some peer is awaited').toBe(Object.values(result).includes('wait'));
  // One unsent count per query, however many active peers were skipped (§10.2 step 3).
  expect(counted).toBe(Object.values(result).includes('unsent') ? 1 : 0);
  return result;
}

describe('LU-10..LU-16 the per-peer decision in every state (§10.2)', () => {
  const lbStates: StateLabel[] = ['waiting', 'syncing', 'ready', 'load-balancing', 'communication-recovery', 'partner-down', 'partner-in-maintenance', 'in-maintenance', 'terminated'];
  const lbExpected: Record<string, Expect> = {
    'load-balancing': 'wait',
    'partner-in-maintenance': 'wait',
    'communication-recovery': 'queue',
  };
  for (const [name, config] of [['LB primary', lbPrimary()], ['LB secondary', lbSecondary()]] as const) {
    const partner = config.partner?.name as string;
    for (const state of lbStates) {
      const toPartner = lbExpected[state] ?? 'unsent';
      it(`LU-10/LU-11/LU-13 ${name} in ${state}: partner ${toPartner}, backup send`, () => {
        expect(observe(config, state)).toEqual({ [partner]: toPartner, server3: 'send' });
      });
    }
  }

  const hsStates: StateLabel[] = ['waiting', 'syncing', 'ready', 'hot-standby', 'partner-down', 'partner-in-maintenance', 'in-maintenance', 'terminated'];
  for (const [name, config] of [['HS primary', hsPrimary()], ['HS standby', hsStandby()]] as const) {
    const partner = config.partner?.name as string;
    for (const state of hsStates) {
      const toPartner: Expect = state === 'hot-standby' || state === 'partner-in-maintenance' ? 'wait' : 'unsent';
      it(`LU-14 ${name} in ${state}: partner ${toPartner}, backup send`, () => {
        expect(observe(config, state)).toEqual({ [partner]: toPartner, server3: 'send' });
      });
    }
  }

  for (const state of ['load-balancing', 'communication-recovery', 'partner-down'] as StateLabel[]) {
    it(`LU-12 send-lease-updates false in ${state}: nothing sent, queued or counted; answered at once`, () => {
      const config = lbPrimary({ parameters: { 'send-lease-updates': false } });
      expect(observe(config, state)).toEqual({ server2: 'none', server3: 'none' });
    });
  }

  it('LU-15 a backup made to allocate never sends to the active servers', () => {
    const d = new HaDriver(lbBackup());
    const { queryId, effects } = d.commit([NEW]);
    expect(ofType(effects, 'lease-updates.send')).toHaveLength(0);
    expect(answersOf(effects, queryId)).toEqual(['query.respond']);
  });

  it('LU-16 a passive-backup primary sends to its backups without waiting (wait-backup-ack false)', () => {
    expect(observe(pbPrimary(), 'passive-backup')).toEqual({ server2: 'send', server3: 'send' });
  });

  it('LU-16 with wait-backup-ack the answer waits for every backup and is dropped if one fails', () => {
    const d = new HaDriver(pbPrimary({ parameters: { 'wait-backup-ack': true } }));
    const { queryId, effects } = d.commit([NEW]);
    expect(sendsTo(effects)).toEqual([
      ['server2', true],
      ['server3', true],
    ]);
    expect(answersOf(d.leaseUpdatesCompleted(queryId, 'server2', { kind: 'error', text: 'Connection refused' }), queryId)).toEqual([]);
    expect(answersOf(d.leaseUpdatesCompleted(queryId, 'server3'), queryId)).toEqual(['query.drop']);
    expect(d.state).toBe('passive-backup');
  });
});

describe('CR-01..CR-09 communication-recovery (§2.5, §10.5)', () => {
  const config = lbPrimary({ parameters: { 'delayed-updates-limit': 4 } });

  it('CR-01 a query in communication-recovery: deletion then update queued, the backup updated, the answer sent at once', () => {
    const d = reach(config, 'communication-recovery');
    const { queryId, effects } = d.commit([NEW], [OLD]);
    expect(d.context.backlog.operations).toEqual([
      { op: 'delete', lease: OLD },
      { op: 'update', lease: NEW },
    ]);
    expect(sendsTo(effects)).toEqual([['server3', false]]);
    expect(answersOf(effects, queryId)).toEqual(['query.respond']);
    // Backlog entries are not unsent updates (§6.6).
    expect(d.context.unsentUpdateCount).toBe(0);
  });

  it('CR-02 partner back in load-balancing: the backlog is delivered in order → load-balancing, backlog empty', () => {
    const d = reach(config, 'communication-recovery');
    d.commit([NEW], [OLD]);
    const back = d.heartbeatSucceeds('load-balancing');
    expect(ofType(back, 'backlog.deliver')).toEqual([
      { type: 'backlog.deliver', peer: 'server2', operations: [{ op: 'delete', lease: OLD }, { op: 'update', lease: NEW }] },
    ]);
    expect(d.haNode).toBe('communication-recovery.delivering');
    expect(transitionsIn(d.backlogDelivered(true))).toEqual([['communication-recovery', 'load-balancing']]);
    expect(d.context.backlog.operations).toEqual([]);
    expect(ofType(d.effects, 'ha-reset.send')).toHaveLength(0);
  });

  it('CR-03 delivery fails: ha-reset is sent; it succeeds → waiting (then the usual resynchronisation)', () => {
    const d = reach(config, 'communication-recovery');
    d.commit([NEW]);
    d.heartbeatSucceeds('load-balancing');
    const failed = d.backlogDelivered(false);
    expect(ofType(failed, 'ha-reset.send')).toEqual([{ type: 'ha-reset.send', peer: 'server2' }]);
    // A failed backlog delivery does not make the partner unavailable (§3.9).
    expect(d.context.partner.state).toBe('load-balancing');
    expect(transitionsIn(d.haResetSent(true))).toEqual([
      ['communication-recovery', 'waiting'],
      ['waiting', 'syncing'],
    ]);
  });

  it('CR-04 delivery fails and ha-reset fails: stays in communication-recovery and retries ha-reset at the next heartbeat (quirk §13.10)', () => {
    const d = reach(config, 'communication-recovery');
    d.commit([NEW]);
    d.heartbeatSucceeds('load-balancing');
    d.backlogDelivered(false);
    expect(transitionsIn(d.haResetSent(false))).toEqual([]);
    expect(d.haNode).toBe('communication-recovery.idle');
    expect(d.context.partner.state).toBe('load-balancing');
    // The undelivered operations are gone: the next heartbeat must not "deliver" an empty backlog and
    // declare load-balancing, it must ask for the resynchronisation again.
    const retry = d.heartbeatSucceeds('load-balancing');
    expect(ofType(retry, 'backlog.deliver')).toHaveLength(0);
    expect(ofType(retry, 'ha-reset.send')).toEqual([{ type: 'ha-reset.send', peer: 'server2' }]);
    expect(transitionsIn(d.haResetSent(false))).toEqual([]);
    expect(ofType(d.heartbeatSucceeds('load-balancing'), 'ha-reset.send')).toHaveLength(1);
    expect(transitionsIn(d.haResetSent(true))[0]).toEqual(['communication-recovery', 'waiting']);
  });

  it('CR-05 partner already resynchronising (ready): no delivery and no ha-reset; with an overflowed backlog → waiting, still no ha-reset', () => {
    const intact = reach(config, 'communication-recovery');
    intact.commit([NEW]);
    const seen = intact.heartbeatSucceeds('ready');
    expect(ofType(seen, 'backlog.deliver')).toHaveLength(0);
    expect(ofType(seen, 'ha-reset.send')).toHaveLength(0);
    expect(intact.state).toBe('communication-recovery');

    const overflowed = reach(config, 'communication-recovery');
    overflowed.commit([1, 2, 3, 4, 5].map((i) => lease(`192.0.2.${i}`)));
    const effects = overflowed.heartbeatSucceeds('ready');
    expect(ofType(effects, 'ha-reset.send')).toHaveLength(0);
    expect(transitionsIn(effects)[0]).toEqual(['communication-recovery', 'waiting']);
  });

  it('CR-06 backlog overflowed, partner in load-balancing: no updates sent, ha-reset → waiting', () => {
    const d = reach(config, 'communication-recovery');
    const overflow = d.commit([1, 2, 3, 4, 5].map((i) => lease(`192.0.2.${i}`)));
    expect(ofType(overflow.effects, 'log').map((l) => l.id)).toContain('HA_LEASE_UPDATES_BACKLOG_OVERFLOW');
    expect(d.context.backlog).toMatchObject({ overflowed: true });
    const back = d.heartbeatSucceeds('load-balancing');
    expect(ofType(back, 'backlog.deliver')).toHaveLength(0);
    expect(ofType(back, 'ha-reset.send')).toHaveLength(1);
    expect(transitionsIn(d.haResetSent(true))[0]).toEqual(['communication-recovery', 'waiting']);
    // Leaving communication-recovery forgets the backlog and its overflow (§10.5).
    expect(d.context.backlog).toMatchObject({ operations: [], overflowed: false });
  });

  it('CR-06 while communication is still interrupted nothing is attempted', () => {
    const d = reach(config, 'communication-recovery');
    d.commit([1, 2, 3, 4, 5].map((i) => lease(`192.0.2.${i}`)));
    d.heartbeatFailsInterrupted();
    expect(d.state).toBe('communication-recovery');
    // A successful heartbeat ends the interruption; only then does recovery start.
    expect(ofType(d.heartbeatSucceeds('load-balancing'), 'ha-reset.send')).toHaveLength(1);
  });

  it('CR-08 load-balancing + partner unavailable with delayed-updates-limit 0 stays load-balancing', () => {
    const d = reach(lbPrimary({ parameters: { 'delayed-updates-limit': 0 } }), 'load-balancing');
    expect(transitionsIn(d.heartbeatFails())).toEqual([]);
    expect(transitionsIn(d.heartbeatFailsInterrupted())).toEqual([]);
    expect(d.state).toBe('load-balancing');
  });

  it('CR-09 load-balancing → failed heartbeat → communication-recovery; partner back in load-balancing → load-balancing', () => {
    const d = reach(lbSecondary(), normalState(lbSecondary()));
    expect(transitionsIn(d.heartbeatFails())).toEqual([['load-balancing', 'communication-recovery']]);
    expect(d.context.dhcpEnabled).toBe(true);
    expect(d.context.servedScopes).toEqual(['server2']);
    d.heartbeatSucceeds('load-balancing');
    expect(ofType(d.effects, 'backlog.deliver').at(-1)).toEqual({ type: 'backlog.deliver', peer: 'server1', operations: [] });
    expect(transitionsIn(d.backlogDelivered(true))).toEqual([['communication-recovery', 'load-balancing']]);
  });
});
