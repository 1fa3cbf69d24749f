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

/**
 * A sleep no other process has: its duration is its name in the process table, seen from here whether or not
 * it runs in a PID namespace of its own (where the pid a shell would report means nothing here).
 */
export function uniqueSleep(): { command: string; running: () => boolean } {
  const seconds = `${300 + Math.floor(Math.random() * 1000)}.${Math.floor(Math.random() * 1e6)}`;
  return { command: `sleep ${seconds}`, running: () => runningWith(`sleep\0${seconds}\0`) };
}

/** Live processes started for a Baton session: every runner puts the session's id in its agent's environment. */
export function processesOfSession(sessionId: string): number[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return environ.includes(`BATON_SESSION_ID=${sessionId}`) && isRunning(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}
