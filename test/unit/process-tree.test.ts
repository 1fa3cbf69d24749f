import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  agentsOfSession,
  descendantsOf,
  isProcessAlive,
  signalKnown,
  signalTree,
  SESSION_ENV,
  stopOrphanedAgent,
} from '../../src-main/core/process-tree';
import { until } from '../support/polling';
import { isRunning } from '../support/processes';

/** Until processes we started have exec'd their commands (each a sleep): before that, /proc shows copies of this one. */
async function execd(...pids: Array<number | undefined>): Promise<void> {
  for (const pid of pids) {
    expect(await until(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep'))).toBe(true);
  }
}

/** Until the process has a child: the shell has started its tool. */
async function hasChild(pid: number | undefined): Promise<void> {
  expect(await until(() => descendantsOf(pid as number).length > 0)).toBe(true);
}

/** The signal a process we started died of. */
function endedBy(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

/**
 * After a stop: the agent and its tool go, and no bystander was signalled. Ended here with SIGTERM, a
 * bystander dies of it; one the stop had reached would have died of its SIGKILL, whenever it was looked at.
 */
async function expectStopped(stopped: number[], bystanders: ChildProcess[]): Promise<void> {
  for (const pid of stopped) expect(await until(() => !isRunning(pid))).toBe(true);
  for (const bystander of bystanders) {
    process.kill(-(bystander.pid as number), 'SIGTERM');
    expect(await endedBy(bystander)).toBe('SIGTERM');
  }
}

describe('process tree', () => {
  it('finds and signals descendants, even in process groups of their own', async () => {
    // A shell whose child starts its own session, as tool processes do.
    const parent = spawn('/bin/sh', ['-c', 'setsid sleep 30 & wait'], { stdio: 'ignore' });
    await hasChild(parent.pid);
    const [child] = descendantsOf(parent.pid as number);
    expect(isRunning(child as number)).toBe(true);
    const found = signalTree(parent.pid as number, 'SIGKILL');
    expect(found.map((ref) => ref.pid)).toContain(child);
    expect(await until(() => !isRunning(child as number))).toBe(true);
    parent.kill('SIGKILL');
  });

  it('signals a process found earlier only while it is provably the same process', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = sleeper.pid as number;
    // The same pid with another start time stands for a newcomer that reused it.
    await execd(pid);
    signalKnown([{ pid, startTime: '1' }], 'SIGKILL');
    signalKnown([{ pid, startTime: undefined }], 'SIGKILL');
    const parent = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    await hasChild(parent.pid);
    const refs = signalTree(parent.pid as number, 'SIGCONT');
    expect(refs).toHaveLength(1);
    signalKnown(refs, 'SIGKILL');
    expect(await until(() => !isRunning(refs[0]?.pid as number))).toBe(true);
    // Neither call with another start time reached the sleeper: it dies of this SIGTERM, not of their SIGKILL.
    sleeper.kill('SIGTERM');
    expect(await endedBy(sleeper)).toBe('SIGTERM');
    parent.kill('SIGKILL');
  });

  it('counts an ended process as gone, and this process as alive', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const quick = spawn('true', [], { stdio: 'ignore' });
    await endedBy(quick);
    expect(await until(() => !isProcessAlive(quick.pid as number))).toBe(true);
  });

  it('stops the orphaned agent of a session with what it started, and nothing that merely mentions the id', async () => {
    const sessionId = randomUUID();
    // Stand-ins for an agent: $0 and the arguments after the script show in the command line as an agent's flags do.
    const agent = spawn('/bin/sh', ['-c', 'setsid sleep 30 & wait', 'claude', '--session-id', sessionId], {
      stdio: 'ignore',
      detached: true,
    });
    const bystanders = [
      spawn('/bin/sh', ['-c', 'sleep 30', 'other', `notes-${sessionId}`], { stdio: 'ignore', detached: true }),
      spawn('/bin/sh', ['-c', 'sleep 30', 'other', sessionId], { stdio: 'ignore', detached: true }),
      // An id that is not a uuid, as tests and hand-made rows have, names no agent at all.
      spawn('/bin/sh', ['-c', 'sleep 30', 'other', '--session-id', 'left'], { stdio: 'ignore', detached: true }),
    ];
    await execd(agent.pid, ...bystanders.map((bystander) => bystander.pid));
    await hasChild(agent.pid);
    const [tool] = descendantsOf(agent.pid as number);
    expect(tool).toBeDefined();
    expect(agentsOfSession(sessionId)).toEqual([agent.pid]);
    expect(agentsOfSession('left')).toEqual([]);

    stopOrphanedAgent(sessionId);
    stopOrphanedAgent('left');
    await expectStopped([agent.pid as number, tool as number], bystanders);
  });

  it('finds an agent by the session id in its environment (Codex takes none of ours), not its tools or bystanders', async () => {
    const sessionId = randomUUID();
    // The tool inherits the variable, as Codex's commands do: it must go with its agent, not count as one.
    const agent = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], {
      stdio: 'ignore',
      detached: true,
      env: { ...process.env, [SESSION_ENV]: sessionId },
    });
    const bystanders = [
      // Another session's agent, and a process whose variable merely contains the id.
      spawn('sleep', ['30'], { stdio: 'ignore', detached: true, env: { ...process.env, [SESSION_ENV]: randomUUID() } }),
      spawn('sleep', ['30'], { stdio: 'ignore', detached: true, env: { ...process.env, OTHER: `${sessionId}` } }),
      spawn('sleep', ['30'], {
        stdio: 'ignore',
        detached: true,
        env: { ...process.env, [SESSION_ENV]: `${sessionId}-copy` },
      }),
    ];
    await execd(agent.pid, ...bystanders.map((bystander) => bystander.pid));
    await hasChild(agent.pid);
    const [tool] = descendantsOf(agent.pid as number);
    expect(tool).toBeDefined();
    expect(agentsOfSession(sessionId)).toEqual([agent.pid]);

    stopOrphanedAgent(sessionId);
    await expectStopped([agent.pid as number, tool as number], bystanders);
  });
});
