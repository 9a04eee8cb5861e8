// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const EFFECT_PACKAGES = ['rxjs', 'rxjs/*', 'kafkajs', 'postgres', 'prom-client', 'ws', 'pino', 'node:http', 'node:net'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.services/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      curly: ['error', 'multi-line'],
      eqeqeq: 'error',
      'no-console': 'error',
    },
  },
  {
    // The pure core: no I/O, no clocks, no Kafka, SQL or HTTP (effects live in the edges).
    files: ['strategies/**/*.ts', 'examples/strategies/**/*.ts', 'wire/**/*.ts', 'producer/feed/**/*.ts', 'producer/coinbase/**/*.ts', 'config/**/*.ts', 'metrics/statistics/**/*.ts', 'engine/core/**/*.ts', 'backfill/core/**/*.ts', 'simulator/CoinbaseSimulator.ts', 'simulator/simulatedTimeUs.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: EFFECT_PACKAGES.filter((p) => !p.includes('*')).map((name) => ({ name, message: 'The pure core does no I/O; do it in an edge module.' })),
        patterns: [{ group: ['rxjs/*'], message: 'The pure core does no I/O.' }],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'The core computes in event time; pass times in.' },
        { object: 'process', property: 'env', message: 'Read configuration through config/parseConfig at the edge.' }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval'],
    },
  },
  {
    // Scripts and tests print to the console by design.
    files: ['scripts/**/*.ts', 'bench/**/*.ts', '**/*.test.ts', 'testing/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
