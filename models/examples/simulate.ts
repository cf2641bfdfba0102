/**
 * `npm start`: the deterministic two-peer simulation of the cluster model.
 *
 *   node models/dist/examples/simulate.js [--mode load-balancing|hot-standby] [--seed N] [--verbose|--net|--dhcp]
 *
 * Prints the state timeline of both peers as it happens and a short summary; exits 0 when the
 * scripted scenario ends with both servers in their normal state and no invariant was violated.
 */
import { runDemo, type DemoMode } from '../src/demo.js';
import type { TraceCategory } from '../src/trace.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const mode = (argument('--mode') ?? 'load-balancing') as DemoMode;
if (mode !== 'load-balancing' && mode !== 'hot-standby') {
  console.error(`--mode must be load-balancing or hot-standby, not '${mode}'`);
  process.exit(2);
}
const seedText = argument('--seed') ?? '1';
const seed = Number(seedText);
if (!Number.isInteger(seed) || seed < 0) {
  console.error(`--seed must be a non-negative integer, not '${seedText}'`);
  process.exit(2);
}
const show = new Set<TraceCategory>(['state', 'fault', 'check']);
if (process.argv.includes('--net') || process.argv.includes('--verbose')) show.add('net');
if (process.argv.includes('--dhcp') || process.argv.includes('--verbose')) show.add('dhcp');
if (process.argv.includes('--verbose')) {
  show.add('peer');
  show.add('log');
}

const result = runDemo({ mode, seed, show, print: (line) => console.log(line) });
process.exit(result.ok ? 0 : 1);
