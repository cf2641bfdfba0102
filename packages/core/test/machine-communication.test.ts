/**
 * The communication state of spec §6 as the machine keeps it: partner state and scopes from
 * heartbeats (CS-01, CS-02), "communication interrupted" (CS-03, §6.3), a successful contact
 * resetting the failure-detection counters and re-arming the timer (CS-04), the heartbeat timer
 * itself (CS-05, HB-02), and the syncing state with an available partner (SY-13).
 */
import { describe, expect, it } from 'vitest';
import { isCommunicationInterrupted } from '../src/machine/facts.js';
import { STATE_LABELS } from '../src/config/types.js';
import { parseHeartbeatAnswer } from '../src/wire/heartbeat.js';
import { HaDriver, ofType } from './support/ha-driver.js';
import { lbPrimary, hsStandby } from './support/kea-config.js';
import { reach } from './support/reach.js';

describe('communication state (§6)', () => {
  it('CS-01 every state label a heartbeat reports becomes the partner state; an unknown label is a heartbeat failure', () => {
    for (const label of [...STATE_LABELS, 'unavailable'] as const) {
      const d = new HaDriver(lbPrimary({ pause: { waiting: 'always' } }));
      d.heartbeatSucceeds(label);
      expect(d.context.partner.state).toBe(label);
    }
    const answer = [{ result: 0, text: 'HA peer status returned.', arguments: { state: 'dancing', 'date-time': 'Sun, 22 Nov 2026 00:10:54 GMT' } }];
    expect(parseHeartbeatAnswer(answer).ok).toBe(false);
  });

  it('CS-02 the partner scopes of a heartbeat are stored; an answer without scopes keeps the last ones', () => {
    const d = new HaDriver(lbPrimary({ pause: { waiting: 'always' } }));
    d.heartbeatSucceeds('load-balancing', { scopes: ['server2'] });
    expect(d.context.partner.scopes).toEqual(['server2']);
    d.heartbeatSucceeds('load-balancing');
    expect(d.context.partner.scopes).toEqual(['server2']);
    d.heartbeatSucceeds('partner-down', { scopes: ['server1', 'server2'] });
    expect(d.context.partner.scopes).toEqual(['server1', 'server2']);
  });

  it('CS-03 a fresh server is not interrupted, and becomes so only strictly after max-response-delay from start-up', () => {
    const config = lbPrimary({ parameters: { 'heartbeat-delay': 0, 'max-response-delay': 3000 } });
    const d = new HaDriver(config);
    expect(isCommunicationInterrupted(d.context, d.nowMs)).toBe(false);
    expect(isCommunicationInterrupted(d.context, d.nowMs + 3000)).toBe(false);
    expect(isCommunicationInterrupted(d.context, d.nowMs + 3001)).toBe(true);
  });

  it('CS-04 a successful heartbeat refreshes the contact time, clears the unacked clients and re-arms the timer', () => {
    const d = reach(hsStandby(), 'hot-standby');
    d.heartbeatFailsInterrupted({ unackedClients: 3 });
    expect(d.context.unacked.unackedClients).toBe(3);
    expect(d.state).toBe('hot-standby');
    d.heartbeatSucceeds('hot-standby');
    expect(d.context.unacked.unackedClients).toBe(0);
    expect(d.context.unacked.connectingClients).toBe(0);
    expect(d.context.partner.lastContactMs).toBe(d.nowMs);
    expect(isCommunicationInterrupted(d.context)).toBe(false);
    expect(d.heartbeatPhase).toBe('scheduled');
  });

  it('CS-05 heartbeat-delay 0 never arms the timer: no heartbeat is ever sent', () => {
    const d = new HaDriver(lbPrimary({ parameters: { 'heartbeat-delay': 0 } }));
    expect(d.heartbeatPhase).toBe('off');
    expect(ofType(d.advance(3_600_000), 'heartbeat.send')).toHaveLength(0);
  });

  it('HB-02 with heartbeat-delay 6000 the next heartbeat leaves 6 s after the previous one completed, in load-balancing', () => {
    const d = reach(lbPrimary({ parameters: { 'heartbeat-delay': 6000 } }), 'load-balancing');
    d.heartbeatSucceeds('load-balancing');
    expect(ofType(d.advance(5999), 'heartbeat.send')).toHaveLength(0);
    expect(ofType(d.advance(1), 'heartbeat.send')).toEqual([{ type: 'heartbeat.send', peer: 'server2' }]);
  });

  it('SY-13 syncing with an available partner runs the sync (heartbeat paused), and success leads to ready', () => {
    const d = new HaDriver(lbPrimary());
    const effects = d.heartbeatSucceeds('waiting');
    expect(d.state).toBe('syncing');
    expect(ofType(effects, 'sync.start')).toEqual([{ type: 'sync.start', peer: 'server2', maxPeriodS: 60, pageLimit: 10000, timeoutMs: 60000 }]);
    expect(d.heartbeatPhase).toBe('off');
    d.syncSucceeds(3);
    expect(d.state).toBe('ready');
    expect(d.heartbeatPhase).toBe('scheduled');
  });
});
