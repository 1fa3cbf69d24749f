/** Runs the real `baton` command, as npm installs it (out/cli/baton.js, built by the tests' global set-up), the way a user would. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const BATON_BIN = path.join(ROOT, 'node_modules', '.bin', 'baton');

/**
 * The environment that runs the orchestrator of a `baton` process on a skipping clock: its waits (for a
 * window, the API, a retry) end at once, with the time moved on by them, so a test sees a wait recorded
 * with its wake time, and what follows it, without spending it.
 */
export const SKIP_WAITS = { BATON_TEST_CLOCK: 'skip-waits' } as const;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `command` is another build of the command, where a test needs one. */
export function runBaton(args: string[], env: NodeJS.ProcessEnv, command = BATON_BIN): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function lastJsonLine<T>(stdout: string): T {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

/** A fresh workspace per test: a project directory, a database, and the agent's own HOME and CLAUDE_CONFIG_DIR. */
export function makeWorkspace(apiUrl: string): { root: string; project: string; db: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-it-'));
  const project = path.join(root, 'project');
  const configDir = path.join(root, 'claude-config');
  const home = path.join(root, 'home');
  mkdirSync(project);
  mkdirSync(configDir);
  mkdirSync(home);
  const db = path.join(root, 'baton.db');
  return {
    root,
    project,
    db,
    env: {
      // The agent's shell is a login shell: a HOME of its own keeps this machine's
      // ~/.bashrc out of it (a pyenv init there can wait 60 s on a stale lock).
      HOME: home,
      ANTHROPIC_BASE_URL: apiUrl,
      ANTHROPIC_API_KEY: 'test-key',
      CLAUDE_CONFIG_DIR: configDir,
      BATON_DB: db,
      // Tests run as root in CI; the CLI refuses bypassPermissions there without it.
      IS_SANDBOX: '1',
    },
  };
}

export interface RunningBaton {
  pid: number;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Resolves with stdout once it matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<CliRun>;
}

/** Starts the CLI in its own process group, so a test can signal or kill the whole Baton process tree. */
export function startBaton(args: string[], env: NodeJS.ProcessEnv): RunningBaton {
  const child = spawn(BATON_BIN, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    pid: child.pid as number,
    stdout: () => stdout,
    exited,
    waitFor: async (pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stdout;
    },
  };
}
