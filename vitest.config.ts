import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    restoreMocks: true,
    tags: [
      { name: 'tulipindicators', description: 'values checked against Tulip Indicators\' published test vectors' },
      { name: 'empyrical', description: 'statistics checked against empyrical\'s formulas (batch implementations)' },
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
          sequence: { shuffle: true },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          globalSetup: ['testing/services/globalSetup.ts'],
          // One file at a time: the files share one broker and this machine has two cores.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
