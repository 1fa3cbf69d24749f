import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src-main/contract/content-security-policy';

/** Writes the one Content-Security-Policy into index.html, so the page carries it however it is loaded. */
const contentSecurityPolicyMeta: Plugin = {
  name: 'baton-content-security-policy',
  transformIndexHtml: () => [
    {
      tag: 'meta',
      attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy('meta') },
      injectTo: 'head-prepend',
    },
  ],
};

// better-sqlite3 is native and TypeORM loads drivers at run time: both stay
// external to the main bundle. Class names are kept because TypeORM records
// migration names.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      minify: false,
      // The service worker builds next to index.js, as out/main/worker.js, which main forks as a utility process;
      // beside it, the transcript import's reader thread (see transcript-reader.ts).
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          worker: resolve(__dirname, 'src-main/worker/service-worker.ts'),
          'transcript-reader-worker': resolve(__dirname, 'src-main/core/usage/transcript-reader-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      // Sandboxed preloads must be CommonJS.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    // Minified. The charts (recharts) and the diff viewer are imported where first used, so the first load
    // leaves them out (components/charts/lazy-charts.tsx, IterationDiffPanel.tsx).
    build: {
      minify: true,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-renderer/index.html') },
      },
    },
    resolve: {
      alias: [{ find: /^lowlight$/, replacement: resolve(__dirname, 'vendor/lowlight-common.js') }],
    },
    plugins: [react(), contentSecurityPolicyMeta],
  },
});
