import { describe, expect, it } from 'vitest';
import { apply, enabledActions, explore, replayCounterexample, startState } from '../src/explore.js';
import { exploreConfig } from '../src/explore-configs.js';
import { fingerprint } from '../src/fingerprint.js';
import { silentTrace } from '../src/trace.js';
import { SHELL_VARIANTS } from '../src/variants.js';

/**
 * Bounded exhaustive exploration in CI (the long runs are `npm run models`). Time limits are
 * wall-clock: a slower machine explores fewer levels, and the depth floors below are set for that.
 */
describe('bounded breadth-first exploration of the two-peer cluster', () => {
  it('cold start under one crash and one lost control message: no safety invariant violated', () => {
    const result = explore({ ...exploreConfig('cold-start').options, maxDepth: 1000, timeLimitMs: 30_000 });
    expect([...result.counterexamples.keys()]).toEqual([]);
    expect(result.depth).toBeGreaterThanOrEqual(14);
  });

  it('load balancing under one crash, one lost message and one partition (clients reach both): no safety invariant violated', () => {
    const result = explore({ ...exploreConfig('steady-lb').options, maxDepth: 1000, timeLimitMs: 40_000 });
    expect([...result.counterexamples.keys()]).toEqual([]);
    expect(result.depth).toBeGreaterThanOrEqual(10);
  });

  it('hot standby under one crash, one lost message and one partition: no safety invariant violated', () => {
    const result = explore({ ...exploreConfig('steady-hs').options, maxDepth: 1000, timeLimitMs: 30_000 });
    expect([...result.counterexamples.keys()]).toEqual([]);
    expect(result.depth).toBeGreaterThanOrEqual(10);
  });

  it('finding: a split with max-unacked-clients=0 leases one address twice; the shortest trace has 31 actions and replays', () => {
    const config = exploreConfig('split-brain');
    const result = explore({ ...config.options, maxDepth: 40, timeLimitMs: 60_000, stopAtFirstViolation: true });
    const example = result.counterexamples.get('I1-no-double-lease');
    expect(example).toBeDefined();
    expect(example?.actions.length).toBe(31);
    const replayed = replayCounterexample(config.options, example!, new Set(['state', 'fault', 'check']));
    expect(replayed).toContain('check I1-no-double-lease violated');
    expect(replayed).toMatch(/server1 communication-recovery→partner-down/);
    expect(replayed).toMatch(/server2 communication-recovery→partner-down/);
  });

  it('the same split with max-unacked-clients=1 and one client per side: no server takes over (bounded)', () => {
    const result = explore({ ...exploreConfig('split-guarded').options, maxDepth: 1000, timeLimitMs: 15_000 });
    expect([...result.counterexamples.keys()]).toEqual([]);
    expect(result.depth).toBeGreaterThanOrEqual(15);
  });

  it('the explorer catches a broken shell too: answers sent before the partner acknowledged (invariant 6)', () => {
    const result = explore({
      ...exploreConfig('steady-lb').options,
      variant: SHELL_VARIANTS['respond-before-ack'],
      maxDepth: 20,
      timeLimitMs: 30_000,
      stopAtFirstViolation: true,
    });
    expect(result.counterexamples.get('I6-acked-lease-on-partner')?.actions.length).toBeLessThanOrEqual(10);
  });

  it('expanding a state leaves it unchanged: branches share nothing mutable', () => {
    const options = exploreConfig('steady-lb').options;
    const start = startState(options);
    const before = fingerprint(start);
    const budget = { losses: 1, crashes: 1, partitions: 1 };
    for (const action of enabledActions(start, budget, options.faults, Number.POSITIVE_INFINITY, options.maxDelayMs)) {
      const child = start.clone(silentTrace());
      apply(child, action, budget, options.faults);
      for (const next of enabledActions(child, budget, options.faults, Number.POSITIVE_INFINITY, options.maxDelayMs)) {
        apply(child.clone(silentTrace()), next, budget, options.faults);
      }
    }
    expect(fingerprint(start)).toBe(before);
  });
});
