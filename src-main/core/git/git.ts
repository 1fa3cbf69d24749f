/**
 * Runs git without a shell (execFile), so no path or branch name is ever parsed as shell text.
 * Every Baton git call goes through here: one place decides the environment and the errors.
 */
import { execFile, spawn } from 'node:child_process';

export class GitError extends Error {
  override readonly name: string = 'GitError';
  constructor(
    message: string,
    /** git's exit code; null when it could not run at all. */
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** git is not installed (or not on PATH): only what needs it says so. */
export class GitUnavailableError extends GitError {
  override readonly name = 'GitUnavailableError';
}

export interface GitOptions {
  cwd: string;
  /** Added to the environment, e.g. GIT_INDEX_FILE for a snapshot's own index. */
  env?: NodeJS.ProcessEnv;
  /** Exit codes that are answers, not failures (`merge-base --is-ancestor` answers 1 for no). */
  okExitCodes?: readonly number[];
  maxBuffer?: number;
}

export interface GitResult {
  stdout: string;
  exitCode: number;
}

const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/** The git command an argument list runs, for messages: `-c key=value` options before it skipped. */
function commandOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else if (!args[i]?.startsWith('-')) return args[i] ?? '';
  }
  return '';
}

/**
 * What git said of a failure, on one line: its `fatal:` and `error:` lines, which name the file or ref at
 * fault (a lock's advice that follows runs on for lines and names none), else its last lines.
 */
export function failureText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = lines.filter((line) => /^(fatal|error):/.test(line));
  return (errors.length > 0 ? errors.slice(0, 3) : lines.slice(-3)).join(' ');
}

/**
 * Identity for the commits Baton makes itself (snapshots; checkpoints where the user set none), and no
 * prompts: a git that asks for a password or an editor would hang a task.
 */
const BATON_GIT_ENV: NodeJS.ProcessEnv = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_EDITOR: 'true',
  GIT_OPTIONAL_LOCKS: '0',
  LC_ALL: 'C',
};

export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...BATON_GIT_ENV, ...options.env },
        maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, exitCode: 0 });
        const code = typeof error.code === 'number' ? error.code : null;
        if (error.code === 'ENOENT') {
          return reject(new GitUnavailableError('git is not installed or not on PATH', null, ''));
        }
        if (code !== null && options.okExitCodes?.includes(code)) return resolve({ stdout, exitCode: code });
        reject(new GitError(`git ${commandOf(args)} failed: ${failureText(stderr) || error.message}`, code, stderr));
      },
    );
  });
}

/**
 * Runs git and keeps only the first `keepBytes` of what it prints, counting the rest: a diff can be far
 * larger than anyone will read, and must not be held whole in memory to say how large it was.
 */
export function gitHead(
  args: readonly string[],
  options: { cwd: string; keepBytes: number },
): Promise<{ head: Buffer; totalBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { ...process.env, ...BATON_GIT_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let totalBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      totalBytes += chunk.length;
      if (keptBytes >= options.keepBytes) return;
      const part = chunk.subarray(0, options.keepBytes - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new GitUnavailableError('git is not installed or not on PATH', null, '')
          : new GitError(error.message, null, ''),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve({ head: Buffer.concat(kept), totalBytes });
      reject(new GitError(`git ${commandOf(args)} failed: ${failureText(stderr) || `exit ${code}`}`, code, stderr));
    });
  });
}
