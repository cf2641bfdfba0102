/**
 * Control commands at the machine level (spec §3.6, §8.4–§8.12, §11; CMD-01..CMD-14): each
 * command event is answered by exactly one `command.answer` effect carrying Kea's result code
 * and text, and forces the transitions of §3.6.
 */
import { describe, expect, it } from 'vitest';
import type { StateLabel } from '../src/config/index.js';
import { normalState } from '../src/machine/decide.js';
import type { CommandAnswer } from '../src/machine/effects.js';
import { HaDriver, YEAR_1994_S, answerTo, ofType, transitionsIn } from './support/ha-driver.js';
import { lbBackup, lbPrimary, pbPrimary } from './support/kea-config.js';
import { reach } from './support/reach.js';

const ok = (text: string): CommandAnswer => ({ result: 0, text });

describe('CMD-01 ha-scopes', () => {
  it('CMD-01 replaces the served scopes; an unknown name is refused and keeps the previous set', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const scopes = (s: unknown) => d.command({ type: 'command.ha-scopes', scopes: s });
    let r = scopes(['server1', 'server2']);
    expect(r.answer).toEqual(ok('New HA scopes configured.'));
    expect(ofType(r.effects, 'scopes.set')).toEqual([{ type: 'scopes.set', scopes: ['server1', 'server2'] }]);
    r = scopes(['server2']);
    expect(d.context.servedScopes).toEqual(['server2']);
    r = scopes([]);
    expect(d.context.servedScopes).toEqual([]);
    r = scopes(['server1', 'unsupported', 'server3']);
    expect(r.answer).toEqual({ result: 1, text: "invalid server name specified 'unsupported' while enabling/disabling HA scopes" });
    expect(ofType(r.effects, 'scopes.set')).toHaveLength(0);
    expect(d.context.servedScopes).toEqual([]);
    // The DHCP service follows the state, not the scopes (§7.7).
    expect(d.context.dhcpEnabled).toBe(true);
  });

  it('CMD-01 on a backup the service stays disabled; the next transition restores the state default scopes', () => {
    const d = new HaDriver(lbBackup());
    d.command({ type: 'command.ha-scopes', scopes: ['server1', 'server2'] });
    expect(d.context.servedScopes).toEqual(['server1', 'server2']);
    expect(d.context.dhcpEnabled).toBe(false);
    d.command({ type: 'command.ha-reset' });
    expect(d.context.servedScopes).toEqual([]);
  });
});

describe('CMD-02 ha-continue', () => {
  it('CMD-02 answers "continues" when paused and clears the flag, "is not paused" otherwise', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'always' } }));
    expect(d.command({ type: 'command.ha-continue' }).answer).toEqual(ok('HA state machine continues.'));
    expect(d.context.paused).toBe(false);
    expect(d.command({ type: 'command.ha-continue' }).answer).toEqual(ok('HA state machine is not paused.'));
  });
});

describe('CMD-03..CMD-05 ha-maintenance-notify (received from the partner)', () => {
  const allowed: StateLabel[] = ['waiting', 'syncing', 'ready', 'load-balancing', 'communication-recovery', 'partner-down'];
  for (const state of allowed) {
    it(`CMD-03 cancel=false in ${state} → in-maintenance, "Server is in-maintenance state."`, () => {
      const d = reach(lbPrimary(), state);
      const { answer, effects } = d.command({ type: 'command.ha-maintenance-notify', cancel: false });
      expect(answer).toEqual(ok('Server is in-maintenance state.'));
      expect(transitionsIn(effects)).toEqual([[state, 'in-maintenance']]);
      expect([d.context.servedScopes, d.context.dhcpEnabled]).toEqual([[], false]);
      expect(ofType(effects, 'log').map((l) => l.id)).toContain('HA_MAINTENANCE_SHUTDOWN_SAFE');
    });
  }

  it('CMD-03 cancel=false in passive-backup → in-maintenance', () => {
    const d = new HaDriver(pbPrimary());
    expect(d.command({ type: 'command.ha-maintenance-notify', cancel: false }).answer).toEqual(ok('Server is in-maintenance state.'));
    expect(d.state).toBe('in-maintenance');
  });

  for (const [state, make] of [
    ['backup', () => new HaDriver(lbBackup())],
    ['partner-in-maintenance', () => reach(lbPrimary(), 'partner-in-maintenance')],
    ['terminated', () => reach(lbPrimary(), 'terminated')],
  ] as const) {
    it(`CMD-04 cancel=false in ${state} → result 1001, state unchanged`, () => {
      const d = make();
      const { answer, effects } = d.command({ type: 'command.ha-maintenance-notify', cancel: false });
      expect(answer).toEqual({ result: 1001, text: `Unable to transition the server from the ${state} to in-maintenance state.` });
      expect(transitionsIn(effects)).toEqual([]);
    });
  }

  for (const state of ['waiting', 'load-balancing', 'partner-down', 'syncing'] as StateLabel[]) {
    it(`CMD-05 cancel=true in in-maintenance returns to the previous state (${state}), "Server maintenance canceled."`, () => {
      const d = reach(lbPrimary(), state);
      d.command({ type: 'command.ha-maintenance-notify', cancel: false });
      const { answer, effects } = d.command({ type: 'command.ha-maintenance-notify', cancel: true });
      expect(answer).toEqual(ok('Server maintenance canceled.'));
      expect(transitionsIn(effects)).toEqual([['in-maintenance', state]]);
    });
  }

  it('CMD-05 the return from in-maintenance skips one evaluation (§1.3 guard 1); the next heartbeat decides', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    d.heartbeatSucceeds('partner-down');
    expect(d.state).toBe('in-maintenance');
    // load-balancing + partner partner-down would go to waiting, but not in the cancel's own run.
    expect(transitionsIn(d.command({ type: 'command.ha-maintenance-notify', cancel: true }).effects)).toEqual([['in-maintenance', 'load-balancing']]);
    expect(transitionsIn(d.heartbeatSucceeds('partner-down'))[0]).toEqual(['load-balancing', 'waiting']);
  });

  it('CMD-05 cancel=true outside in-maintenance → result 1', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const { answer, effects } = d.command({ type: 'command.ha-maintenance-notify', cancel: true });
    expect(answer).toEqual({ result: 1, text: 'Unable to cancel the maintenance for the server not in the in-maintenance state.' });
    expect(transitionsIn(effects)).toEqual([]);
  });

  // Tandem keeps the state before the first notify; Kea records in-maintenance as the previous
  // state here (2.2.0 then returns to in-maintenance, HEAD ≥2.7.5 to waiting, §3.6).
  it('CMD-05 a repeated cancel=false while in in-maintenance is accepted; the cancel still returns to the state before maintenance', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    const again = d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    expect(again.answer).toEqual(ok('Server is in-maintenance state.'));
    expect(transitionsIn(again.effects)).toEqual([]);
    expect(transitionsIn(d.command({ type: 'command.ha-maintenance-notify', cancel: true }).effects)).toEqual([['in-maintenance', 'load-balancing']]);
  });
});

describe('CMD-06..CMD-11 ha-maintenance-start / ha-maintenance-cancel (admin)', () => {
  const startFrom = (state: StateLabel) => {
    const d = reach(lbPrimary({ autoFailover: { server1: false } }), state);
    const start = d.command({ type: 'command.ha-maintenance-start' });
    expect(start.answer).toBeUndefined();
    expect(ofType(start.effects, 'maintenance-notify.send')).toEqual([
      { type: 'maintenance-notify.send', peer: 'server2', requestId: start.requestId, cancel: false, state },
    ]);
    return { d, requestId: start.requestId };
  };

  it('CMD-06 partner accepts → partner-in-maintenance serving both scopes', () => {
    const { d, requestId } = startFrom('load-balancing');
    const effects = d.maintenanceNotifyCompleted(requestId, { kind: 'accepted' });
    expect(answerTo(requestId, effects)).toEqual(
      ok('Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.'),
    );
    expect(transitionsIn(effects)).toEqual([['load-balancing', 'partner-in-maintenance']]);
    expect(d.context.servedScopes).toEqual(['server1', 'server2']);
  });

  for (const [id, text] of [
    ['CMD-07 partner offline', 'Connection refused'],
    ['CMD-08 partner answers result 1', 'unable to process the command, error code 1'],
    ['CMD-08 partner answers 401', 'Unauthorized, error code 401'],
  ] as const) {
    it(`${id} → partner-down serving all scopes even with auto-failover false (maintenance flavour)`, () => {
      const { d, requestId } = startFrom('load-balancing');
      const effects = d.maintenanceNotifyCompleted(requestId, { kind: 'unreachable', text });
      expect(answerTo(requestId, effects)).toEqual(ok('Server is now in the partner-down state as its partner appears to be offline for maintenance.'));
      expect(transitionsIn(effects)).toEqual([['load-balancing', 'partner-down']]);
      expect(d.context.servedScopes).toEqual(['server1', 'server2']);
    });
  }

  it('CMD-09 partner refuses with 1001 → result 1 with the partner message, state unchanged (waiting)', () => {
    const { d, requestId } = startFrom('waiting');
    const effects = d.maintenanceNotifyCompleted(requestId, {
      kind: 'refused',
      code: 1001,
      text: 'Unable to transition the server from the terminated to in-maintenance state.',
    });
    expect(answerTo(requestId, effects)).toEqual({
      result: 1,
      text:
        'Unable to transition to the partner-in-maintenance state. The partner server responded with the following message to the ' +
        'ha-maintenance-notify command: Unable to transition the server from the terminated to in-maintenance state., error code 1001.',
    });
    expect(transitionsIn(effects)).toEqual([]);
    expect(d.state).toBe('waiting');
  });

  it('CMD-09 [HEAD] the partner error is quoted in HEAD\'s "(error code N)" form (§8.1)', () => {
    const d = reach(lbPrimary({}, 'head'), 'load-balancing', { compat: 'head' });
    const start = d.command({ type: 'command.ha-maintenance-start' });
    const effects = d.maintenanceNotifyCompleted(start.requestId, { kind: 'refused', code: 1001, text: 'Unable to transition' });
    expect(answerTo(start.requestId, effects)?.text).toBe(
      'Unable to transition to the partner-in-maintenance state. The partner server responded with the following message to the ' +
        'ha-maintenance-notify command: Unable to transition (error code 1001).',
    );
  });

  for (const [state, make] of [
    ['backup', () => new HaDriver(lbBackup())],
    ['in-maintenance', () => reach(lbPrimary(), 'in-maintenance')],
    ['partner-in-maintenance', () => reach(lbPrimary(), 'partner-in-maintenance')],
    ['terminated', () => reach(lbPrimary(), 'terminated')],
  ] as const) {
    it(`CMD-06 ha-maintenance-start in ${state} → result 1, nothing sent`, () => {
      const d = make();
      const { answer, effects } = d.command({ type: 'command.ha-maintenance-start' });
      expect(answer).toEqual({ result: 1, text: `Unable to transition the server from the ${state} to partner-in-maintenance state.` });
      expect(ofType(effects, 'maintenance-notify.send')).toHaveLength(0);
    });
  }

  it('CMD-10 ha-maintenance-cancel in partner-in-maintenance, partner accepts → back to the previous state (waiting)', () => {
    const { d, requestId } = startFrom('waiting');
    d.maintenanceNotifyCompleted(requestId, { kind: 'accepted' });
    expect(d.state).toBe('partner-in-maintenance');
    const cancel = d.command({ type: 'command.ha-maintenance-cancel' });
    expect(cancel.answer).toBeUndefined();
    expect(ofType(cancel.effects, 'maintenance-notify.send')).toEqual([
      expect.objectContaining({ type: 'maintenance-notify.send', peer: 'server2', requestId: cancel.requestId, cancel: true }),
    ]);
    const effects = d.maintenanceNotifyCompleted(cancel.requestId, { kind: 'accepted' });
    expect(answerTo(cancel.requestId, effects)).toEqual(ok('Server maintenance successfully canceled.'));
    expect(transitionsIn(effects)).toEqual([['partner-in-maintenance', 'waiting']]);
  });

  for (const [name, outcome, message] of [
    ['partner error', { kind: 'refused', code: 1, text: 'Unable to cancel the maintenance for the server not in the in-maintenance state.' }, 'Unable to cancel the maintenance for the server not in the in-maintenance state., error code 1'],
    ['partner unreachable', { kind: 'unreachable', text: 'Connection refused' }, 'Connection refused'],
  ] as const) {
    it(`CMD-11 ha-maintenance-cancel, ${name} → result 1, stays partner-in-maintenance`, () => {
      const d = reach(lbPrimary(), 'partner-in-maintenance');
      const cancel = d.command({ type: 'command.ha-maintenance-cancel' });
      const effects = d.maintenanceNotifyCompleted(cancel.requestId, outcome);
      expect(answerTo(cancel.requestId, effects)).toEqual({
        result: 1,
        text: `Unable to cancel maintenance. The partner server responded with the following message to the ha-maintenance-notify command: ${message}.`,
      });
      expect(d.state).toBe('partner-in-maintenance');
    });
  }

  it('CMD-11 ha-maintenance-cancel outside partner-in-maintenance → result 1, nothing sent', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const { answer, effects } = d.command({ type: 'command.ha-maintenance-cancel' });
    expect(answer).toEqual({ result: 1, text: 'Unable to cancel maintenance request because the server is not in the partner-in-maintenance state.' });
    expect(ofType(effects, 'maintenance-notify.send')).toHaveLength(0);
  });
});

describe('maintenance commands complete asynchronously: judged against the state at completion', () => {
  // Kea sends ha-maintenance-notify synchronously inside the command (§8.9, §8.10), so its state
  // cannot change in between; here heartbeats keep running while the caller waits for the partner.
  it('a start accepted after the server terminated leaves it terminated (§2.9) and answers the refusal of §8.9 step 1', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const start = d.command({ type: 'command.ha-maintenance-start' });
    d.heartbeatSucceeds('load-balancing', { dateTimeS: YEAR_1994_S });
    expect(d.state).toBe('terminated');
    const effects = d.maintenanceNotifyCompleted(start.requestId, { kind: 'accepted' });
    expect(transitionsIn(effects)).toEqual([]);
    expect(answerTo(start.requestId, effects)).toEqual({
      result: 1,
      text: 'Unable to transition the server from the terminated to partner-in-maintenance state.',
    });
    expect(d.context.pendingCommand).toBeUndefined();
  });

  it('a start whose partner went unreachable after this server itself went in-maintenance leaves it in-maintenance', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    const start = d.command({ type: 'command.ha-maintenance-start' });
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    const effects = d.maintenanceNotifyCompleted(start.requestId, { kind: 'unreachable', text: 'Connection refused' });
    expect(transitionsIn(effects)).toEqual([]);
    expect(answerTo(start.requestId, effects)?.result).toBe(1);
    expect(d.state).toBe('in-maintenance');
  });

  it('a start still waiting for its partner survives the partner\'s own maintenance notify and its cancel', () => {
    const d = new HaDriver(lbPrimary());
    const start = d.command({ type: 'command.ha-maintenance-start' });
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    d.command({ type: 'command.ha-maintenance-notify', cancel: true });
    expect(d.state).toBe('waiting');
    const effects = d.maintenanceNotifyCompleted(start.requestId, { kind: 'refused', code: 1001, text: 'Unable to transition' });
    expect(answerTo(start.requestId, effects)?.result).toBe(1);
    expect(d.context.pendingCommand).toBeUndefined();
  });

  it('a cancel accepted after partner-in-maintenance already fell to partner-down is answered once and stays partner-down', () => {
    const d = reach(lbPrimary(), 'partner-in-maintenance');
    const cancel = d.command({ type: 'command.ha-maintenance-cancel' });
    d.heartbeatFails();
    expect(d.state).toBe('partner-down');
    const effects = d.maintenanceNotifyCompleted(cancel.requestId, { kind: 'accepted' });
    expect(answerTo(cancel.requestId, effects)).toEqual(ok('Server maintenance successfully canceled.'));
    expect(transitionsIn(effects)).toEqual([]);
    expect(d.context.pendingCommand).toBeUndefined();
    // The next maintenance request is not blocked by a forgotten one.
    const again = d.command({ type: 'command.ha-maintenance-start' });
    expect(ofType(again.effects, 'maintenance-notify.send')).toHaveLength(1);
  });
});

describe('CMD-12 ha-reset', () => {
  it('CMD-12 from load-balancing → waiting, "HA state machine reset.", and the model runs once', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.heartbeatSucceeds('syncing');
    const { answer, effects } = d.command({ type: 'command.ha-reset' });
    expect(answer).toEqual(ok('HA state machine reset.'));
    // waiting + partner syncing stays (§2.1).
    expect(transitionsIn(effects)).toEqual([['load-balancing', 'waiting']]);
  });

  it('CMD-12 in waiting: no-op, "HA state machine already in WAITING state."', () => {
    const d = new HaDriver(lbPrimary());
    const { answer, effects } = d.command({ type: 'command.ha-reset' });
    expect(answer).toEqual(ok('HA state machine already in WAITING state.'));
    expect(transitionsIn(effects)).toEqual([]);
  });

  it('CMD-12 from terminated (§13.9) → waiting, the heartbeat restarts and the model runs with the last partner state', () => {
    const d = reach(lbPrimary(), 'terminated');
    expect(d.heartbeatPhase).toBe('off');
    const { effects } = d.command({ type: 'command.ha-reset' });
    // The recorded skew still says 1994 (2.2.0 keeps it): waiting terminates again at once.
    expect(transitionsIn(effects)).toEqual([
      ['terminated', 'waiting'],
      ['waiting', 'terminated'],
    ]);
  });

  it('CMD-12 from terminated because the partner was terminated → waiting, stays waiting, heartbeats again', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.heartbeatSucceeds('terminated');
    expect([d.state, d.heartbeatPhase]).toEqual(['terminated', 'off']);
    const { answer, effects } = d.command({ type: 'command.ha-reset' });
    expect(answer).toEqual(ok('HA state machine reset.'));
    // waiting + partner terminated stays (§2.1).
    expect(transitionsIn(effects)).toEqual([['terminated', 'waiting']]);
    expect(d.heartbeatPhase).toBe('scheduled');
    expect(ofType(d.advance(d.config.heartbeatDelayMs), 'heartbeat.send')).toHaveLength(1);
  });

  it('CMD-12 after a maintenance cancel in passive-backup, ha-reset runs the model: waiting → passive-backup (§8.6)', () => {
    const d = new HaDriver(pbPrimary());
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    d.command({ type: 'command.ha-maintenance-notify', cancel: true });
    expect(d.state).toBe('passive-backup');
    expect(transitionsIn(d.command({ type: 'command.ha-reset' }).effects)).toEqual([
      ['passive-backup', 'waiting'],
      ['waiting', 'passive-backup'],
    ]);
  });
});

describe('CMD-13 / CMD-14 ha-sync-complete-notify', () => {
  const disabledByPartner = (state: StateLabel) => {
    const d = reach(lbPrimary(), state);
    const disable = d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 60 });
    expect(disable.answer).toEqual(ok('DHCPv4 service disabled for 60 seconds'));
    expect(ofType(disable.effects, 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: false }]);
    return d;
  };
  const notify = (d: HaDriver) => {
    const r = d.command({ type: 'command.ha-sync-complete-notify' });
    expect(r.answer).toEqual(ok('Server successfully notified about the synchronization completion.'));
    return r.effects;
  };

  it('CMD-13 in partner-down with DHCP disabled by the syncing partner: stays partner-down and disabled; a failed heartbeat then re-enables DHCP', () => {
    const d = disabledByPartner('partner-down');
    const effects = notify(d);
    expect(transitionsIn(effects)).toEqual([]);
    expect(ofType(effects, 'dhcp-service.set')).toHaveLength(0);
    expect(d.context.dhcpEnabled).toBe(false);
    // The partner's max-period no longer applies: only the next heartbeat decides.
    expect(ofType(d.advance(60_000), 'dhcp-service.set')).toHaveLength(0);
    const failed = d.heartbeatFails();
    expect(ofType(failed, 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
    expect(d.state).toBe('partner-down');
  });

  it('CMD-13 in partner-down: if the next heartbeat finds the partner ready, the normal state is entered with DHCP enabled', () => {
    const d = disabledByPartner('partner-down');
    notify(d);
    const effects = d.heartbeatSucceeds('ready');
    expect(transitionsIn(effects)).toEqual([['partner-down', 'load-balancing']]);
    expect(d.context.dhcpEnabled).toBe(true);
  });

  it('CMD-13 [HEAD] in partner-down with DHCP running (the partner\'s lock already expired), the notify takes a local lock until the next heartbeat', () => {
    const d = reach(lbPrimary({}, 'head'), 'partner-down', { compat: 'head' });
    expect(d.context.dhcpEnabled).toBe(true);
    expect(ofType(notify(d), 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: false }]);
    expect(ofType(d.heartbeatFails(), 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
    expect(d.state).toBe('partner-down');
  });

  it('CMD-13 [2.2.0] in partner-down with DHCP running (the partner\'s flag already cleared), the notify leaves the service alone', () => {
    const d = reach(lbPrimary(), 'partner-down');
    expect(ofType(notify(d), 'dhcp-service.set')).toEqual([]);
    expect(ofType(d.heartbeatFails(), 'dhcp-service.set')).toEqual([]);
    expect(d.context.dhcpEnabled).toBe(true);
  });

  it('CMD-14 in load-balancing with DHCP disabled by the partner: the notify enables DHCP, state unchanged', () => {
    const d = disabledByPartner('load-balancing');
    const effects = notify(d);
    expect(ofType(effects, 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
    expect(transitionsIn(effects)).toEqual([]);
    expect(d.state).toBe('load-balancing');
  });
});

describe('dhcp-disable / dhcp-enable and the remote max-period (§8.12, §11)', () => {
  it('the partner\'s dhcp-disable with max-period re-enables itself when the period elapses', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 30 });
    expect(d.remoteDisablePhase).toBe('armed');
    expect(ofType(d.advance(29_999), 'dhcp-service.set')).toHaveLength(0);
    const expiry = d.advance(1);
    expect(ofType(expiry, 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
    expect(ofType(expiry, 'log').map((l) => l.id)).toContain('HA_REMOTE_DISABLE_EXPIRED');
    expect(d.remoteDisablePhase).toBe('idle');
  });

  it('a repeated dhcp-disable re-arms the timer from the new command (one per lease page, §9)', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 30 });
    d.advance(20_000);
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 30 });
    expect(ofType(d.advance(29_999), 'dhcp-service.set')).toHaveLength(0);
    expect(ofType(d.advance(1), 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
  });

  it('the partner\'s dhcp-enable releases its lock at once; the old timer then changes nothing', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 30 });
    const enable = d.command({ type: 'command.dhcp-enable', origin: 'ha-partner' });
    expect(enable.answer).toEqual(ok('DHCP service successfully enabled'));
    expect(ofType(enable.effects, 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
    expect(ofType(d.advance(60_000), 'dhcp-service.set')).toHaveLength(0);
  });

  it('a dhcp-disable without max-period lasts until dhcp-enable', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    expect(d.command({ type: 'command.dhcp-disable', origin: 'ha-partner' }).answer).toEqual(ok('DHCPv4 service disabled'));
    expect(d.remoteDisablePhase).toBe('idle');
    d.advance(3_600_000);
    expect(d.context.dhcpEnabled).toBe(false);
  });

  it('a user lock outlives the partner\'s timer, and the partner cannot lift it (§11)', () => {
    const d = reach(lbPrimary(), 'load-balancing');
    expect(d.command({ type: 'command.dhcp-disable', origin: 'user' }).answer).toEqual(ok('DHCPv4 service disabled'));
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 10 });
    d.advance(10_000);
    d.command({ type: 'command.dhcp-enable', origin: 'ha-partner' });
    expect(d.context.dhcpEnabled).toBe(false);
    expect(ofType(d.command({ type: 'command.dhcp-enable', origin: 'user' }).effects, 'dhcp-service.set')).toEqual([
      { type: 'dhcp-service.set', enabled: true },
    ]);
  });

  it('the timer does not enable a service the state wants disabled (waiting)', () => {
    const d = new HaDriver(lbPrimary());
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 5 });
    expect(ofType(d.advance(5_000), 'dhcp-service.set')).toHaveLength(0);
    expect(d.context.dhcpEnabled).toBe(false);
  });

  it('a state entry while the partner holds its lock keeps the service disabled until the lock goes', () => {
    const d = reach(lbPrimary(), 'ready');
    d.command({ type: 'command.dhcp-disable', origin: 'ha-partner', maxPeriodS: 60 });
    const effects = d.heartbeatSucceeds(normalState(d.config));
    expect(d.state).toBe('load-balancing');
    expect(ofType(effects, 'dhcp-service.set')).toHaveLength(0);
    expect(ofType(d.advance(60_000), 'dhcp-service.set')).toEqual([{ type: 'dhcp-service.set', enabled: true }]);
  });
});
