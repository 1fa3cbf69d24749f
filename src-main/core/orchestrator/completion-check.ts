/** Runs the user's completion check: a shell command in the task's directory, where exit 0 means done. */
import { spawn } from 'node:child_process';

const OUTPUT_TAIL_CHARS = 8000;

export interface CheckResult {
  exitCode: number | null;
  /** The tail of stdout and stderr together, as the next iteration will see it. */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export function runCompletionCheck(
  command: string,
  cwd: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    // The check is a shell command by design: the user writes it, like a CI step.
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    let cancelled = false;
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);

    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const onAbort = () => {
      cancelled = true;
      killGroup(child.pid);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Anything the check left running in the background would hold its pipes open.
    child.on('exit', () => killGroup(child.pid));
    child.on('error', (error) => {
      output += `\n${error.message}`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code, output, timedOut, cancelled });
    });
  });
}
