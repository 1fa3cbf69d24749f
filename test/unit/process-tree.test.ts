import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendantsOf, isProcessAlive, signalKnown, signalTree } from '../../src-main/core/process-tree';
import { isRunning } from '../support/processes';

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

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
});
