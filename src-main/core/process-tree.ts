/**
 * Process bookkeeping the agent runner and crash recovery need. A stop must
 * reach every process an agent started, including tool processes that run in
 * process groups of their own, so the tree is read from the OS by parent pid.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  ppid: number;
  state: string;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces or parentheses. */
function readProcStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

function parentMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  const add = (pid: number, ppid: number) => children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let entries: string[] | undefined;
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    entries = undefined;
  }
  if (entries) {
    for (const name of entries) {
      const stat = readProcStat(Number(name));
      if (stat) add(Number(name), stat.ppid);
    }
    return children;
  }
  // No /proc (macOS): ask ps.
  const table = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
  for (const line of table.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined && !Number.isNaN(ppid)) add(pid, ppid);
  }
  return children;
}

/** Every process below `pid`, found now. */
export function descendantsOf(pid: number): number[] {
  let children: Map<number, number[]>;
  try {
    children = parentMap();
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Signals a process, its process group and every descendant with their
 * groups. Returns the pids it found, so a later SIGKILL can reach them even
 * after they were re-parented.
 */
export function signalTree(rootPid: number, sig: NodeJS.Signals, known: number[] = []): number[] {
  const pids = [...new Set([rootPid, ...known, ...descendantsOf(rootPid)])];
  for (const pid of pids) {
    signal(-pid, sig);
    signal(pid, sig);
  }
  return pids;
}

/** Whether a process exists. A zombie (dead, not yet reaped) does not count; EPERM means it exists. */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return readProcStat(pid)?.state !== 'Z';
}

/** Pids whose command line mentions `needle`: /proc where it exists, ps elsewhere. */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) found.push(Number(name));
      } catch {
        // It ended while we looked.
      }
    }
    return found;
  } catch {
    // No /proc: fall through to ps.
  }
  try {
    const table = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'command='], { encoding: 'utf8' });
    for (const line of table.split('\n')) {
      const match = line.trim().match(/^(\d+)\s+(.*)$/);
      if (match?.[2]?.includes(needle)) found.push(Number(match[1]));
    }
  } catch {
    // Nothing more we can do.
  }
  return found;
}

/**
 * A Baton killed mid-iteration leaves its agent running unsupervised. The
 * agent's command line carries its session id, so the next start can find it
 * and stop it with everything it started.
 */
export function stopOrphanedAgent(sessionId: string): void {
  for (const pid of processesMentioning(sessionId)) {
    if (pid !== process.pid) signalTree(pid, 'SIGKILL');
  }
}
