import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { haMachine, type HaEffect, type HaEvent } from '@tandem/core';
import { haConfigFor, loadBalancingPair } from '../src/cluster-spec.js';
import { EPOCH_MS } from '../src/clock.js';
import { MachineHost } from '../src/machine-host.js';
import { applyTimerRequests, earliestTimer, type MachineTimer } from '../src/timers.js';

/** A script both drivers run: wait some milliseconds, or feed an event made at the current time. */
type Step = { readonly waitMs: number } | { readonly event: (nowMs: number) => HaEvent };

const s = (ms: number): number => Math.floor((EPOCH_MS + ms) / 1000);
const script: readonly Step[] = [
  { waitMs: 10_000 },
  { event: (nowMs) => ({ type: 'heartbeat.succeeded', nowMs, partner: { state: 'waiting', dateTimeS: s(10_000) } }) },
  { waitMs: 50 },
  { event: (nowMs) => ({ type: 'sync.succeeded', nowMs, leases: 0 }) },
  { waitMs: 10_000 },
  { event: (nowMs) => ({ type: 'heartbeat.succeeded', nowMs, partner: { state: 'ready', dateTimeS: s(20_050) } }) },
  { event: (nowMs) => ({ type: 'command.dhcp-disable', nowMs, requestId: 'r1', origin: 'ha-partner', maxPeriodS: 5 }) },
  { waitMs: 7_000 },
  { waitMs: 4_000 },
  { event: (nowMs) => ({ type: 'heartbeat.failed', nowMs, reason: 'Connection refused' }) },
  { waitMs: 75_000 },
  { event: (nowMs) => ({ type: 'heartbeat.failed', nowMs, reason: 'Connection refused' }) },
];

const config = haConfigFor(loadBalancingPair(), 'server1');

/** The documented way: an actor on XState's SimulatedClock. */
function viaActor(): { states: string[]; effects: string[] } {
  const clock = new SimulatedClock();
  const actor = createActor(haMachine, { input: { config, nowMs: EPOCH_MS }, clock });
  const effects: string[] = [];
  const states: string[] = [];
  actor.on('*', (effect) => effects.push(JSON.stringify(effect)));
  actor.subscribe((snapshot) => states.push(snapshot.context.state));
  actor.start();
  let now = 0;
  for (const step of script) {
    if ('waitMs' in step) {
      clock.increment(step.waitMs);
      now += step.waitMs;
    } else actor.send(step.event(EPOCH_MS + now));
  }
  return { states: dedupe(states), effects };
}

/** The model's way: snapshots stepped by the host, timers as data. */
function viaHost(): { states: string[]; effects: string[] } {
  const host = MachineHost.for(haMachine, config);
  let seq = 0;
  let now = 0;
  let timers: readonly MachineTimer[] = [];
  const effects: string[] = [];
  const states: string[] = [];
  let step = host.start(config, EPOCH_MS, '2.2');
  const absorb = (): void => {
    timers = applyTimerRequests(timers, step.timers, now, () => ++seq);
    effects.push(...step.effects.map((e: HaEffect) => JSON.stringify(e)));
    states.push(step.snapshot.context.state);
  };
  absorb();
  for (const s of script) {
    if ('waitMs' in s) {
      const until = now + s.waitMs;
      for (let due = earliestTimer(timers); due !== undefined && due.dueMs <= until; due = earliestTimer(timers)) {
        now = due.dueMs;
        timers = timers.filter((t) => t.id !== due!.id);
        step = host.send(step.snapshot, due.event);
        absorb();
      }
      now = until;
    } else {
      step = host.send(step.snapshot, s.event(EPOCH_MS + now));
      absorb();
    }
  }
  return { states: dedupe(states), effects };
}

const dedupe = (states: readonly string[]): string[] => states.filter((state, i) => i === 0 || state !== states[i - 1]);

describe('the model steps the real machine as an actor on a SimulatedClock would', () => {
  it('same states and the same effects, in the same order, through heartbeats, sync, a remote dhcp-disable timer and an outage', () => {
    const actor = viaActor();
    const host = viaHost();
    expect(host.states).toEqual(actor.states);
    // Interrupted, but in load balancing with DHCP on, partner-down also needs unacked clients (§6.5).
    expect(host.states).toEqual(['waiting', 'syncing', 'ready', 'load-balancing', 'communication-recovery']);
    expect(host.effects).toEqual(actor.effects);
    // The remote disable's max-period timer fired on its own (an effect the script did not cause directly).
    expect(host.effects.some((e) => e.includes('HA_REMOTE_DISABLE_EXPIRED'))).toBe(true);
  });
});
