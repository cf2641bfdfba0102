import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources of every workspace package so a change is
// tested without a rebuild; tests that start real daemons use the built dist/ instead.
export default defineConfig({
  resolve: {
    alias: {
      '@tandem/core': src('./packages/core/src/index.ts'),
      '@tandem/dhcp4': src('./packages/dhcp4/src/index.ts'),
      '@tandem/leases': src('./packages/leases/src/index.ts'),
      '@tandem/control': src('./packages/control/src/index.ts'),
      '@tandem/server': src('./packages/server/src/index.ts'),
      '@tandem/models': src('./models/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'models/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
