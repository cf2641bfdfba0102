/**
 * The run's trace: one line per event, `t=<seconds.millis> <subject> <what>`, e.g.
 *
 *   t=12.000 server1 waiting→syncing
 *   t=13.020 net server1→server2 ha-heartbeat lost
 *
 * Every line has a category so a reader (or a golden file) can keep only what it cares about;
 * docs/formal-model.md lists the line shapes of each category.
 */
import { formatGlobal } from './clock.js';

export type TraceCategory =
  /** HA state transitions and pauses. */
  | 'state'
  /** Crashes, restarts, partitions, clock jumps, admin commands: what the scenario or the fault plan did. */
  | 'fault'
  /** Control-channel messages between peers. */
  | 'net'
  /** DHCP traffic between clients and peers. */
  | 'dhcp'
  /** Lease store changes, scopes and DHCP service switches. */
  | 'peer'
  /** The machine's own log effects (Kea message ids). */
  | 'log'
  /** Scenario expectations and invariant verdicts. */
  | 'check';

export interface TraceLine {
  readonly atMs: number;
  readonly category: TraceCategory;
  readonly text: string;
}

export const formatLine = (line: TraceLine): string => `${formatGlobal(line.atMs)} ${line.text}`;

export const ALL_CATEGORIES: ReadonlySet<TraceCategory> = new Set(['state', 'fault', 'net', 'dhcp', 'peer', 'log', 'check']);

export class Trace {
  private readonly lines: TraceLine[] = [];

  /** `keep` bounds what is stored: exploration keeps nothing, a simulation what it prints. */
  constructor(
    private readonly keep: ReadonlySet<TraceCategory> = ALL_CATEGORIES,
    private readonly echo?: (line: TraceLine) => void,
  ) {}

  wants(category: TraceCategory): boolean {
    return this.keep.has(category);
  }

  add(atMs: number, category: TraceCategory, text: string): void {
    if (!this.keep.has(category)) return;
    const line = { atMs, category, text };
    this.lines.push(line);
    this.echo?.(line);
  }

  get all(): readonly TraceLine[] {
    return this.lines;
  }

  get size(): number {
    return this.lines.length;
  }

  render(categories: ReadonlySet<TraceCategory> = ALL_CATEGORIES): string {
    return this.lines.filter((line) => categories.has(line.category)).map(formatLine).join('\n');
  }

  /** A copy for a branch of the cluster: same lines so far, its own from here on. */
  fork(echo?: (line: TraceLine) => void): Trace {
    const copy = new Trace(this.keep, echo);
    copy.lines.push(...this.lines);
    return copy;
  }
}

/** A trace that stores nothing (exploration: the path of actions is the counterexample). */
export const silentTrace = (): Trace => new Trace(new Set());
