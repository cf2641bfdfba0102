import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { haMachine } from '../src/machine/machine.js';
import type { HaEffect } from '../src/machine/effects.js';
import { handConfig } from './support/hand-config.js';

const T0 = Date.UTC(2026, 10, 22, 0, 0, 0);

describe('machine smoke', () => {
  it('primary in waiting syncs when partner waits, then ready, then load-balancing', () => {
    const config = handConfig({ mode: 'load-balancing', thisServer: 'server1', peers: [{ name: 'server1', role: 'primary' }, { name: 'server2', role: 'secondary' }] });
    const clock = new SimulatedClock();
    const actor = createActor(haMachine, { input: { config, nowMs: T0 }, clock });
    const effects: HaEffect[] = [];
    actor.on('*', (e) => effects.push(e as HaEffect));
    actor.start();
    expect(actor.getSnapshot().context.state).toBe('waiting');
    clock.increment(10_000);
    expect(effects.some((e) => e.type === 'heartbeat.send')).toBe(true);
    actor.send({ type: 'heartbeat.succeeded', nowMs: T0 + 10_000, partner: { state: 'waiting', dateTimeS: (T0 + 10_000) / 1000 } });
    expect(actor.getSnapshot().context.state).toBe('syncing');
    expect(effects.some((e) => e.type === 'sync.start')).toBe(true);
    actor.send({ type: 'sync.succeeded', nowMs: T0 + 11_000, leases: 0 });
    expect(actor.getSnapshot().context.state).toBe('ready');
    clock.increment(10_000);
    actor.send({ type: 'heartbeat.succeeded', nowMs: T0 + 21_000, partner: { state: 'ready', dateTimeS: (T0 + 21_000) / 1000 } });
    expect(actor.getSnapshot().context.state).toBe('load-balancing');
    expect(actor.getSnapshot().context.servedScopes).toEqual(['server1']);
    expect(actor.getSnapshot().context.dhcpEnabled).toBe(true);
  });
});
