/**
 * Builds the `baton` command into one file, out/cli/baton.js: a bundle
 * starts in a fraction of the time that tsx or thousands of separate
 * modules take. Run by `npm install` (prepare), `npm start` and the tests.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * TypeORM's DriverFactory requires every database driver it knows; Baton
 * uses only better-sqlite3. The others become stubs that say so if ever
 * constructed, which takes a third off the bundle and off its start-up.
 */
const onlyTheSqliteDriver = {
  name: 'baton-only-the-sqlite-driver',
  setup(build) {
    build.onResolve({ filter: /^\.\/[a-z-0-9]+\/[A-Za-z0-9]+Driver$/ }, (args) => {
      if (!args.importer.endsWith(`${path.sep}typeorm${path.sep}driver${path.sep}DriverFactory.js`)) return undefined;
      if (args.path === './better-sqlite3/BetterSqlite3Driver') return undefined;
      return { path: args.path, namespace: 'unused-typeorm-driver' };
    });
    build.onLoad({ filter: /.*/, namespace: 'unused-typeorm-driver' }, (args) => {
      const name = path.basename(args.path);
      const message = `this build of Baton includes only TypeORM's better-sqlite3 driver, not ${name}`;
      return {
        contents: `exports.${name} = class { constructor() { throw new Error(${JSON.stringify(message)}); } };`,
        loader: 'js',
      };
    });
  },
};
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
  plugins: [onlyTheSqliteDriver],
  // Bundled CommonJS (TypeORM, commander) calls require() for Node's own modules.
  banner: {
    js: "import { createRequire as __batonCreateRequire } from 'node:module';\nconst require = __batonCreateRequire(import.meta.url);",
  },
});

// Each file is replaced by a rename, never rewritten in place: a `baton` that is running keeps its own copy.
for (const file of result.outputFiles) {
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  mkdirSync(path.dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  if (file.path === outfile) chmodSync(temporary, 0o755);
  renameSync(temporary, file.path);
}
