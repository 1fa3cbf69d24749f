/**
 * Builds the `baton` command into one file, out/cli/baton.js: a bundle
 * starts in a fraction of the time that tsx or thousands of separate
 * modules take. Run by `npm install` (prepare), `npm start` and the tests.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'out', 'cli', 'baton.js');

const result = await build({
  entryPoints: [path.join(root, 'src-main', 'cli', 'baton.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // The native module must load from node_modules, built for the running Node.
  external: ['better-sqlite3'],
  // TypeORM records migrations by class name.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
  // Bundled CommonJS (TypeORM, commander) calls require() for Node's own modules.
  banner: {
    js: "import { createRequire as __batonCreateRequire } from 'node:module';\nconst require = __batonCreateRequire(import.meta.url);",
  },
});

// Each file is replaced by a rename, never rewritten in place: a `baton` that is running keeps its own copy.
for (const file of result.outputFiles) {
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  if (file.path === outfile) chmodSync(temporary, 0o755);
  renameSync(temporary, file.path);
}
