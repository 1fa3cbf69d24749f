// Lint keeps the layering: only the Electron glue may import electron, the
// core knows nothing of hosts, and the renderer sees only the contract's types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronOnlyInGlue = {
  paths: [{ name: 'electron', message: 'Only src-main/electron/ may import electron.' }],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', electronOnlyInGlue],
    },
  },
  {
    files: ['src-main/core/**', 'src-main/contract/**', 'migrations/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInGlue,
          patterns: [
            { group: ['**/cli/**', '**/server/**', '**/electron/**'], message: 'The core does not know its hosts.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInGlue,
          patterns: [
            { group: ['**/core/**', 'node:*', 'typeorm'], message: 'The contract is declarations and zod only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInGlue,
          patterns: [
            {
              group: ['**/src-main/*/**', '!**/src-main/contract/**'],
              message: 'The renderer talks to main only through the contract.',
            },
            {
              group: ['**/src-main/contract/**'],
              allowTypeImports: true,
              message: 'Import only types from the contract.',
            },
            { group: ['node:*', 'typeorm', 'better-sqlite3'], message: 'The renderer runs in a browser.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
