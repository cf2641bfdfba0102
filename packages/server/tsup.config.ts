import { defineConfig } from 'tsup';

// Two builds run in parallel, so neither cleans dist/ (one would delete the other's output): the build
// script empties it first.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    // The daemon bundles the workspace packages it runs (resolved to their sources through the root
    // tsconfig paths), so `npx tandemd` works whatever order the workspaces were built in.
    entry: { tandemd: 'src/tandemd.ts', 'examples/start-loopback': 'examples/start-loopback.ts', 'examples/start-pair': 'examples/start-pair.ts', 'bench/dhcp-bench': 'bench/dhcp-bench.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    noExternal: [/^@tandem\//],
    banner: ({ format }) => (format === 'esm' ? { js: '#!/usr/bin/env node' } : {}),
  },
]);
