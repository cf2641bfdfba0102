import { fc, test } from '@fast-check/vitest';
import type { PostgresqlConnectionEvent, PostgresqlOnFail } from '@tandem/leases';
import { describe, expect, it } from 'vitest';
import { dbReconnectPolicy, reactToConnectionEvent, type DbReconnectPolicy } from '../src/service/db-reconnect-policy.js';
import { NetworkState, type ServiceTimers } from '../src/service/network-state.js';

const WHERE = '"kea" at 192.0.2.5:5432';
const lost: PostgresqlConnectionEvent = { kind: 'lost', error: new Error('Connection terminated unexpectedly'), maxReconnectTries: 5 };
const recovered: PostgresqlConnectionEvent = { kind: 'recovered', attempts: 2 };
const failed: PostgresqlConnectionEvent = { kind: 'failed', error: new Error('connect ECONNREFUSED 192.0.2.5:5432'), attempts: 5 };

const policy = (onFail: PostgresqlOnFail, maxReconnectTries = 5, reconnectWaitTimeMs = 1000): DbReconnectPolicy => ({ onFail, maxReconnectTries, reconnectWaitTimeMs });

const noTimers: ServiceTimers = { setTimeout: () => ({ cancel: () => undefined }) };

describe("Kea's on-fail for a lost lease database", () => {
  it("takes Kea's defaults from a parsed lease-database (stop-retry-exit, reconnecting off)", () => {
    expect(dbReconnectPolicy({ host: 'localhost', port: 5432, name: 'kea' })).toEqual({ onFail: 'stop-retry-exit', maxReconnectTries: 0, reconnectWaitTimeMs: 0 });
  });

  it('stop-retry-exit: lost disables the service, recovered enables it, failed exits', () => {
    expect(reactToConnectionEvent(policy('stop-retry-exit'), lost, WHERE)).toMatchObject({
      service: 'disable',
      exit: false,
      log: { level: 'warn', msgId: 'DHCP4_DB_RECONNECT_LOST_CONNECTION' },
    });
    expect(reactToConnectionEvent(policy('stop-retry-exit'), recovered, WHERE)).toMatchObject({
      service: 'enable',
      exit: false,
      log: { level: 'info', msgId: 'DHCP4_DB_RECONNECT_SUCCEEDED', text: `lease database ${WHERE}: connection recovered after 2 attempts` },
    });
    expect(reactToConnectionEvent(policy('stop-retry-exit'), failed, WHERE)).toMatchObject({
      service: 'unchanged',
      exit: true,
      log: { level: 'error', msgId: 'DHCP4_DB_RECONNECT_FAILED' },
    });
  });

  it('serve-retry-exit keeps serving while lost and exits on failure; serve-retry-continue never exits', () => {
    expect(reactToConnectionEvent(policy('serve-retry-exit'), lost, WHERE)).toMatchObject({ service: 'unchanged', exit: false });
    expect(reactToConnectionEvent(policy('serve-retry-exit'), failed, WHERE)).toMatchObject({ service: 'unchanged', exit: true });
    expect(reactToConnectionEvent(policy('serve-retry-continue'), lost, WHERE)).toMatchObject({ service: 'unchanged', exit: false });
    const gaveUp = reactToConnectionEvent(policy('serve-retry-continue'), failed, WHERE);
    expect(gaveUp).toMatchObject({ service: 'unchanged', exit: false });
    expect(gaveUp.log.text).toBe(
      `lease database ${WHERE}: reconnecting gave up after 5 attempts (connect ECONNREFUSED 192.0.2.5:5432): on-fail 'serve-retry-continue', still serving`,
    );
  });

  it('reconnecting is off when max-reconnect-tries or reconnect-wait-time is 0: the loss is the failure', () => {
    for (const off of [policy('stop-retry-exit', 0, 1000), policy('stop-retry-exit', 5, 0)]) {
      const reaction = reactToConnectionEvent(off, lost, WHERE);
      expect(reaction).toMatchObject({ service: 'disable', exit: true, log: { level: 'error', msgId: 'DHCP4_DB_RECONNECT_DISABLED' } });
      expect(reaction.log.text).toContain('reconnecting is disabled');
    }
    expect(reactToConnectionEvent(policy('serve-retry-exit', 0, 0), lost, WHERE)).toMatchObject({ service: 'unchanged', exit: true });
    expect(reactToConnectionEvent(policy('serve-retry-continue', 0, 0), lost, WHERE)).toMatchObject({ service: 'unchanged', exit: false });
  });

  const policies = fc.record({
    onFail: fc.constantFrom<PostgresqlOnFail>('stop-retry-exit', 'serve-retry-exit', 'serve-retry-continue'),
    maxReconnectTries: fc.nat(10),
    reconnectWaitTimeMs: fc.nat(5000),
  });
  // What the store reports: each loss followed by exactly one recovery or failure (or nothing yet).
  const episodes = fc.array(fc.constantFrom<'recovered' | 'failed' | 'open'>('recovered', 'failed', 'open'), { minLength: 1, maxLength: 8 });

  test.prop([policies, episodes])(
    'the DB-connection origin alone keeps the service off exactly while a stop-retry-exit database is lost; only an exiting on-fail ever exits',
    (p, outcomes) => {
      const state = new NetworkState(noTimers);
      for (const outcome of outcomes) {
        const events: PostgresqlConnectionEvent[] = [lost, ...(outcome === 'open' ? [] : [outcome === 'recovered' ? recovered : failed])];
        for (const event of events) {
          const reaction = reactToConnectionEvent(p, event, WHERE);
          if (reaction.service === 'disable') state.disable('db-connection');
          if (reaction.service === 'enable') state.enable('db-connection');
          if (reaction.exit) expect(p.onFail).not.toBe('serve-retry-continue');
          if (p.onFail !== 'stop-retry-exit') expect(reaction.service).toBe('unchanged');
        }
        const stillLost = outcome !== 'recovered';
        expect(state.isEnabled()).toBe(!(p.onFail === 'stop-retry-exit' && stillLost));
      }
    },
  );
});
