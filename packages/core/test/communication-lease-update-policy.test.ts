import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { STATE_LABELS, type StateLabel } from '../src/config/types.js';
import { leaseUpdateDecision, leaseUpdatePeers, type LeaseUpdateDecision } from '../src/communication/lease-update-policy.js';
import { haConfig, peer } from './scopes-communication.fixture.js';

type Row = readonly [StateLabel, LeaseUpdateDecision, LeaseUpdateDecision];

// §10.2/§10.3 for an active LB server: [my state, to the partner, to a backup].
const LOAD_BALANCING: readonly Row[] = [
  ['communication-recovery', 'queue', 'send'],
  ['load-balancing', 'send-and-wait', 'send'],
  ['in-maintenance', 'skip-unsent', 'send'],
  ['partner-down', 'skip-unsent', 'send'],
  ['partner-in-maintenance', 'send-and-wait', 'send'],
  ['ready', 'skip-unsent', 'send'],
  ['syncing', 'skip-unsent', 'send'],
  ['terminated', 'skip-unsent', 'send'],
  ['waiting', 'skip-unsent', 'send'],
];

// Same for either hot-standby server (LU-14).
const HOT_STANDBY: readonly Row[] = [
  ['hot-standby', 'send-and-wait', 'send'],
  ['in-maintenance', 'skip-unsent', 'send'],
  ['partner-down', 'skip-unsent', 'send'],
  ['partner-in-maintenance', 'send-and-wait', 'send'],
  ['ready', 'skip-unsent', 'send'],
  ['syncing', 'skip-unsent', 'send'],
  ['terminated', 'skip-unsent', 'send'],
  ['waiting', 'skip-unsent', 'send'],
];

describe('per-peer lease update decision (§10.2)', () => {
  it.each(LOAD_BALANCING)('LU-10/LU-13 LB primary in %s: partner %s, backup %s', (state, toPartner, toBackup) => {
    const config = haConfig();
    expect(leaseUpdateDecision(config, state, peer(config, 'server2'))).toBe(toPartner);
    expect(leaseUpdateDecision(config, state, peer(config, 'server3'))).toBe(toBackup);
  });

  it.each(LOAD_BALANCING)('LU-10/LU-13 LB secondary in %s: partner %s, backup %s', (state, toPartner, toBackup) => {
    const config = haConfig({ thisServerName: 'server2' });
    expect(leaseUpdateDecision(config, state, peer(config, 'server1'))).toBe(toPartner);
    expect(leaseUpdateDecision(config, state, peer(config, 'server3'))).toBe(toBackup);
  });

  it('LU-11 the backup is updated while this server is in partner-down', () => {
    const config = haConfig();
    expect(leaseUpdateDecision(config, 'partner-down', peer(config, 'server3'))).toBe('send');
  });

  it('LU-12 with send-lease-updates off nothing is sent, queued or counted, in any state', () => {
    const config = haConfig({ overrides: { sendLeaseUpdates: false } });
    for (const state of STATE_LABELS) {
      expect(leaseUpdateDecision(config, state, peer(config, 'server2'))).toBe('skip');
      expect(leaseUpdateDecision(config, state, peer(config, 'server3'))).toBe('skip');
    }
  });

  it('LU-13 only the partner is queued in communication-recovery, never a backup', () => {
    const config = haConfig();
    const queued = STATE_LABELS.flatMap((state) =>
      config.peers
        .filter((p) => p.name !== config.thisServerName)
        .filter((p) => leaseUpdateDecision(config, state, p) === 'queue')
        .map((p) => `${state}->${p.name}`),
    );
    expect(queued).toEqual(['communication-recovery->server2']);
  });

  it.each(HOT_STANDBY)('LU-14 HS primary in %s: standby %s, backup %s', (state, toPartner, toBackup) => {
    const config = haConfig({ mode: 'hot-standby' });
    expect(leaseUpdateDecision(config, state, peer(config, 'server2'))).toBe(toPartner);
    expect(leaseUpdateDecision(config, state, peer(config, 'server3'))).toBe(toBackup);
  });

  it.each(HOT_STANDBY)('LU-14 HS standby in %s: primary %s, backup %s', (state, toPartner, toBackup) => {
    const config = haConfig({ mode: 'hot-standby', thisServerName: 'server2' });
    expect(leaseUpdateDecision(config, state, peer(config, 'server1'))).toBe(toPartner);
    expect(leaseUpdateDecision(config, state, peer(config, 'server3'))).toBe(toBackup);
  });

  it('LU-15 a backup server never sends to active servers, and counts the batch as unsent (§10.2 step 3)', () => {
    const config = haConfig({
      thisServerName: 'server3',
      peers: [
        { name: 'server1', role: 'primary' },
        { name: 'server2', role: 'secondary' },
        { name: 'server3', role: 'backup' },
        { name: 'server4', role: 'backup' },
      ],
    });
    for (const state of ['backup', 'waiting'] as const) {
      expect(leaseUpdateDecision(config, state, peer(config, 'server1'))).toBe('skip-unsent');
      expect(leaseUpdateDecision(config, state, peer(config, 'server2'))).toBe('skip-unsent');
      // Backups are updated by anyone that allocates, a backup included.
      expect(leaseUpdateDecision(config, state, peer(config, 'server4'))).toBe('send');
    }
  });

  it('LU-16 the PB primary sends to its backups even while waiting', () => {
    const config = haConfig({ mode: 'passive-backup' });
    for (const state of ['waiting', 'passive-backup'] as const) {
      expect(leaseUpdateDecision(config, state, peer(config, 'server2'))).toBe('send');
      expect(leaseUpdateDecision(config, state, peer(config, 'server3'))).toBe('send');
    }
  });

  it('LU-16 with wait-backup-ack the PB primary holds the answer for every backup', () => {
    const config = haConfig({ mode: 'passive-backup', overrides: { waitBackupAck: true } });
    expect(leaseUpdateDecision(config, 'passive-backup', peer(config, 'server2'))).toBe('send-and-wait');
    expect(leaseUpdateDecision(config, 'passive-backup', peer(config, 'server3'))).toBe('send-and-wait');
  });

  it('lease updates are considered for every peer but this server, which is refused', () => {
    const config = haConfig();
    expect(leaseUpdatePeers(config).map((p) => p.name)).toEqual(['server2', 'server3']);
    expect(() => leaseUpdateDecision(config, 'load-balancing', config.thisServer)).toThrow(/this server itself \('server1'\)/);
  });

  test.prop([
    fc.constantFrom('load-balancing', 'hot-standby', 'passive-backup' as const),
    fc.constantFrom(...STATE_LABELS),
    fc.boolean(),
    fc.boolean(),
  ])('a backup peer is always sent to (or skipped with updates off), never queued or counted', (mode, state, send, wait) => {
    const config = haConfig({ mode, overrides: { sendLeaseUpdates: send, waitBackupAck: wait && mode === 'passive-backup' } });
    const decision = leaseUpdateDecision(config, state, peer(config, 'server3'));
    expect(decision).toBe(!send ? 'skip' : wait && mode === 'passive-backup' ? 'send-and-wait' : 'send');
  });

  test.prop([fc.constantFrom(...STATE_LABELS)])('an active partner is awaited whenever it is sent to', (state) => {
    const config = haConfig();
    const decision = leaseUpdateDecision(config, state, peer(config, 'server2'));
    expect(decision).not.toBe('send');
    expect(decision).not.toBe('skip');
  });
});
