import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
  },
  {
    entry: {
      'examples/docs-machine': 'examples/docs-machine.ts',
      'examples/inspect': 'examples/inspect.ts',
      'bench/core.bench': 'bench/core.bench.ts',
    },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    external: ['@statelyai/inspect'],
  },
]);
