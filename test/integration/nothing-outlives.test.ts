/**
 * Nothing the agent starts outlives its task: what its shell left in the background (`cmd &`, `nohup cmd &`,
 * `setsid cmd &`) is gone after a stop, after the normal end of an iteration, and after the next start that
 * follows a crash. With the real claude CLI against the scripted API, in a PID namespace and without one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import { until } from '../support/polling';
import { processesOfSession, uniqueSleep } from '../support/processes';
import type { Script } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { bashCall, usageFor } from '../support/scripts';

const setUp = useScriptedWorkspaces();

/**
 * Three sleeps left behind the three ways a shell can, each started through `sh -c` that marks a file once
 * it has its final session and group; the command returns only then, so no race decides what is tested.
 */
function backgroundJobs() {
  const sleeps = [uniqueSleep(), uniqueSleep(), uniqueSleep()];
  const [plain, nohup, setsid] = sleeps.map((s) => s.command);
  const command = [
    `sh -c 'touch .a; exec ${plain}' >/dev/null 2>&1 &`,
    `nohup sh -c 'touch .b; exec ${nohup}' >/dev/null 2>&1 &`,
    `setsid sh -c 'touch .c; exec ${setsid}' >/dev/null 2>&1 &`,
    'while [ ! -e .a ] || [ ! -e .b ] || [ ! -e .c ]; do sleep 0.05; done',
    'echo started',
  ].join('\n');
  return { command, running: () => sleeps.filter((s) => s.running()).length };
}

/** Session 1 starts the jobs; its next turn is answered after `laterDelayMs` (long: Baton is stopped first). */
function jobsScript(command: string, laterDelayMs: number): Script {
  return ({ sessionOrdinal, turnInSession }) =>
    turnInSession === 1
      ? { toolUse: bashCall(command), usage: usageFor(sessionOrdinal, turnInSession) }
      : { text: 'Done for now.', delayMs: laterDelayMs, usage: usageFor(sessionOrdinal, turnInSession) };
}

const runArgs = (project: string) => [
  'run',
  '--dir',
  project,
  '--prompt',
  'start the jobs',
  '--permission-mode',
  'bypassPermissions',
  '--model',
  'claude-sonnet-4-5',
  '--max-iterations',
  '1',
  '--json',
];

/**
 * Starts `baton run` on a task whose agent leaves the jobs in the background and then waits on its next
 * turn (so the jobs are on their own by then); resolves once they all run, with the session's id.
 */
async function runningWithJobs(extraEnv: (root: string) => NodeJS.ProcessEnv) {
  const jobs = backgroundJobs();
  const workspace = await setUp(jobsScript(jobs.command, 120_000));
  const { server, project, env } = workspace;
  const baton = startBaton(runArgs(project), { ...env, ...extraEnv(workspace.root) });
  const turns = () => server.requests.filter((r) => r.sessionId !== undefined);
  expect(await until(() => turns().length >= 2, 60_000)).toBe(true);
  expect(await until(() => jobs.running() === 3)).toBe(true);
  return { baton, jobs, env, sessionId: turns()[0]?.sessionId as string };
}

describe.each(['namespace', 'tracking'] as const)('with BATON_ISOLATION=%s', (isolation) => {
  it('a stop (SIGTERM to baton run) leaves no process of the task alive', async () => {
    const { baton, jobs, sessionId } = await runningWithJobs(() => ({ BATON_ISOLATION: isolation }));
    process.kill(baton.pid, 'SIGTERM');
    const run = await baton.exited;
    expect(run.code).toBe(130);
    expect(lastJsonLine<TaskJson>(run.stdout).status).toBe('cancelled');
    expect(await until(() => jobs.running() === 0)).toBe(true);
    expect(processesOfSession(sessionId)).toEqual([]);
  });

  it('the normal end of an iteration leaves no process of it alive', async () => {
    const jobs = backgroundJobs();
    const { server, project, env } = await setUp(jobsScript(jobs.command, 0));
    const run = await runBaton(runArgs(project), { ...env, BATON_ISOLATION: isolation });
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions.map((s) => s.status)).toEqual(['completed']);
    expect(await until(() => jobs.running() === 0)).toBe(true);
    expect(processesOfSession(server.requests.find((r) => r.sessionId)?.sessionId as string)).toEqual([]);
  });

  it('after a crash, the next start ends what the killed Baton’s agent left in the background', async () => {
    const { baton, jobs, env, sessionId } = await runningWithJobs(() => ({ BATON_ISOLATION: isolation }));
    process.kill(-baton.pid, 'SIGKILL');
    await baton.exited;
    expect(jobs.running()).toBe(3);

    const listed = await runBaton(['tasks', '--json'], env);
    expect(listed.stderr).toBe('');
    expect(await until(() => jobs.running() === 0)).toBe(true);
    expect(processesOfSession(sessionId)).toEqual([]);
  });
});

describe('on a machine without bubblewrap', () => {
  /** A PATH with what the agent's shell and Baton need, and no bwrap. */
  function pathWithoutBwrap(root: string): string {
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    for (const tool of ['node', 'bash', 'sh', 'sleep', 'touch', 'nohup', 'setsid', 'git']) {
      const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(found, path.join(bin, tool));
    }
    return bin;
  }

  it('refuses BATON_ISOLATION=namespace at start, saying why, and writes nothing', async () => {
    const { root, project, env, db } = await setUp(jobsScript('true', 0));
    const run = await runBaton(runArgs(project), {
      ...env,
      PATH: pathWithoutBwrap(root),
      BATON_ISOLATION: 'namespace',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('baton: BATON_ISOLATION is "namespace", but bwrap (bubblewrap) is not installed\n');
    expect(existsSync(db)).toBe(false);
  });

  it('falls back to tracking by default: a stop still leaves no process of the task alive', async () => {
    const { baton, jobs } = await runningWithJobs((root) => ({ PATH: pathWithoutBwrap(root) }));
    process.kill(baton.pid, 'SIGTERM');
    expect((await baton.exited).code).toBe(130);
    expect(await until(() => jobs.running() === 0)).toBe(true);
  });
});
