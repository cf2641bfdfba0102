/**
 * Steps the real `haMachine` (or a `.provide()`d variant of it) as pure logic: a snapshot and an
 * event in, the next snapshot plus the machine's effects and timer requests out. Nothing runs.
 *
 * Why not `createActor(haMachine, { clock: new SimulatedClock() })` per peer: an actor's
 * timers are closures inside its clock, so an actor cannot be copied. The exploration branches
 * a cluster thousands of times per second, so each peer keeps its machine as a snapshot (shared
 * by copies, never mutated) and the machine's delayed events as plain data in a timer table
 * (`timers.ts`), with SimulatedClock's firing rule. test/machine-host.test.ts checks that this
 * host and an actor on a SimulatedClock go through the same states and effects.
 *
 * Why not xstate's `transition()`: it builds a throw-away actor per call, and that actor runs the
 * machine's context factory without input — an exception per step. One inert scope per logic,
 * reused, makes a step five times cheaper.
 */
import { createActor, type AnyActorScope, type ExecutableActionObject, type SnapshotFrom } from 'xstate';
import { haMachine, type HaConfig, type HaEffect, type HaEvent, type KeaCompat } from '@tandem/core';
import { EPOCH_MS } from './clock.js';

/** The real machine or a variant made with `haMachine.provide(...)` (broken variants, §variants.ts). */
export type HaLogic = typeof haMachine;
export type HaSnapshot = SnapshotFrom<HaLogic>;

/** What the machine asks of its clock: deliver `event` after `delayMs`, or forget timer `id`. */
export type TimerRequest =
  | { readonly kind: 'schedule'; readonly id: string; readonly delayMs: number; readonly event: { readonly type: string } }
  | { readonly kind: 'cancel'; readonly id: string };

export interface MachineStep {
  readonly snapshot: HaSnapshot;
  readonly effects: readonly HaEffect[];
  readonly timers: readonly TimerRequest[];
}

/** Events a peer may hand its machine: caller events, or a delayed event the machine scheduled. */
export type MachineInput = HaEvent | { readonly type: string };

const hosts = new WeakMap<HaLogic, MachineHost>();

export class MachineHost {
  private readonly scope: AnyActorScope;
  private collected: ExecutableActionObject[] = [];

  private constructor(readonly logic: HaLogic, config: HaConfig) {
    // The scope's actor is never started: it only lends the machine a `self` and a system.
    const self = createActor(logic, { input: { config, nowMs: EPOCH_MS } });
    this.scope = {
      self,
      id: '',
      sessionId: '',
      logger: () => undefined,
      defer: () => undefined,
      emit: () => undefined,
      system: self.system,
      stopChild: () => undefined,
      actionExecutor: (action) => {
        this.collected.push(action);
      },
    };
  }

  /** One host per logic; the config only builds the inert scope, snapshots carry their own. */
  static for(logic: HaLogic, config: HaConfig): MachineHost {
    let host = hosts.get(logic);
    if (host === undefined) {
      host = new MachineHost(logic, config);
      hosts.set(logic, host);
    }
    return host;
  }

  start(config: HaConfig, nowMs: number, compat: KeaCompat): MachineStep {
    this.collected = [];
    const snapshot = this.logic.getInitialSnapshot(this.scope, { config, nowMs, compat });
    return this.finish(snapshot);
  }

  send(snapshot: HaSnapshot, event: MachineInput): MachineStep {
    this.collected = [];
    const next = this.logic.transition(snapshot, event as never, this.scope);
    return this.finish(next);
  }

  private finish(snapshot: HaSnapshot): MachineStep {
    if (snapshot.status === 'error') {
      throw new Error(`the HA machine failed: ${String((snapshot as { error?: unknown }).error)}`);
    }
    const effects: HaEffect[] = [];
    const timers: TimerRequest[] = [];
    for (const action of this.collected) {
      const params = action.params as Record<string, unknown> | undefined;
      if (action.type === 'xstate.emit' && params !== undefined) {
        effects.push(params.event as HaEffect);
      } else if (action.type === 'xstate.raise' && params !== undefined && typeof params.delay === 'number') {
        // Raises without a delay were already processed inside the macrostep.
        timers.push({ kind: 'schedule', id: String(params.id), delayMs: params.delay, event: params.event as { type: string } });
      } else if (action.type === 'xstate.cancel' && params !== undefined) {
        timers.push({ kind: 'cancel', id: String(params.sendId) });
      }
    }
    this.collected = [];
    return { snapshot, effects, timers };
  }
}
