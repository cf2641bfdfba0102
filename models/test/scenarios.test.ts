import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderScenario, runScenario } from '../src/scenario.js';

const folder = fileURLToPath(new URL('../scenarios/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

/** The first comment line names the lifecycle and the spec section the script follows. */
const title = (text: string): string => (/^# (.*)$/m.exec(text)?.[1] ?? '').replace(/:.*$/, '');

describe('golden lifecycle scripts (models/scenarios/*.txt; UPDATE_GOLDEN=1 rewrites the traces)', () => {
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.txt')).sort()) {
    const path = `${folder}${file}`;
    const text = readFileSync(path, 'utf8');
    it(`${file}: ${title(text)}`, () => {
      const result = runScenario(text);
      const rendered = renderScenario(result);
      if (update) writeFileSync(path, rendered);
      else expect(rendered).toBe(text);
      expect(result.errors).toEqual([]);
    });
  }
});
