import { defineConfig } from 'vitest/config';

const shared = {
  setupFiles: ['test/support/setup.ts'],
  // Builds the functions' bundles once, and the folder of the suite's AWS call log.
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  // 2 cores: end-to-end suites run FFmpeg; more workers only slow them down.
  maxWorkers: 2,
  // The SDK's notice that its releases after January 2027 need Node 22 (the pinned ones run on 20).
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/iam/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // After every other test file: evaluates every AWS call the suite made against the roles.
        test: { ...shared, name: 'iam', include: ['test/iam/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
