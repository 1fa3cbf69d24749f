/**
 * A run's processes, found however they left its tree: re-parented to init (`cmd &`), out of its session
 * and group (`setsid`), with `nohup`. Real processes, in a PID namespace of the run's own and without one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCompletionCheck } from '../../src-main/core/orchestrator/steps/completion-check';
import {
  containedCommand,
  isolationProblem,
  namespaceProblem,
  RunProcesses,
} from '../../src-main/core/process-containment';
import { until } from '../support/polling';
import { uniqueSleep } from '../support/processes';

const MARK = 'BATON_SESSION_ID';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/**
 * A run whose shell leaves three sleeps behind in the three ways a tool does, says so on stdout, and then
 * either exits or waits to be stopped.
 */
function startRun(isolation: 'namespace' | 'tracking', then: 'exit' | 'wait') {
  const sleeps = [uniqueSleep(), uniqueSleep(), uniqueSleep()];
  const [plain, nohup, setsid] = sleeps.map((s) => s.command);
  const script = [
    // A stopped run's shell ends on SIGTERM with its own code, so the test can tell it was asked, not killed;
    // set before it says it started, so a stop that comes at once finds it set.
    then === 'wait' ? `trap 'exit 7' TERM` : ':',
    `${plain} >/dev/null 2>&1 &`,
    `nohup ${nohup} >/dev/null 2>&1 &`,
    `setsid ${setsid} >/dev/null 2>&1 &`,
    'echo started',
    then === 'wait' ? `while :; do sleep 1; done` : 'exit 0',
  ].join('\n');
  const id = randomUUID();
  const command = containedCommand('/bin/sh', ['-c', script], isolation);
  const child = spawn(command.file, command.args, {
    env: { ...process.env, [MARK]: id },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  started.push(child);
  const processes = new RunProcesses(child, `${MARK}=${id}`, command.namespace);
  const saidStarted = new Promise<void>((resolve) => child.stdout?.on('data', () => resolve()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, processes, sleeps, saidStarted, exited, namespace: command.namespace };
}

/** Sleeps started by the run may still be on their way to exec: wait until each shows as a sleep. */
async function expectAllRunning(sleeps: Array<{ running: () => boolean }>): Promise<void> {
  expect(await until(() => sleeps.every((s) => s.running()))).toBe(true);
}

async function expectNoneRunning(sleeps: Array<{ running: () => boolean }>): Promise<void> {
  expect(await until(() => sleeps.every((s) => !s.running()), 3000)).toBe(true);
}

describe.each(['namespace', 'tracking'] as const)('a run with isolation %s', (isolation) => {
  it('really runs as asked', () => {
    expect(isolationProblem(isolation)).toBeUndefined();
    expect(containedCommand('/bin/sh', [], isolation).namespace).toBe(isolation === 'namespace');
  });

  it('leaves nothing behind once its first process has exited, however its processes left its tree', async () => {
    const run = startRun(isolation, 'exit');
    await run.saidStarted;
    await run.exited;
    await expectAllRunning(run.sleeps);
    const bystander = uniqueSleep();
    // Another run's process, marked with another id.
    const other = spawn('/bin/sh', ['-c', `exec ${bystander.command}`], {
      env: { ...process.env, [MARK]: randomUUID() },
      stdio: 'ignore',
      detached: true,
    });
    started.push(other);
    expect(await until(bystander.running)).toBe(true);

    run.processes.kill();
    await expectNoneRunning(run.sleeps);
    expect(bystander.running()).toBe(true);
  });

  it('asks every process to end on a stop, the agent first among them, and kills what is left', async () => {
    const run = startRun(isolation, 'wait');
    await run.saidStarted;
    await expectAllRunning(run.sleeps);
    run.processes.terminate();
    // The shell got SIGTERM itself and ended by its trap: in a namespace, bubblewrap passed its code on.
    expect(await run.exited).toEqual({ code: 7, signal: null });
    run.processes.kill();
    await expectNoneRunning(run.sleeps);
    expect(await until(() => run.processes.members()?.length === 0)).toBe(true);
  });
});

describe('a run in a PID namespace', () => {
  it('leaves nothing behind, not even what cleared its environment and left its session', async () => {
    // What tracking cannot find (README: `env -i setsid cmd &` escapes it) still dies with the namespace.
    const escaped = uniqueSleep();
    const id = randomUUID();
    const script = `env -i setsid ${escaped.command} >/dev/null 2>&1 &\nexit 0`;
    const command = containedCommand('/bin/sh', ['-c', script], 'namespace');
    const child = spawn(command.file, command.args, {
      env: { ...process.env, [MARK]: id },
      stdio: 'ignore',
      detached: true,
    });
    started.push(child);
    await new Promise((resolve) => child.on('exit', resolve));
    await expectAllRunning([escaped]);
    new RunProcesses(child, `${MARK}=${id}`, command.namespace).kill();
    await expectNoneRunning([escaped]);
  });
});

describe('the machine', () => {
  it('gives a PID namespace on Linux, where CI installs bubblewrap', () => {
    expect(process.platform === 'linux' ? namespaceProblem() : 'not linux').toBeUndefined();
  });

  it('starts a file that cannot be run as it is, so that the spawn says why', () => {
    expect(containedCommand('/nonexistent/agent', ['-p'], 'auto')).toEqual({
      file: '/nonexistent/agent',
      args: ['-p'],
      namespace: false,
    });
  });
});

describe('the completion check', () => {
  it('leaves nothing behind once it has exited, not even what left its session and group', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-check-'));
    const left = uniqueSleep();
    // The check exits only once its background process has left the check's session and group.
    const command = [
      `setsid sh -c 'touch left; exec ${left.command}' >/dev/null 2>&1 &`,
      'while [ ! -e left ]; do sleep 0.01; done',
      'exit 3',
    ].join('\n');
    try {
      const result = await runCompletionCheck(command, dir, 60_000);
      expect(result.exitCode).toBe(3);
      await expectNoneRunning([left]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
