/**
 * Process bookkeeping the agent runner and crash recovery need. A stop must
 * reach every process an agent started, including tool processes that run in
 * process groups of their own, so the tree is read from the OS by parent pid.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  ppid: number;
  /** Process group id, as text. */
  pgrp: string;
  /** Session id, as text. */
  session: string;
  state: string;
  /** Clock ticks after boot at which the process started: with the pid, it names one process for good. */
  startTime: string;
}

/** A process found earlier. Pids are reused (a container may allow only 32768), so the start time comes along. */
export interface ProcessRef {
  pid: number;
  startTime: string | undefined;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces or parentheses. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Field 22 of stat is the start time; fields here start at field 3.
    return {
      state: fields[0] ?? '',
      ppid: Number(fields[1]),
      pgrp: fields[2] ?? '',
      session: fields[3] ?? '',
      startTime: fields[19] ?? '',
    };
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
  try {
    return descendantsIn(parentMap(), pid);
  } catch {
    return [];
  }
}

/** Every pid below `root` in a map of each pid's children. */
export function descendantsIn(children: Map<number, number[]>, root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // Already gone.
  }
}

/** Signals the process group led by `pid` (spawned with `detached: true`), if it still exists. */
export function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid !== undefined) signal(-pid, sig);
}

export function refOf(pid: number): ProcessRef {
  return { pid, startTime: readProcStat(pid)?.startTime };
}

/** Whether a process found earlier is still that process, and not a newcomer that was given its pid. */
export function isSameProcess(ref: ProcessRef): boolean {
  if (ref.startTime === undefined) return false;
  return readProcStat(ref.pid)?.startTime === ref.startTime;
}

/** Signals processes found earlier that are provably still the same processes, with their groups. */
export function signalKnown(known: ProcessRef[], sig: NodeJS.Signals): void {
  for (const { pid } of known.filter(isSameProcess)) {
    signal(-pid, sig);
    signal(pid, sig);
  }
}

/**
 * Signals every descendant of a live process, with their groups (the caller
 * signals the process itself). Processes found by an earlier call (`known`) are signalled again
 * only while they are provably the same processes, since by then they may
 * have been re-parented or have ended and had their pids reused. Returns
 * everything found, for the next call.
 */
export function signalTree(rootPid: number, sig: NodeJS.Signals, known: ProcessRef[] = []): ProcessRef[] {
  const found = descendantsOf(rootPid).map(refOf);
  const targets = [...known.filter(isSameProcess), ...found];
  for (const { pid } of targets) {
    signal(-pid, sig);
    signal(pid, sig);
  }
  return [...targets, ...known.filter((ref) => !targets.includes(ref))];
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

/** Each process's arguments: /proc where it exists, ps (joined by spaces, so split again) elsewhere. */
function commandLines(): Array<{ pid: number; argv: string[] }> {
  const found: Array<{ pid: number; argv: string[] }> = [];
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        found.push({ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0') });
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
      if (match?.[2] !== undefined) found.push({ pid: Number(match[1]), argv: match[2].split(/\s+/) });
    }
  } catch {
    // Nothing more we can do.
  }
  return found;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The environment variable an agent that takes no session id of Baton's (Codex) is started with, holding its
 * session's uuid, so that crash recovery finds it as it finds the others by their `--session-id`.
 */
export const SESSION_ENV = 'BATON_SESSION_ID';

/** Whether a process's environment, as it was when it started, holds this exact `NAME=value`. */
export function environHas(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
  } catch {
    // Not ours to read, gone, or no /proc.
    return false;
  }
}

/**
 * Pids of agents started for this session: `--session-id <id>` (or `--session-id=<id>`) among their arguments,
 * or `BATON_SESSION_ID=<id>` in their environment (where /proc has it). Only whole arguments and whole
 * variables count, and only a uuid (what Baton gives every session): an id that merely appears inside some
 * other process's command line must never get that process killed. A process whose parent matches too (a
 * tool that inherited the variable) is not an agent of its own: it goes with its agent's tree.
 */
export function agentsOfSession(sessionId: string): number[] {
  if (!UUID.test(sessionId)) return [];
  const variable = `${SESSION_ENV}=${sessionId}`;
  const matched = commandLines()
    .filter(
      ({ pid, argv }) =>
        argv.some(
          (arg, i) => arg === `--session-id=${sessionId}` || (arg === '--session-id' && argv[i + 1] === sessionId),
        ) || environHas(pid, variable),
    )
    .map(({ pid }) => pid);
  const found = new Set(matched);
  return matched.filter((pid) => !found.has(readProcStat(pid)?.ppid ?? -1));
}

/** Whether `pid` leads its own process group, as an agent spawned with `detached: true` does. */
function leadsGroup(pid: number): boolean {
  return readProcStat(pid)?.pgrp === String(pid);
}

/**
 * A Baton killed mid-iteration leaves its agent running unsupervised. The
 * agent's command line (or, for Codex, its environment) carries its session
 * id, so the next start can find it and stop it with everything it started.
 */
export function stopOrphanedAgent(sessionId: string): void {
  for (const pid of agentsOfSession(sessionId)) {
    if (pid === process.pid) continue;
    signalTree(pid, 'SIGKILL');
    if (leadsGroup(pid)) signal(-pid, 'SIGKILL');
    signal(pid, 'SIGKILL');
  }
}
