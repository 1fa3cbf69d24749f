/** Runs the user's completion check: a shell command in the task's directory, where exit 0 means done. */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { RunProcesses } from '../../process-containment';

/** Marks the check's processes (see process-containment), so that none outlives it. */
const CHECK_ENV = 'BATON_CHECK_ID';

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
    const mark = `${CHECK_ENV}=${randomUUID()}`;
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: { ...process.env, [CHECK_ENV]: mark.slice(CHECK_ENV.length + 1) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const processes = child.pid === undefined ? undefined : new RunProcesses(child, mark, false);
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
      processes?.kill();
    }, timeoutMs);
    const onAbort = () => {
      cancelled = true;
      processes?.kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Nothing the check left running in the background may outlive it (or hold its pipes open).
    child.on('exit', () => processes?.kill());
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
