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
    // The CLI bundles @tandem/core (resolved to its sources through the root tsconfig paths), so
    // `tandemctl` runs whatever order the workspaces were built in.
    entry: { tandemctl: 'src/tandemctl.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    noExternal: [/^@tandem\//],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
