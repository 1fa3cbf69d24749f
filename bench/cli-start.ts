/**
 * How fast the `baton` command starts: `baton tasks` on an empty store, as
 * a ratio to `node -e 0` and to `ccusage session` (the usage tool people
 * compare it with: 18 in JavaScript, 20 a native binary behind a Node
 * launcher), all measured in the same run, interleaved, so machine load
 * weighs on each alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CCUSAGE18_SCRIPT, findCcusage20 } from './ccusage-bins';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BATON = path.join(ROOT, 'node_modules', '.bin', 'baton');

export interface StartTimes {
  node: number[];
  baton: number[];
  /** ccusage 18; empty when it is not installed. */
  ccusage: number[];
  /** ccusage 20; empty when it cannot run here. */
  ccusage20: number[];
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const run = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr.toString()}`);
  return ms;
}

export function measureStart(rounds: number): StartTimes {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-start-'));
  try {
    const claudeDir = path.join(dir, 'claude');
    mkdirSync(path.join(claudeDir, 'projects'), { recursive: true });
    // HOME is empty too: ccusage 20 looks for a dozen agents' folders there.
    const env = { ...process.env, HOME: dir, BATON_DB: path.join(dir, 'empty.db'), CLAUDE_CONFIG_DIR: claudeDir };
    // The first start creates and migrates the store; an empty store is what is timed.
    timed(BATON, ['tasks'], env);
    const times: StartTimes = { node: [], baton: [], ccusage: [], ccusage20: [] };
    const hasCcusage = existsSync(CCUSAGE18_SCRIPT);
    const ccusage20 = findCcusage20();
    for (let i = 0; i < rounds; i++) {
      times.node.push(timed(process.execPath, ['-e', '0'], env));
      times.baton.push(timed(BATON, ['tasks'], env));
      if (hasCcusage) times.ccusage.push(timed(process.execPath, [CCUSAGE18_SCRIPT, 'session', '--offline'], env));
      if ('launcher' in ccusage20) {
        times.ccusage20.push(timed(process.execPath, [ccusage20.launcher, 'session', '--offline'], env));
      }
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
