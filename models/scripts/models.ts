/**
 * `npm run models -w @tandem/models`: the long versions of the model's checks, with figures.
 *
 *   node models/dist/scripts/models.js [all]                 explorations + random simulation
 *   node models/dist/scripts/models.js explore [--config <name>] [--minutes <m>]
 *   node models/dist/scripts/models.js simulate [--model <name>] [--hours <h>] [--seeds <n>] [--first-seed <s>]
 *   node models/dist/scripts/models.js replay --model <name> --seed <n> [--duration <d>] [--from <t>] [--all]
 *
 * Exit status 1 when an invariant that should hold under a fault model was violated, or an
 * exploration meant to find a protocol finding did not find it.
 */
import { explore, replayCounterexample, type ExploreResult } from '../src/explore.js';
import { EXPLORE_CONFIGS, exploreConfig, type ExploreConfig } from '../src/explore-configs.js';
import { parseDuration } from '../src/duration.js';
import { FAULT_MODELS, faultModel, describeRun, replayCommand, runRandom, type FaultModel } from '../src/random-sim.js';
import { INVARIANTS, type InvariantId } from '../src/invariants.js';
import { Trace, formatLine, type TraceCategory } from '../src/trace.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const command = args[0] !== undefined && !args[0].startsWith('--') ? args[0] : 'all';
let failed = false;

function runExploration(config: ExploreConfig, minutes: number): ExploreResult {
  const result = explore({ ...config.options, maxDepth: Number(flag('--depth') ?? 1000), timeLimitMs: minutes * 60_000, stopAtFirstViolation: config.expects !== undefined });
  const rate = Math.round(result.states / Math.max(1, result.elapsedMs / 1000));
  console.log(
    `explore ${config.name}: ${result.states} states, ${result.transitions} transitions, depth ${result.depth} (complete), ` +
      `${(result.elapsedMs / 1000).toFixed(0)} s, ${rate} states/s, stopped by ${result.stoppedBy}`,
  );
  console.log(`  ${config.description}`);
  for (const [invariant, example] of result.counterexamples) {
    const expected = config.expects === invariant;
    if (!expected) failed = true;
    console.log(`  ${expected ? 'finding' : 'VIOLATION'} ${invariant}: minimal trace of ${example.actions.length} actions`);
    console.log(replayCounterexample(config.options, example, new Set<TraceCategory>(['state', 'fault', 'net', 'dhcp', 'check'])));
  }
  if (config.expects !== undefined && !result.counterexamples.has(config.expects)) {
    failed = true;
    console.log(`  expected to find ${config.expects} and did not`);
  }
  return result;
}

function runSimulations(models: readonly FaultModel[], hours: number, seeds: number, firstSeed: number): void {
  let simulatedMs = 0;
  let steps = 0;
  let slowest = 0;
  let bound = 0;
  const started = Date.now();
  for (const model of models) {
    const findings = new Map<InvariantId, number>();
    let violations = 0;
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
      const result = runRandom({ seed, model, durationMs: hours * 3_600_000, check: new Set(INVARIANTS) });
      simulatedMs += result.simulatedMs;
      steps += result.steps;
      slowest = Math.max(slowest, result.maxConvergenceMs);
      bound = result.livenessBoundMs;
      const broken = result.violations.filter((v) => model.holds.includes(v.invariant));
      for (const v of result.violations) if (!model.holds.includes(v.invariant)) findings.set(v.invariant, (findings.get(v.invariant) ?? 0) + 1);
      violations += broken.length;
      if (broken.length > 0) {
        failed = true;
        const first = broken[0]!;
        console.log(`  VIOLATION ${first.invariant} at t=${(first.atMs / 1000).toFixed(3)}: ${first.detail}`);
        console.log(`  ${describeRun(result)}`);
        console.log(`  replay: ${replayCommand(result)}`);
      }
    }
    const found = [...findings].map(([id, n]) => `${id} ×${n}`).join(', ');
    console.log(
      `simulate ${model.name}: ${seeds} seeds × ${hours} h, ${violations} violation(s) of the ${model.holds.length} invariants that hold under it` +
        `${found === '' ? '' : `; protocol findings (expected outside the model): ${found}`}`,
    );
    console.log(`  ${model.description}`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`simulated ${(simulatedMs / 3_600_000).toFixed(1)} h in ${seconds.toFixed(0)} s (${steps} steps, ${Math.round(steps / seconds)} steps/s)`);
  console.log(`slowest return to the normal states after faults stopped: ${(slowest / 1000).toFixed(1)} s (invariant 7's bound ${(bound / 1000).toFixed(1)} s)`);
}

function replay(): void {
  const model = faultModel(flag('--model') ?? 'crash');
  const seed = Number(flag('--seed') ?? NaN);
  if (!Number.isInteger(seed)) throw new Error('replay needs --seed <n>');
  const durationMs = parseDuration(flag('--duration') ?? '60m');
  const fromMs = parseDuration(flag('--from') ?? '0s');
  const categories = new Set<TraceCategory>(args.includes('--all') ? ['state', 'fault', 'net', 'dhcp', 'peer', 'log', 'check'] : ['state', 'fault', 'check']);
  const trace = new Trace(categories, (line) => {
    if (line.atMs >= fromMs) console.log(formatLine(line));
  });
  const result = runRandom({ seed, model, durationMs, check: new Set(INVARIANTS), trace });
  console.log(describeRun(result));
}

switch (command) {
  case 'explore': {
    const minutes = Number(flag('--minutes') ?? 10);
    const configs = flag('--config') === undefined ? EXPLORE_CONFIGS : [exploreConfig(flag('--config') as string)];
    for (const config of configs) runExploration(config, minutes);
    break;
  }
  case 'simulate': {
    const models = flag('--model') === undefined ? FAULT_MODELS : [faultModel(flag('--model') as string)];
    runSimulations(models, Number(flag('--hours') ?? 4), Number(flag('--seeds') ?? 6), Number(flag('--first-seed') ?? 1));
    break;
  }
  case 'replay':
    replay();
    break;
  case 'all': {
    const minutes = Number(flag('--minutes') ?? 10);
    console.log(`== exploration (each up to ${minutes} min; the findings stop at their first counterexample)`);
    for (const config of EXPLORE_CONFIGS) runExploration(config, config.name === 'steady-lb' ? minutes : Math.max(1, minutes / 2));
    console.log(`== random simulation`);
    runSimulations(FAULT_MODELS, Number(flag('--hours') ?? 4), Number(flag('--seeds') ?? 6), 1);
    break;
  }
  default:
    console.error(`unknown command '${command}': all, explore, simulate or replay`);
    process.exit(2);
}
console.log(failed ? 'result: VIOLATIONS FOUND' : 'result: no violation of an invariant within its fault model');
process.exit(failed ? 1 : 0);

