#!/usr/bin/env node
/**
 * The `baton` command as npm installs it: scripts/build-cli.mjs copies this file to out/cli/baton.js, beside
 * the bundle it runs (baton-bundle.cjs). It runs the bundle with V8's code cache: Node 20 compiles the ~4 MB
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
const bundle = path.join(here, 'baton-bundle.cjs');
const source = readFileSync(bundle, 'utf8');

// The build stamps the bundle's first line with a hash of its content. V8 checks a cache only against the
// source's length, so the cache's name carries the hash, read from the very text that runs.
const stamp = /^\/\/ baton-bundle ([0-9a-f]{16})\n/.exec(source)?.[1];
const useCache = stamp !== undefined && process.env.BATON_CODE_CACHE !== '0';
const cacheName = `baton-bundle-${stamp}-${process.version}-${process.arch}.v8cache`;
const cacheDirs = [
  path.join(here, 'cache'),
  path.join(os.tmpdir(), `baton-code-cache-${process.getuid?.() ?? 'user'}`),
];

function readCache() {
  for (const dir of cacheDirs) {
    try {
      return readFileSync(path.join(dir, cacheName));
    } catch {
      // Not made yet, or not here.
    }
  }
  return undefined;
}

/** Writes the cache whole (to a temporary name, then renamed) and drops the caches of other builds. */
function writeCache(data) {
  for (const dir of cacheDirs) {
    try {
      mkdirSync(dir, { recursive: true });
      const temporary = path.join(dir, `${cacheName}.${process.pid}.tmp`);
      writeFileSync(temporary, data);
      renameSync(temporary, path.join(dir, cacheName));
      for (const name of readdirSync(dir)) {
        // Another build's; another Node version's cache of this build stays, for a machine with two.
        if (
          name.startsWith('baton-bundle-') &&
          name.endsWith('.v8cache') &&
          !name.startsWith(`baton-bundle-${stamp}-`)
        ) {
          rmSync(path.join(dir, name), { force: true });
        }
      }
      return;
    } catch {
      // Read-only (an installation owned by another user): the next place.
    }
  }
}

const cachedData = useCache ? readCache() : undefined;
const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  cachedData,
  // An import() the bundle left as it is loads as it would in the main context.
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
  // On exit, so the cache holds the functions this run compiled too.
  process.once('exit', () => writeCache(script.createCachedData()));
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, here);
process.exitCode = await module.exports.main(process.argv.slice(2));
