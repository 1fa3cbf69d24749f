#!/usr/bin/env node
/**
 * The `baton` command as npm installs it: scripts/build-cli.mjs copies this file to out/cli/baton.js, beside
 * the bundles it runs (baton-bundle.cjs, the whole command, and baton-import.cjs, `baton import`'s quick
 * start). It runs a bundle with V8's code cache: Node 20 compiles the ~4 MB
 * bundle anew on every start (a third of starting `baton tasks`), while a cache made by an earlier run holds
 * the bytecode of the top-level code and of every function that run called. The first run of a new build
 * writes the cache as it exits, next to the bundle (or in the temp folder where that cannot be written);
 * V8 refuses a cache from another Node or V8 version or flags, and then the run compiles and writes it anew.
 * BATON_CODE_CACHE=0 runs without it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = path.dirname(fileURLToPath(import.meta.url));
const useCaches = process.env.BATON_CODE_CACHE !== '0';
const cacheDirs = [
  path.join(here, 'cache'),
  path.join(os.tmpdir(), `baton-code-cache-${process.getuid?.() ?? 'user'}`),
];

function readCache(cacheName) {
  for (const dir of cacheDirs) {
    try {
      return readFileSync(path.join(dir, cacheName));
    } catch {
      // Not made yet, or not here.
    }
  }
  return undefined;
}

/** Writes the cache whole (to a temporary name, then renamed) and drops the caches of the bundle's other builds. */
function writeCache(name, stamp, cacheName, data) {
  for (const dir of cacheDirs) {
    try {
      mkdirSync(dir, { recursive: true });
      const temporary = path.join(dir, `${cacheName}.${process.pid}.tmp`);
      writeFileSync(temporary, data);
      renameSync(temporary, path.join(dir, cacheName));
      for (const file of readdirSync(dir)) {
        // Another build's; another Node version's cache of this build stays, for a machine with two.
        if (file.startsWith(`${name}-`) && file.endsWith('.v8cache') && !file.startsWith(`${name}-${stamp}-`)) {
          rmSync(path.join(dir, file), { force: true });
        }
      }
      return;
    } catch {
      // Read-only (an installation owned by another user): the next place.
    }
  }
}

/** Loads the bundle `name` (out/cli/<name>.cjs) with its code cache, and answers its exports. */
function load(name) {
  const bundle = path.join(here, `${name}.cjs`);
  const source = readFileSync(bundle, 'utf8');
  // The build stamps the bundle's first line with a hash of its content. V8 checks a cache only against the
  // source's length, so the cache's name carries the hash, read from the very text that runs.
  const stamp = new RegExp(`^// ${name} ([0-9a-f]{16})\n`).exec(source)?.[1];
  const useCache = stamp !== undefined && useCaches;
  const cacheName = `${name}-${stamp}-${process.version}-${process.arch}.v8cache`;
  const cachedData = useCache ? readCache(cacheName) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    // An import() the bundle left as it is loads as it would in the main context.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
    // On exit, so the cache holds the functions this run compiled too.
    process.once('exit', () => writeCache(name, stamp, cacheName, script.createCachedData()));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, here);
  return module.exports;
}

const argv = process.argv.slice(2);
// `baton import` in its plain form runs without the rest of Baton (src-main/cli/quick-import.ts); anything
// else it leaves to the whole command.
const quick = argv[0] === 'import' ? await load('baton-import').main(argv) : undefined;
process.exitCode = quick ?? (await load('baton-bundle').main(argv));
