import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { haMachine } from '../src/index.js';
import { stateMachineDoc } from './mermaid.js';

// Run from the built package: packages/core/dist/examples/docs-machine.js → repo root docs/.
const target = fileURLToPath(new URL('../../../../docs/state-machine.md', import.meta.url));
writeFileSync(target, stateMachineDoc(haMachine));
console.log(`wrote ${target}`);
