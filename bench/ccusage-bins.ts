/**
 * Where the two ccusage versions the benchmarks compare with are. ccusage 18 (JavaScript) is the dev
 * dependency `ccusage`; ccusage 20 is the dev dependency `ccusage20` (an npm alias), a small Node launcher
 * that runs the native binary of its platform's package (`@ccusage/ccusage-<platform>-<arch>`, an optional
 * dependency). Both name their command `ccusage`, so node_modules/.bin/ccusage may be either after an
 * incremental `npm install`: the benchmarks go by these paths instead.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** ccusage 18's command: a Node script. */
export const CCUSAGE18_SCRIPT = path.join(ROOT, 'node_modules', 'ccusage', 'dist', 'index.js');

/** ccusage 20's launcher, as `npx ccusage` runs it: Node starts, then the native binary. */
export const CCUSAGE20_LAUNCHER = path.join(ROOT, 'node_modules', 'ccusage20', 'src', 'cli.js');

export type Ccusage20 = { launcher: string; binary: string } | { missing: string };

/** ccusage 20's launcher and native binary, or why it cannot run here. */
export function findCcusage20(): Ccusage20 {
  if (!existsSync(CCUSAGE20_LAUNCHER)) return { missing: 'ccusage 20 (the dev dependency ccusage20) is not installed' };
  const nativePackage = `@ccusage/ccusage-${process.platform}-${process.arch}`;
  try {
    // Resolved from the launcher, as the launcher resolves it.
    const manifest = createRequire(CCUSAGE20_LAUNCHER).resolve(`${nativePackage}/package.json`);
    const binary = path.join(path.dirname(manifest), 'bin', process.platform === 'win32' ? 'ccusage.exe' : 'ccusage');
    if (existsSync(binary)) return { launcher: CCUSAGE20_LAUNCHER, binary };
  } catch {
    // Not installed: npm skips the optional package of another platform.
  }
  return { missing: `ccusage 20's native package for this platform (${nativePackage}) is not installed` };
}
