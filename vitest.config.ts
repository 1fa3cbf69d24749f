import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The integration tests (and the worker's) run the built `baton` command.
    globalSetup: ['test/support/build-cli.global.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
          // Deadlines, not a pace: a test that spawns `baton` or writes MiBs takes seconds on a loaded machine.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          // The charts load with their modules on first use; loaded before each file, they render at once.
          setupFiles: ['test/renderer/setup-charts.ts'],
          sequence: { groupOrder: 0 },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // Each test spawns the real claude CLI; two cores do not gain from more at once.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
