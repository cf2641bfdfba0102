/**
 * Simulated time. The cluster keeps one global, monotonic time (`globalMs`, from 0 at the
 * start of a run); every peer reads it through its own clock:
 *
 * - the machine's named delays (`heartbeatDelay`, `remoteDisableMaxPeriod`) run on global time,
 *   as a monotonic timer in tandemd does — a wall-clock jump does not shorten a heartbeat;
 * - the peer's wall clock is `EPOCH_MS + globalMs + skewMs`: what it writes into heartbeat
 *   `date-time` answers and lease `cltt`s, and what it compares lease expiry against;
 * - `nowMs` handed to the machine is that wall clock, clamped so it never goes backwards
 *   (caller contract rule 5: a backward jump holds the machine's time still until the wall
 *   clock catches up, which is what tandemd must do with Date.now()).
 */

/** 2026-01-01T00:00:00Z: every run starts here, so traces and cltt values are reproducible. */
export const EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

export interface PeerClock {
  /** Wall clock minus true time. Changed by clock jumps. */
  readonly skewMs: number;
  /** The last `nowMs` given to the machine. */
  readonly lastNowMs: number;
}

export const freshClock = (skewMs = 0): PeerClock => ({ skewMs, lastNowMs: EPOCH_MS + skewMs });

/** What the peer's wall clock shows at `globalMs` (may go backwards after a jump). */
export const wallMs = (clock: PeerClock, globalMs: number): number => EPOCH_MS + globalMs + clock.skewMs;

/** The machine's `nowMs` at `globalMs` and the clock that remembers it. */
export function machineNow(clock: PeerClock, globalMs: number): { readonly nowMs: number; readonly clock: PeerClock } {
  const nowMs = Math.max(clock.lastNowMs, wallMs(clock, globalMs));
  return { nowMs, clock: nowMs === clock.lastNowMs ? clock : { ...clock, lastNowMs: nowMs } };
}

/** A step of the wall clock by `deltaMs` (negative: backwards), as NTP or an operator would make. */
export const jumpClock = (clock: PeerClock, deltaMs: number): PeerClock => ({ ...clock, skewMs: clock.skewMs + deltaMs });

/** `t=12.345`: seconds since the start of the run, millisecond resolution. */
export const formatGlobal = (globalMs: number): string => `t=${(globalMs / 1000).toFixed(3)}`;
