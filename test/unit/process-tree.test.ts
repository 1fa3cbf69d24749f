import { type ChildProcess, spawn } from 'node:child_process';
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
import { isRunning } from '../support/processes';

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** After a stop: the agent and its tool are gone, and every bystander still runs (then is ended here). */
async function expectStopped(stopped: number[], bystanders: ChildProcess[]): Promise<void> {
  await settle();
  for (const pid of stopped) expect(isRunning(pid)).toBe(false);
  for (const bystander of bystanders) {
    expect(isRunning(bystander.pid as number)).toBe(true);
    bystander.kill('SIGKILL');
  }
}

describe('process tree', () => {
  it('finds and signals descendants, even in process groups of their own', async () => {
    // A shell whose child starts its own session, as tool processes do.
    const parent = spawn('/bin/sh', ['-c', 'setsid sleep 30 & wait'], { stdio: 'ignore' });
    await settle();
    const [child] = descendantsOf(parent.pid as number);
    expect(child).toBeDefined();
    expect(isRunning(child as number)).toBe(true);
    const found = signalTree(parent.pid as number, 'SIGKILL');
    expect(found.map((ref) => ref.pid)).toContain(child);
    await settle();
    expect(isRunning(child as number)).toBe(false);
    parent.kill('SIGKILL');
  });

  it('signals a process found earlier only while it is provably the same process', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = sleeper.pid as number;
    // The same pid with another start time stands for a newcomer that reused it.
    signalKnown([{ pid, startTime: '1' }], 'SIGKILL');
    signalKnown([{ pid, startTime: undefined }], 'SIGKILL');
    await settle();
    expect(isRunning(pid)).toBe(true);
    const parent = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    await settle();
    const refs = signalTree(parent.pid as number, 'SIGCONT');
    expect(refs).toHaveLength(1);
    signalKnown(refs, 'SIGKILL');
    await settle();
    expect(isRunning(refs[0]?.pid as number)).toBe(false);
    sleeper.kill('SIGKILL');
    parent.kill('SIGKILL');
  });

  it('counts an ended process as gone, and this process as alive', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const quick = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve) => quick.on('exit', resolve));
    await settle();
    expect(isProcessAlive(quick.pid as number)).toBe(false);
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
    await settle();
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
    await settle();
    const [tool] = descendantsOf(agent.pid as number);
    expect(tool).toBeDefined();
    expect(agentsOfSession(sessionId)).toEqual([agent.pid]);

    stopOrphanedAgent(sessionId);
    await expectStopped([agent.pid as number, tool as number], bystanders);
  });
});
