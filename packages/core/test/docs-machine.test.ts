import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haMachine } from '../src/index.js';
import { machineToMermaid, stateMachineDoc } from '../examples/mermaid.js';

describe('docs/state-machine.md', () => {
  it('is generated from the current machine (run `npm run docs:machine` when this fails)', () => {
    const path = fileURLToPath(new URL('../../../docs/state-machine.md', import.meta.url));
    expect(readFileSync(path, 'utf8')).toBe(stateMachineDoc(haMachine));
  });

  it('draws every HA state of spec §1.2', () => {
    const diagram = machineToMermaid(haMachine);
    for (const label of ['waiting', 'syncing', 'ready', 'load-balancing', 'hot-standby', 'communication-recovery', 'partner-down', 'partner-in-maintenance', 'in-maintenance', 'terminated', 'passive-backup', 'backup']) {
      expect(diagram).toContain(`state "${label}" as`);
    }
  });
});
