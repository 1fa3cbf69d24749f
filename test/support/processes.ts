/** Test helpers about processes, read from /proc. */
import { readFileSync } from 'node:fs';

/** A process is gone when it no longer exists or is a zombie nobody has reaped yet (as in a container without init). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
