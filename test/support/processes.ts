/** Test helpers about processes, read from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

/** A process is gone when it no longer exists or is a zombie nobody has reaped yet (as in a container without init). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether a live process has `text` in its command line, such as the session id of an agent Baton started. */
export function runningWith(text: string): boolean {
  return readdirSync('/proc').some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) && isRunning(Number(pid));
    } catch {
      return false;
    }
  });
}
