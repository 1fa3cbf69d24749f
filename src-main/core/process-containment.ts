/**
 * A run (an agent's session, or a completion check) must leave no process behind when it is stopped or
 * ends, whatever its processes did to leave its tree: `cmd &` is handed to init once its shell exits, and
 * `setsid cmd &` leaves the run's session and process group too. Two ways keep them all findable:
 * - a PID namespace of the run's own (Linux, with bubblewrap): every process the run starts is in it, and
 *   when the namespace's init (bubblewrap's own) is killed, the kernel kills everything in it;
 * - tracking: every process inherits the run's mark in its environment, and the run's session and process
 *   group are followed too, all read from /proc. Without /proc (macOS) only the tree and the group are.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import {
  descendantsIn,
  environHas,
  isSameProcess,
  type ProcessRef,
  type ProcStat,
  readProcStat,
  refOf,
  signal,
  signalGroup,
  signalTree,
} from './process-tree';

/** How a run's processes are kept: `auto` takes a PID namespace where the machine allows one. */
export const ISOLATIONS = ['auto', 'namespace', 'tracking'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

/**
 * bubblewrap's arguments: the whole file system as it is (devices too), a PID namespace, and a /proc that
 * shows only that namespace, so that the pids the agent's tools see are the ones `kill` takes there.
 */
const BWRAP_ARGS = ['--dev-bind', '/', '/', '--proc', '/proc', '--unshare-pid'];

/** The outcome of trying bubblewrap once per process: undefined while untried, null when it works. */
let namespaceCheck: string | null | undefined;

/** Why this machine gives a run no PID namespace, or undefined when it does. Tried once, with a real namespace. */
export function namespaceProblem(): string | undefined {
  if (namespaceCheck === undefined) namespaceCheck = tryNamespace();
  return namespaceCheck ?? undefined;
}

function tryNamespace(): string | null {
  if (process.platform !== 'linux') return 'PID namespaces are Linux only';
  const probe = spawnSync('bwrap', [...BWRAP_ARGS, '--', 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 10_000,
  });
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return 'bwrap (bubblewrap) is not installed';
  }
  if (probe.error || probe.status !== 0) {
    const said = probe.stderr?.trim().split('\n')[0] || probe.error?.message || `exit ${probe.status}`;
    return `bwrap cannot make a PID namespace here: ${said}`;
  }
  return null;
}

export interface ContainedCommand {
  file: string;
  args: string[];
  /** Whether the command runs in a PID namespace of its own (its first process is then bubblewrap's). */
  namespace: boolean;
}

/** Whether a path names a file that can be run. A bare name is looked up on PATH by the one who runs it. */
function runnable(file: string): boolean {
  if (!file.includes('/')) return true;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The command that runs `file` with `args` under the isolation asked for (or the best one, for `auto`). */
export function containedCommand(file: string, args: string[], isolation: Isolation): ContainedCommand {
  // A file that cannot be run is started as it is: the spawn fails then with the system's own reason.
  if (isolation === 'tracking' || !runnable(file)) return { file, args, namespace: false };
  const problem = namespaceProblem();
  if (problem === undefined || isolation === 'namespace') {
    return { file: 'bwrap', args: [...BWRAP_ARGS, '--', file, ...args], namespace: true };
  }
  return { file, args, namespace: false };
}

/** Why the isolation asked for cannot be had here, for a refusal at start; undefined when it can. */
export function isolationProblem(isolation: Isolation): string | undefined {
  const problem = isolation === 'namespace' ? namespaceProblem() : undefined;
  return problem && `BATON_ISOLATION is "namespace", but ${problem}`;
}

/** Every process /proc lists, or undefined without /proc. */
function processTable(): Map<number, ProcStat> | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const table = new Map<number, ProcStat>();
  for (const name of names) {
    const stat = readProcStat(Number(name));
    if (stat) table.set(Number(name), stat);
  }
  return table;
}

/** How often `kill` looks again: a process may fork while the others are looked for, never once it is killed. */
const KILL_ROUNDS = 4;

/**
 * The processes of one run: its first process (`leader`, spawned with `detached: true`, so it leads a
 * session and a process group of its own), everything below it, everything in that session or group, and
 * everything whose environment carries `mark` (`NAME=value`, unique to the run).
 */
export class RunProcesses {
  private readonly leader: number;
  /** Found by `terminate`: signalled again by `kill` while provably the same processes. */
  private known: ProcessRef[] = [];

  constructor(
    private readonly child: ChildProcess,
    private readonly mark: string,
    private readonly namespace: boolean,
  ) {
    this.leader = child.pid as number;
  }

  /** Node reaps the leader only just before it says it exited: until then its pid is surely still its own. */
  private leaderAlive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Live processes of the run, found now (this process aside); undefined without /proc. */
  members(): number[] | undefined {
    const table = processTable();
    if (!table) return undefined;
    const { leader } = this;
    const leaderAlive = this.leaderAlive();
    // The leader's pid names its session and group only while no newcomer was given it: a pid stays
    // reserved while a session or group of that id has members, so a newcomer means they are gone.
    const holder = table.get(leader);
    const idsAreOurs = leaderAlive || holder === undefined;
    const below = new Set(leaderAlive ? descendantsInTable(table, leader) : []);
    const found: number[] = [];
    for (const [pid, stat] of table) {
      if (pid === process.pid || stat.state === 'Z' || stat.state === 'X') continue;
      if (pid === leader && !leaderAlive) continue;
      const inRun =
        (pid === leader && leaderAlive) ||
        below.has(pid) ||
        (idsAreOurs && (stat.session === String(leader) || stat.pgrp === String(leader))) ||
        environHas(pid, this.mark);
      if (inRun) found.push(pid);
    }
    return found;
  }

  /**
   * Asks every process of the run to end (SIGTERM). In a namespace its first process is spared: bubblewrap
   * would die at once and leave the agent no grace; it ends by itself when the agent does.
   */
  terminate(): void {
    const members = this.members();
    if (!members) {
      this.known = signalTree(this.leader, 'SIGTERM', this.known);
      signalGroup(this.leader, 'SIGTERM');
      return;
    }
    const targets = members.filter((pid) => !(this.namespace && pid === this.leader));
    for (const pid of targets) signalWithGroup(pid, 'SIGTERM');
    this.known = [...this.known.filter(isSameProcess), ...targets.map(refOf)];
  }

  /** Ends every process of the run (SIGKILL), looking again until none is left. */
  kill(): void {
    for (const ref of this.known.filter(isSameProcess)) signalWithGroup(ref.pid, 'SIGKILL');
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const members = this.members();
      if (!members) {
        if (this.leaderAlive()) this.known = signalTree(this.leader, 'SIGKILL', this.known);
        // A group id stays reserved while the group has members, so this cannot reach a stranger's group.
        signalGroup(this.leader, 'SIGKILL');
        return;
      }
      if (members.length === 0) return;
      for (const pid of members) signalWithGroup(pid, 'SIGKILL');
    }
  }
}

/** Pids below `root` in the table. */
function descendantsInTable(table: Map<number, ProcStat>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, stat] of table) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  return descendantsIn(children, root);
}

/** Signals a process, and its group when it leads one: a member of that group may have cleared the mark. */
function signalWithGroup(pid: number, sig: NodeJS.Signals): void {
  if (readProcStat(pid)?.pgrp === String(pid)) signal(-pid, sig);
  signal(pid, sig);
}
