/**
 * Pausing the state machine (spec §4, PA-01..PA-06): the pause flag is set on entering a state
 * configured `always` (every time) or `once` (the first time); while paused the server keeps
 * the new state's entry actions, heartbeats and commands, but makes no automatic decision.
 * `ha-continue` clears the flag without running the model.
 */
import { describe, expect, it } from 'vitest';
import type { StateLabel } from '../src/config/index.js';
import { HaDriver, lease, ofType, transitionsIn } from './support/ha-driver.js';
import { lbPrimary, pbPrimary, lbBackup } from './support/kea-config.js';

const ALWAYS_PAUSED: StateLabel[] = ['load-balancing', 'partner-down', 'ready', 'syncing', 'terminated', 'waiting'];
const pauseAlways = () => lbPrimary({ pause: Object.fromEntries(ALWAYS_PAUSED.map((s) => [s, 'always'])) });

function cont(d: HaDriver, expected: 'HA state machine continues.' | 'HA state machine is not paused.') {
  const { answer, effects } = d.command({ type: 'command.ha-continue' });
  expect(answer).toEqual({ result: 0, text: expected });
  // ha-continue does not run the model (§4).
  expect(transitionsIn(effects)).toEqual([]);
  expect(d.context.paused).toBe(false);
}

/** waiting → syncing → ready → load-balancing with every state paused on entry. */
function toPausedLoadBalancing(): HaDriver {
  const d = new HaDriver(pauseAlways());
  expect(d.context.paused).toBe(true);
  expect(transitionsIn(d.heartbeatSucceeds('partner-down'))).toEqual([]);
  cont(d, 'HA state machine continues.');
  expect(transitionsIn(d.heartbeatSucceeds('partner-down'))).toEqual([['waiting', 'syncing']]);
  expect(d.context.paused).toBe(true);
  expect(ofType(d.effects, 'sync.start')).toHaveLength(0);
  cont(d, 'HA state machine continues.');
  d.heartbeatSucceeds('load-balancing');
  expect(transitionsIn(d.syncSucceeds())).toEqual([['syncing', 'ready']]);
  expect(d.context.paused).toBe(true);
  cont(d, 'HA state machine continues.');
  expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([['ready', 'load-balancing']]);
  expect(d.context.paused).toBe(true);
  return d;
}

describe('PA-01..PA-04 pause "always"', () => {
  it('PA-01 load-balancing + partner terminated while paused: stays load-balancing with heartbeats running; after ha-continue the next heartbeat → terminated', () => {
    const d = toPausedLoadBalancing();
    for (let i = 0; i < 3; i++) {
      const effects = d.heartbeatSucceeds('terminated');
      expect(ofType(effects, 'heartbeat.send')).toHaveLength(1);
      expect(transitionsIn(effects)).toEqual([]);
      expect(d.state).toBe('load-balancing');
    }
    // Entry actions were still performed on the paused entry (§4).
    expect(d.context.dhcpEnabled).toBe(true);
    expect(d.context.servedScopes).toEqual(['server1']);
    cont(d, 'HA state machine continues.');
    expect(d.state).toBe('load-balancing');
    expect(transitionsIn(d.heartbeatSucceeds('terminated'))).toEqual([['load-balancing', 'terminated']]);
    // terminated is configured "always" too.
    expect(d.context.paused).toBe(true);
  });

  it('PA-01 a paused server skips the clock-skew termination too', () => {
    const d = toPausedLoadBalancing();
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing', { skewS: 3600 }))).toEqual([]);
    cont(d, 'HA state machine continues.');
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing', { skewS: 3600 }))).toEqual([['load-balancing', 'terminated']]);
  });

  it('PA-02 partner-down + partner ready: stays while paused, after ha-continue → load-balancing', () => {
    const d = new HaDriver(pauseAlways());
    cont(d, 'HA state machine continues.');
    expect(transitionsIn(d.heartbeatFailsInterrupted())).toEqual([['waiting', 'partner-down']]);
    expect(d.context.paused).toBe(true);
    expect(transitionsIn(d.heartbeatSucceeds('ready'))).toEqual([]);
    cont(d, 'HA state machine continues.');
    expect(transitionsIn(d.heartbeatSucceeds('ready'))).toEqual([['partner-down', 'load-balancing']]);
  });

  it('PA-02 ready + partner load-balancing: stays while paused, after ha-continue → load-balancing', () => {
    const d = new HaDriver(pauseAlways());
    cont(d, 'HA state machine continues.');
    d.heartbeatSucceeds('partner-down');
    cont(d, 'HA state machine continues.');
    d.heartbeatSucceeds('partner-down');
    d.syncSucceeds();
    expect(d.state).toBe('ready');
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([]);
    cont(d, 'HA state machine continues.');
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([['ready', 'load-balancing']]);
  });

  it('PA-02 waiting + partner load-balancing: stays while paused, after ha-continue → syncing', () => {
    const d = new HaDriver(pauseAlways());
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([]);
    expect(transitionsIn(d.heartbeatFails())).toEqual([]);
    cont(d, 'HA state machine continues.');
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([['waiting', 'syncing']]);
  });

  it('PA-03 syncing paused: no synchronisation while paused; after ha-continue the next heartbeat runs it → ready', () => {
    const d = new HaDriver(lbPrimary({ pause: { syncing: 'always' } }));
    expect(transitionsIn(d.heartbeatSucceeds('ready'))).toEqual([['waiting', 'syncing']]);
    expect(d.context.paused).toBe(true);
    for (let i = 0; i < 3; i++) expect(ofType(d.heartbeatSucceeds('ready'), 'sync.start')).toHaveLength(0);
    expect(d.haNode).toBe('syncing.idle');
    cont(d, 'HA state machine continues.');
    expect(ofType(d.heartbeatSucceeds('ready'), 'sync.start')).toHaveLength(1);
    // ready + partner ready: the primary goes on to load-balancing in the same evaluation.
    expect(transitionsIn(d.syncSucceeds())).toEqual([
      ['syncing', 'ready'],
      ['ready', 'load-balancing'],
    ]);
  });

  it('PA-04 ha-continue twice: "continues", then "is not paused"', () => {
    const d = new HaDriver(pauseAlways());
    cont(d, 'HA state machine continues.');
    cont(d, 'HA state machine is not paused.');
  });

  it('PA-04 the log says when the machine pauses and resumes', () => {
    const d = new HaDriver(pauseAlways());
    expect(ofType(d.effects, 'log').map((l) => l.id)).toContain('HA_STATE_MACHINE_PAUSED');
    const { effects } = d.command({ type: 'command.ha-continue' });
    expect(ofType(effects, 'log').map((l) => l.id)).toEqual(['HA_STATE_MACHINE_CONTINUED']);
  });
});

describe('PA-05 pause "once"', () => {
  it('PA-05 waiting "once": paused at start-up; after ha-continue and a later return to waiting, not paused', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'once' } }));
    expect(d.context.paused).toBe(true);
    expect(ofType(d.effects, 'state.changed')).toEqual([]);
    cont(d, 'HA state machine continues.');
    d.heartbeatSucceeds('partner-down');
    d.syncSucceeds();
    d.heartbeatSucceeds('load-balancing');
    expect(d.state).toBe('load-balancing');
    // The partner served alone: back to waiting (§2.4), this time without a pause.
    const back = d.heartbeatSucceeds('partner-down');
    expect(transitionsIn(back)[0]).toEqual(['load-balancing', 'waiting']);
    expect(ofType(back, 'state.changed')[0]?.paused).toBe(false);
    expect(d.context.paused).toBe(false);
    expect(d.state).toBe('syncing');
  });

  it('PA-05 a state entered while already paused does not use up its "once"', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'always', 'in-maintenance': 'once' } }));
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    expect(d.state).toBe('in-maintenance');
    expect(d.context.pauseOnceUsed).toEqual([]);
    d.command({ type: 'command.ha-reset' });
    cont(d, 'HA state machine continues.');
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    expect(d.context.paused).toBe(true);
    expect(d.context.pauseOnceUsed).toEqual(['in-maintenance']);
    d.command({ type: 'command.ha-maintenance-notify', cancel: true });
    cont(d, 'HA state machine continues.');
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    expect(d.context.paused).toBe(false);
  });
});

describe('pause "never"', () => {
  it('a state configured "never" does not pause (the default for every state, §4)', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'never', syncing: 'never' } }));
    expect(d.context.paused).toBe(false);
    expect(transitionsIn(d.heartbeatSucceeds('partner-down'))).toEqual([['waiting', 'syncing']]);
    expect(d.context.paused).toBe(false);
    expect(ofType(d.effects, 'sync.start')).toHaveLength(1);
  });
});

describe('PA-06 commands still force transitions while paused', () => {
  it('PA-06 ha-reset while paused in load-balancing → waiting, still paused, and waiting makes no decision', () => {
    const d = new HaDriver(lbPrimary({ pause: { 'load-balancing': 'always' } }));
    d.heartbeatSucceeds('partner-down');
    d.syncSucceeds();
    d.heartbeatSucceeds('load-balancing');
    expect([d.state, d.context.paused]).toEqual(['load-balancing', true]);
    const { answer, effects } = d.command({ type: 'command.ha-reset' });
    expect(answer).toEqual({ result: 0, text: 'HA state machine reset.' });
    expect(transitionsIn(effects)).toEqual([['load-balancing', 'waiting']]);
    expect(ofType(effects, 'state.changed')[0]?.paused).toBe(true);
    expect(d.context.paused).toBe(true);
    // Entry actions of waiting still happen: no scopes, DHCP off.
    expect(d.context.servedScopes).toEqual([]);
    expect(d.context.dhcpEnabled).toBe(false);
    expect(transitionsIn(d.heartbeatSucceeds('load-balancing'))).toEqual([]);
  });

  it('PA-06 ha-maintenance-notify while paused → in-maintenance and cancel → back, still paused', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'always' } }));
    const notify = d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    expect(notify.answer).toEqual({ result: 0, text: 'Server is in-maintenance state.' });
    expect([d.state, d.context.paused]).toEqual(['in-maintenance', true]);
    const cancel = d.command({ type: 'command.ha-maintenance-notify', cancel: true });
    expect(cancel.answer).toEqual({ result: 0, text: 'Server maintenance canceled.' });
    expect([d.state, d.context.paused]).toEqual(['waiting', true]);
  });

  it('PA-06 ha-maintenance-start accepted while paused → partner-in-maintenance, still paused', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'always' } }));
    const start = d.command({ type: 'command.ha-maintenance-start' });
    expect(start.answer).toBeUndefined();
    const done = d.maintenanceNotifyCompleted(start.requestId, { kind: 'accepted' });
    expect(transitionsIn(done)).toEqual([['waiting', 'partner-in-maintenance']]);
    expect(d.context.paused).toBe(true);
    // partner-in-maintenance would go to partner-down on a failed heartbeat; paused, it stays.
    expect(transitionsIn(d.heartbeatFails())).toEqual([]);
  });
});

describe('§3.4 / §3.5 a paused waiting delays the backup and passive-backup moves', () => {
  it('PB primary with waiting paused stays in waiting with DHCP disabled; after ha-continue the next evaluation (a completed, awaited update to the backups) → passive-backup', () => {
    const d = new HaDriver(pbPrimary({ pause: { waiting: 'always' }, parameters: { 'wait-backup-ack': true } }));
    d.advance(600_000);
    expect([d.state, d.context.dhcpEnabled]).toEqual(['waiting', false]);
    cont(d, 'HA state machine continues.');
    expect(d.state).toBe('waiting');
    // A passive-backup primary sends to its backups in every state (LU-16) and waits for them here.
    const { queryId, effects } = d.commit([lease('192.0.2.7')]);
    expect(ofType(effects, 'lease-updates.send').map((e) => [e.peer, e.awaited])).toEqual([
      ['server2', true],
      ['server3', true],
    ]);
    d.leaseUpdatesCompleted(queryId, 'server2');
    expect(d.state).toBe('waiting');
    expect(transitionsIn(d.leaseUpdatesCompleted(queryId, 'server3'))).toEqual([['waiting', 'passive-backup']]);
  });

  it('a backup with waiting paused once stays in waiting with DHCP disabled; after ha-continue a model run (ha-reset) → backup', () => {
    const d = new HaDriver(lbBackup({ pause: { waiting: 'once' } }));
    d.advance(600_000);
    expect([d.state, d.context.dhcpEnabled]).toEqual(['waiting', false]);
    expect(ofType(d.effects, 'heartbeat.send')).toHaveLength(0);
    cont(d, 'HA state machine continues.');
    d.command({ type: 'command.ha-maintenance-notify', cancel: false });
    expect(transitionsIn(d.command({ type: 'command.ha-reset' }).effects)).toEqual([
      ['in-maintenance', 'waiting'],
      ['waiting', 'backup'],
    ]);
  });
});
