/** Runs the real `baton` CLI as a child process, the way a user would. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(ROOT, 'src-main', 'cli', 'main.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runBaton(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], {
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

/** A fresh workspace per test: a project directory, a database and the agent's own CLAUDE_CONFIG_DIR. */
export function makeWorkspace(apiUrl: string): { root: string; project: string; db: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-it-'));
  const project = path.join(root, 'project');
  const configDir = path.join(root, 'claude-config');
  mkdirSync(project);
  mkdirSync(configDir);
  const db = path.join(root, 'baton.db');
  return {
    root,
    project,
    db,
    env: {
      ANTHROPIC_BASE_URL: apiUrl,
      ANTHROPIC_API_KEY: 'test-key',
      CLAUDE_CONFIG_DIR: configDir,
      BATON_DB: db,
      // Tests run as root in CI; the CLI refuses bypassPermissions there without it.
      IS_SANDBOX: '1',
    },
  };
}
