/**
 * A peer's machine timers as data: the delayed events the machine scheduled, each due at a
 * global time. Same firing rule as XState's SimulatedClock — a timer fires once the clock has
 * advanced by at least its delay — with ties broken by the order of scheduling, so a run is
 * reproducible.
 */
import type { TimerRequest } from './machine-host.js';

export interface MachineTimer {
  readonly id: string;
  readonly dueMs: number;
  readonly event: { readonly type: string };
  /** Cluster-wide creation order: the tie-break between timers due at the same moment. */
  readonly seq: number;
}

export function applyTimerRequests(
  timers: readonly MachineTimer[],
  requests: readonly TimerRequest[],
  nowMs: number,
  nextSeq: () => number,
): readonly MachineTimer[] {
  let result = timers;
  for (const request of requests) {
    // Scheduling an id that is already pending replaces it, as re-entering a state does.
    result = result.filter((timer) => timer.id !== request.id);
    if (request.kind === 'schedule') {
      result = [...result, { id: request.id, dueMs: nowMs + Math.max(0, request.delayMs), event: request.event, seq: nextSeq() }];
    }
  }
  return result;
}

export function earliestTimer(timers: readonly MachineTimer[]): MachineTimer | undefined {
  let best: MachineTimer | undefined;
  for (const timer of timers) {
    if (best === undefined || timer.dueMs < best.dueMs || (timer.dueMs === best.dueMs && timer.seq < best.seq)) best = timer;
  }
  return best;
}

/** `xstate.after.heartbeatDelay.tandem.heartbeat.scheduled` → `heartbeatDelay`, for traces and hashing. */
export const timerName = (id: string): string => /^xstate\.after\.([^.]+)\./.exec(id)?.[1] ?? id;
