// Lint keeps the layering by an allow-list: each layer below names what it MAY
// import, and anything else is an error (the rule is lint/layers.js). Only the
// Electron host may import electron; the core knows nothing of hosts; the
// renderer sees only the contract.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import batonLint from './lint/layers.js';

/** Layers by folder, relative to the repo root. Files in no layer (test/, bench/, e2e/, configs, lint/) are unrestricted. */
const layers = [
  { name: 'contract', folders: ['src-main/contract'], mayImport: { layers: ['contract'], packages: ['zod'] } },
  {
    name: 'core',
    folders: ['src-main/core'],
    mayImport: {
      layers: ['contract', 'core', 'migrations'],
      nodeBuiltins: true,
      packages: ['typeorm', 'better-sqlite3', 'uuid', 'zod', '@pydantic/genai-prices'],
    },
  },
  { name: 'migrations', folders: ['migrations'], mayImport: { layers: ['migrations'], packages: ['typeorm'] } },
  {
    name: 'service',
    folders: ['src-main/service'],
    mayImport: { layers: ['service', 'core', 'contract'], nodeBuiltins: true, packages: ['zod'] },
  },
  {
    // The `serve` command starts the browser server.
    name: 'cli',
    folders: ['src-main/cli'],
    mayImport: { layers: ['cli', 'service', 'contract', 'server'], nodeBuiltins: true, packages: ['commander'] },
  },
  {
    name: 'server',
    folders: ['src-main/server'],
    mayImport: { layers: ['server', 'service', 'contract'], nodeBuiltins: true, packages: ['ws'] },
  },
  {
    name: 'worker',
    folders: ['src-main/worker'],
    mayImport: { layers: ['worker', 'service', 'contract'], nodeBuiltins: true },
  },
  {
    name: 'electron',
    folders: ['src-main/electron'],
    mayImport: { layers: ['electron', 'service', 'contract'], nodeBuiltins: true, packages: ['electron'] },
  },
  {
    // A browser page: no node built-ins, no electron, nothing of main but the contract.
    name: 'renderer',
    folders: ['src-renderer'],
    mayImport: {
      layers: ['renderer', 'contract'],
      packages: [
        'react',
        'react-dom',
        'recharts',
        'zustand',
        'immer',
        '@tanstack/react-virtual',
        // Server data: queries keyed by contract method, made stale by Baton's events.
        '@tanstack/react-query',
        'zod',
        '@git-diff-view/react',
        // The launch form's state, checked by the spec's zod schema.
        'react-hook-form',
        '@hookform/resolvers',
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { baton: batonLint },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'baton/layers': ['error', { root: import.meta.dirname, layers, onlyIn: { electron: ['electron'] } }],
    },
  },
);
