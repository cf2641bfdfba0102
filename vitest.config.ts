import { defineConfig, type UserWorkspaceConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources of every workspace package so a change is
// tested without a rebuild; tests that start real daemons use the built dist/ instead.
const alias = {
  '@tandem/core': src('./packages/core/src/index.ts'),
  '@tandem/dhcp4': src('./packages/dhcp4/src/index.ts'),
  '@tandem/leases': src('./packages/leases/src/index.ts'),
  '@tandem/control': src('./packages/control/src/index.ts'),
  '@tandem/server': src('./packages/server/src/index.ts'),
  '@tandem/models': src('./models/src/index.ts'),
};

const unit: UserWorkspaceConfig = {
  resolve: { alias },
  test: {
    name: 'unit',
    include: ['packages/*/test/**/*.test.ts', 'models/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { groupOrder: 0 },
  },
};

// Real processes (tandemd, Kea, perfdhcp, PostgreSQL) in network namespaces: one file at a time,
// after the unit tests, so load figures and timeouts are not skewed by the parallel unit run.
const processes: UserWorkspaceConfig = {
  resolve: { alias },
  test: {
    name: 'processes',
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    sequence: { groupOrder: 1 },
  },
};

export default defineConfig({
  test: {
    projects: [unit, processes],
  },
});
