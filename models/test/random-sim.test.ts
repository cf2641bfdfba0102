import { describe, expect, it } from 'vitest';
import { describeRun, faultModel, FAULT_MODELS, replayCommand, runRandom } from '../src/random-sim.js';

/** A few simulated hours of random faults in CI; `npm run models` runs days of them. */
describe('seeded random simulation with every fault type', () => {
  for (const model of FAULT_MODELS) {
    const name = model.name;
    it(`${name}: ${model.description} — the ${model.holds.length} invariants of this fault model hold for a simulated hour`, () => {
      const result = runRandom({ seed: 11, model, durationMs: 3_600_000 });
      const first = result.violations[0];
      expect(
        result.violations.length,
        first === undefined ? '' : `${first.invariant} at t=${(first.atMs / 1000).toFixed(3)}: ${first.detail}\n${describeRun(result)}\nreplay: ${replayCommand(result)}`,
      ).toBe(0);
      expect(result.faults).toBeGreaterThan(10);
    });
  }

  it('the same seed replays the same run: faults, steps and violations', () => {
    const model = faultModel('all');
    const a = runRandom({ seed: 5, model, durationMs: 20 * 60_000, check: new Set(['I1-no-double-lease']) });
    const b = runRandom({ seed: 5, model, durationMs: 20 * 60_000, check: new Set(['I1-no-double-lease']) });
    expect(b).toEqual(a);
  });
});
