/**
 * One program behind every front end: a task run with `baton run` is
 * recorded exactly as one launched from the window, and the run flags and
 * batch entries both reach the task's typed spec.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { TaskDetail } from '../../src-main/contract/views';
import { openBaton } from '../../src-main/service/open-baton';
import { lastJsonLine, runBaton } from '../support/baton-cli';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { iterationScript, usageFor } from '../support/scripts';

const setUp = useScriptedWorkspaces();

/** The kinds of a session's recorded events, without the running usage totals (their count depends on timing). */
const kinds = (events: AgentEvent[]) => events.map((event) => event.kind).filter((kind) => kind !== 'usage');

describe('one program', () => {
  it('records the stream of a CLI run for replay, exactly as for a task launched from the window', async () => {
    const { project, db, env } = await setUp(iterationScript(2));
    const cli = await runBaton(['run', '--dir', project, '--prompt', 'from the terminal', '--json'], env);
    expect(cli.stderr).toBe('');
    const fromCli = lastJsonLine<TaskJson>(cli.stdout);
    expect(fromCli.sessions).toHaveLength(2);

    // The window's path: launchTask through the same service, on the same database.
    const service = await openBaton({ mode: 'browser', databaseFile: db, env: { ...process.env, ...env } });
    try {
      const launched = await service.call('launchTask', { dir: project, prompt: 'from the window' });
      await service.waitForTask(launched.id);
      const fromWindow: TaskDetail = await service.call('getTask', { taskId: launched.id });
      expect(fromWindow.sessions).toHaveLength(1);

      const replayOf = async (sessionId: string) => (await service.call('getSessionEvents', { sessionId })).events;
      const windowReplay = await replayOf(fromWindow.sessions[0]!.sessionId);
      expect(kinds(windowReplay)).toEqual(expect.arrayContaining(['init', 'text', 'result']));
      for (const session of fromCli.sessions) {
        const replay = await replayOf(session.sessionId);
        expect(kinds(replay), `replay of CLI session ${session.iteration}`).toEqual(kinds(windowReplay));
        const result = replay.find((event) => event.kind === 'result');
        expect(result?.kind === 'result' && result.result.usage.inputTokens).toBe(session.inputTokens);
      }
    } finally {
      await service.close();
    }
  });

  it('stores every run flag in the task spec, and takes flags beside --batch as defaults for each entry', async () => {
    const { project, root, env } = await setUp(iterationScript(0));
    const single = await runBaton(
      [
        'run',
        ...['--dir', project, '--prompt', 'flags', '--max-iterations', '1', '--permission-mode', 'acceptEdits'],
        ...['--budget-usd', '5', '--max-turns', '4', '--idle-timeout', '90', '--max-retries', '1', '--json'],
      ],
      env,
    );
    expect(lastJsonLine<TaskJson>(single.stdout).spec).toMatchObject({
      maxIterations: 1,
      permissionMode: 'acceptEdits',
      budgetUsd: 5,
      maxTurns: 4,
      idleTimeoutSeconds: 90,
      maxRetries: 1,
    });

    const batch = path.join(root, 'batch.json');
    writeFileSync(
      batch,
      JSON.stringify([
        { prompt: 'uses the defaults' },
        {
          prompt: 'overrides them',
          maxIterations: 2,
          model: 'claude-opus-4-1',
          checkTimeout: 30,
          budgetUsd: 3,
          allowedTools: ['Read', 'Bash(git commit:*)'],
        },
      ]),
    );
    const run = await runBaton(
      ['run', '--batch', batch, '--dir', project, '--max-iterations', '1', '--model', 'claude-sonnet-4-5', '--json'],
      env,
    );
    expect(run.code).toBe(1);
    const [first, second] = lastJsonLine<TaskJson[]>(run.stdout);
    expect(first?.spec).toMatchObject({ dir: project, maxIterations: 1, model: 'claude-sonnet-4-5' });
    expect(first?.iterations).toBe(1);
    expect(second?.spec).toMatchObject({
      dir: project,
      maxIterations: 2,
      model: 'claude-opus-4-1',
      checkTimeoutSeconds: 30,
      budgetUsd: 3,
      allowedTools: ['Read', 'Bash(git commit:*)'],
    });
    expect(second?.iterations).toBe(2);
  });

  it('takes each rule after --allowed-tools into the spec, and the agent may run what they allow unasked', async () => {
    const { project, db, env } = await setUp(({ sessionOrdinal, turnInSession }) => {
      const usage = usageFor(sessionOrdinal, turnInSession);
      if (turnInSession > 1) return { text: 'Ran the tests. BATON_TASK_COMPLETE', usage };
      return { toolUse: { name: 'Bash', input: { command: 'npm test', description: 'run the tests' } }, usage };
    });
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ scripts: { test: 'touch tested.txt' } }));
    const run = await runBaton(
      [
        'run',
        ...['--dir', project, '--prompt', 'run the tests', '--max-iterations', '1', '--permission-mode', 'default'],
        ...['--allowed-tools', 'Edit', 'Bash(npm test:*)', '--json'],
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.spec.allowedTools).toEqual(['Edit', 'Bash(npm test:*)']);
    // The default mode refuses this Bash call headless; the rule, space and all, let it run.
    expect(existsSync(path.join(project, 'tested.txt'))).toBe(true);
    expect(task.sessions[0]).toMatchObject({ status: 'completed', permissionDenials: 0 });
    const shown = await runBaton(['task', task.id, '--json', '--db', db], {});
    expect(lastJsonLine<TaskJson>(shown.stdout).spec.allowedTools).toEqual(['Edit', 'Bash(npm test:*)']);
  });

  it('passes a prompt that starts like an option, or names a CLI command, to the agent as the prompt', async () => {
    const { project, env } = await setUp(iterationScript(0));
    for (const prompt of ['- fix the failing tests', 'mcp list']) {
      const run = await runBaton(['run', '--dir', project, '--prompt', prompt, '--max-iterations', '1', '--json'], env);
      const task = lastJsonLine<TaskJson>(run.stdout);
      expect(
        task.sessions.map((s) => [s.status, s.error]),
        prompt,
      ).toEqual([['completed', null]]);
    }
  });

  it('refuses a bad flag beside --batch as it would without one, writing nothing', async () => {
    const { project, root, env, db } = await setUp(iterationScript(0));
    const batch = path.join(root, 'batch.json');
    writeFileSync(batch, JSON.stringify([{ dir: project, prompt: 'x' }]));
    const run = await runBaton(['run', '--batch', batch, '--max-iterations', '0'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`baton: batch file ${batch}, task 1: max iterations must be at least 1\n`);
    expect(existsSync(db)).toBe(false);
  });
});
