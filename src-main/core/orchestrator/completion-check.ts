/** Runs the user's completion check: a shell command in the task's directory, where exit 0 means done. */
import { spawn } from 'node:child_process';
import { signalGroup } from '../process-tree';

const OUTPUT_TAIL_CHARS = 8000;

export interface CheckResult {
  exitCode: number | null;
  /** The tail of stdout and stderr together, as the next iteration will see it. */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
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
      signalGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    const onAbort = () => {
      cancelled = true;
      signalGroup(child.pid, 'SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Anything the check left running in the background would hold its pipes open.
    child.on('exit', () => signalGroup(child.pid, 'SIGKILL'));
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
