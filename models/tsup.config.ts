import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // The two builds run side by side: each cleans only its own files.
    clean: ['index.*'],
    target: 'node20',
  },
  {
    // Runnable programs: @tandem/core is bundled from its sources, so `npm start` runs the
    // model against the core in this tree without waiting for the core's own build.
    entry: { 'examples/simulate': 'examples/simulate.ts', 'scripts/models': 'scripts/models.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: ['examples/**', 'scripts/**'],
    // One self-contained file per program: no shared chunks left behind by earlier builds.
    splitting: false,
    target: 'node20',
    noExternal: ['@tandem/core'],
    esbuildOptions(options) {
      options.alias = { '@tandem/core': '../packages/core/src/index.ts' };
    },
  },
]);
