import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// better-sqlite3 is native and TypeORM loads drivers at run time: both stay
// external to the main bundle. Class names are kept because TypeORM records
// migration names.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      minify: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src-main/electron/main.ts') } },
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
    // Minified, and recharts in its own chunk: History's first paint waits on this download and parse.
    build: {
      minify: true,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-renderer/index.html') },
        output: { manualChunks: (id: string) => (id.includes('node_modules/recharts') ? 'recharts' : undefined) },
      },
    },
    plugins: [react()],
  },
});
