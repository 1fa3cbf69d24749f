/**
 * Starts what the e2e specs drive: the scripted Anthropic-compatible API and
 * `baton serve` (browser mode) over a fresh database, with the real claude CLI
 * pointed at that API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Script, type ScriptedServer, startScriptedServer } from '../../test/support/scripted-anthropic-server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The `baton` command as npm installs it; `npm run test:e2e` builds it first.
export const BATON = path.join(ROOT, 'node_modules', '.bin', 'baton');

export interface BrowserMode {
  url: string;
  /** The CLAUDE_CONFIG_DIR of the agents it runs, whose transcripts it imports. */
  configDir: string;
  api: ScriptedServer;
  project: string;
  db: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * `extraEnv` is added to the environment `baton serve` (and so every agent it runs) gets, for another
 * agent's configuration: Codex's CODEX_HOME and OPENAI_API_KEY, say.
 */
export async function startBrowserMode(script: Script, extraEnv: NodeJS.ProcessEnv = {}): Promise<BrowserMode> {
  const api = await startScriptedServer(script);
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-'));
  const project = path.join(root, 'project');
  const configDir = path.join(root, 'claude-config');
  const home = path.join(root, 'home');
  mkdirSync(project);
  mkdirSync(configDir);
  mkdirSync(home);
  const db = path.join(root, 'baton.db');
  const env = {
    ...process.env,
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: 'test-key',
    CLAUDE_CONFIG_DIR: configDir,
    // The agents' login shells read no ~/.bashrc of this machine's (see test/support/baton-cli.ts).
    HOME: home,
    // Browser mode imports the agents' transcripts: never the machine's own Codex sessions.
    CODEX_HOME: path.join(root, 'codex-home'),
    IS_SANDBOX: '1',
    ...extraEnv,
  };
  const serve = await startServe(db, env);
  const { url } = serve;
  return {
    url,
    configDir,
    api,
    project,
    db,
    env,
    stop: async () => {
      await serve.stop();
      await api.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Serving {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** `baton serve` of `db`, once it says where it serves; stop() ends it as Ctrl-C would. */
export async function startServe(db: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<Serving> {
  const child: ChildProcess = spawn(BATON, ['serve', '--db', db, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baton serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/serving on (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`baton serve exited with ${code}:\n${output}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    port: Number(new URL(url).port),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the real CLI, as a user would, to read the store. */
export function batonCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BATON, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
