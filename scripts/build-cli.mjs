/**
 * Builds the `baton` command: the CLI into one file, out/cli/baton-bundle.cjs
 * (a bundle starts in a fraction of the time that tsx or thousands of
 * separate modules take), and beside it out/cli/baton.js, the command npm
 * installs, which runs the bundle with V8's code cache (scripts/cli-launcher.mjs
 * says why). Run by `npm install` (prepare), `npm start` and the tests.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
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
// --outdir gives a build of its own, which the tests' builds into out/cli cannot replace while it runs (the
// benchmarks use one); it must be two levels below the root, as out/cli is, for the paths the bundle finds.
const { values: flags } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = flags.outdir ? path.resolve(flags.outdir) : path.join(root, 'out', 'cli');
/** The bundles the launcher runs: the whole command, and `baton import`'s quick start (src-main/cli/quick-import.ts). */
const STAMPED = ['baton-bundle', 'baton-import'];
const commandFile = path.join(outdir, 'baton.js');
/** A bundle's first line, stamped with its name and a hash of the rest: the launcher's cache is that content's. */
const STAMP_PLACEHOLDER = '// baton-stamp 0000000000000000';

const result = await build({
  // The transcript reader's worker thread is a file of its own, beside the bundle that starts it.
  entryPoints: {
    'baton-bundle': path.join(root, 'src-main', 'cli', 'main.ts'),
    'baton-import': path.join(root, 'src-main', 'cli', 'quick-import.ts'),
    'transcript-reader-worker': path.join(root, 'src-main', 'core', 'usage', 'transcript-reader-worker.ts'),
  },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  // CommonJS, which vm.Script runs with a code cache (Node 20 has no code cache for ES modules).
  format: 'cjs',
  // The source's import.meta.url is the bundle's URL, as it was when the bundle was an ES module.
  define: { 'import.meta.url': '__batonBundleUrl' },
  // The native module must load from node_modules, built for the running Node.
  external: ['better-sqlite3'],
  // TypeORM records migrations by class name.
  keepNames: true,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
  plugins: [onlyTheSqliteDriver],
  banner: {
    js: `${STAMP_PLACEHOLDER}\nconst __batonBundleUrl = require('node:url').pathToFileURL(__filename).href;`,
  },
});

const outputs = result.outputFiles.map((file) => {
  const name = path.basename(file.path, '.cjs');
  if (!STAMPED.includes(name)) return { path: file.path, contents: file.contents };
  const text = file.text;
  if (!text.startsWith(`${STAMP_PLACEHOLDER}\n`)) throw new Error(`${name} does not start with its stamp line`);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  // On the first line, which maps to no source: the source map still fits.
  return { path: file.path, contents: Buffer.from(text.replace(STAMP_PLACEHOLDER, `// ${name} ${hash}`)) };
});
outputs.push({ path: commandFile, contents: readFileSync(path.join(root, 'scripts', 'cli-launcher.mjs')) });

// Each file is replaced by a rename, never rewritten in place: a `baton` that is running keeps its own copy.
for (const file of outputs) {
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  mkdirSync(path.dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  if (file.path === commandFile) chmodSync(temporary, 0o755);
  renameSync(temporary, file.path);
}
// Left by the builds from before the launcher, when baton.js was the bundle.
rmSync(path.join(outdir, 'baton.js.map'), { force: true });
