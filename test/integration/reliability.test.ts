/**
 * Stop, crash recovery and resume, with the real claude CLI against the
 * scripted API. Baton itself is killed or signalled as a user or the OS would.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDataSource } from '../../src-main/core/store/data-source';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import type { Script } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { gate, iterationScript, usageFor } from '../support/scripts';
import { isRunning, uniqueSleep } from '../support/processes';

const setUp = useScriptedWorkspaces();

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('stop', () => {
  it('Ctrl-C on baton run kills the agent and its tool processes, stores the session cancelled and exits 130', async () => {
    const job = uniqueSleep();
    const script: Script = ({ sessionOrdinal, turnInSession }) =>
      turnInSession === 1
        ? {
            text: 'Starting a long job.',
            toolUse: {
              name: 'Bash',
              input: { command: `${job.command} & wait`, description: 'long job' },
            },
            usage: usageFor(sessionOrdinal, turnInSession),
          }
        : { text: 'done', usage: usageFor(sessionOrdinal, turnInSession) };
    const { project, env, db } = await setUp(script);
    const baton = startBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'run the job',
        '--permission-mode',
        'bypassPermissions',
        '--model',
        'claude-sonnet-4-5',
        '--json',
      ],
      env,
    );
    expect(await until(job.running, 60_000)).toBe(true);

    process.kill(baton.pid, 'SIGINT');
    const run = await baton.exited;
    expect(run.code).toBe(130);
    expect(await until(() => !job.running())).toBe(true);

    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.status).toBe('cancelled');
    expect(task.sessions).toHaveLength(1);
    expect(task.sessions[0]).toMatchObject({ status: 'cancelled', inputTokens: usageFor(1, 1).input_tokens });
    const shown = await runBaton(['task', task.id, '--json', '--db', db], {});
    expect(lastJsonLine<TaskJson>(shown.stdout).status).toBe('cancelled');
  });
});

describe('limits', () => {
  it('--timeout kills an iteration that runs too long and records why', async () => {
    // The answer never comes in time: whenever the agent gets to ask (a slow start on a loaded machine may
    // take the whole limit), only the limit can end its iteration.
    const never = gate();
    const { project, env } = await setUp((ctx) => ({ ...iterationScript(0)(ctx), heldUntil: never.opened }));
    const run = await runBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'x',
        '--timeout',
        '2',
        '--max-iterations',
        '1',
        '--max-retries',
        '0',
        '--json',
      ],
      env,
    );
    expect(run.code).toBe(1);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions[0]).toMatchObject({ status: 'failed', error: 'stopped after its 2s time limit' });
    never.open();
  });

  it('rejects a bad Baton environment value with one line and writes nothing', async () => {
    const { project, env, db } = await setUp(iterationScript(1));
    const run = await runBaton(['run', '--dir', project, '--prompt', 'x'], { ...env, BATON_RETRY_BASE_MS: 'soon' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('baton: BATON_RETRY_BASE_MS must be a whole number of milliseconds\n');
    expect(existsSync(db)).toBe(false);
  });
});

describe('budgets', () => {
  it('ends a task at its budget, passing the remainder to the real CLI', async () => {
    const { server, project, env } = await setUp(iterationScript(0));
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'x', '--model', 'claude-sonnet-4-5', '--budget-usd', '0.02', '--json'],
      env,
    );
    expect(run.code).toBe(1);
    const task = lastJsonLine<TaskJson>(run.stdout);
    // Sessions cost about $0.005, $0.011 and $0.016: the third starts with $0.004 left, and the CLI stops at it.
    expect(task).toMatchObject({ status: 'budget_exceeded', iterations: 3 });
    expect(task.statusReason).toBe('the agent stopped at its budget in iteration 3');
    // In words, with the money as every view writes it; never the CLI's code for it.
    expect(task.sessions[2]?.error).toMatch(/^the agent stopped at its budget \(\$0\.00\d\d for this session\)/);
    expect(task.sessions[2]?.error).not.toMatch(/error_max_budget_usd/);
    // The CLI reports no usage when it stops at its budget; the tokens it streamed are still metered.
    const sent = server.usageBySession().get(task.sessions[2]?.sessionId as string);
    expect(task.sessions[2]?.inputTokens).toBe(sent?.input_tokens);
    expect(task.sessions[2]?.cacheReadTokens).toBe(sent?.cache_read_input_tokens);
  });

  it('honours the daily budget from the settings', async () => {
    const { project, env } = await setUp(iterationScript(0));
    expect((await runBaton(['settings', '--daily-budget-usd', 'lots'], env)).code).toBe(2);
    // The budget's day is a day of the zone set here (or by a window), else the system's.
    const unknownZone = await runBaton(['settings', '--timezone', 'Mars/Olympus'], env);
    expect(unknownZone.code).toBe(2);
    expect(unknownZone.stderr).toMatch(/--timezone: "Mars\/Olympus" is not a time zone this system knows/);
    expect((await runBaton(['settings', '--timezone', 'asia/tokyo'], env)).stdout).toContain(
      'days of the daily budget: Asia/Tokyo\n',
    );
    expect((await runBaton(['settings', '--timezone', 'system'], env)).stdout).toMatch(
      /days of the daily budget: \S+ \(the system's zone\)\n/,
    );
    const set = await runBaton(['settings', '--daily-budget-usd', '0.005', '--json'], env);
    expect(JSON.parse(set.stdout)).toEqual({
      taskDefaults: {},
      dailyBudgetUsd: 0.005,
      maxConcurrentTasks: 2,
      modelPrices: {},
      timeZone: null,
    });
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'x', '--model', 'claude-sonnet-4-5', '--json'],
      env,
    );
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'budget_exceeded', iterations: 1 });
    // A launch the spent budget refuses is bad input, and leaves no task behind.
    const again = await runBaton(['run', '--dir', project, '--prompt', 'y', '--json'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/reached the daily budget of \$0\.0050: the task was not launched; raise/);
    const listed = await runBaton(['tasks', '--json'], env);
    expect((JSON.parse(listed.stdout) as TaskJson[]).map((t) => t.id)).toEqual([task.id]);
  });
});

describe('crash recovery', () => {
  it('marks what a killed Baton left running as interrupted, keeps completed iterations, and resumes', async () => {
    // Iteration 2's answer never comes in time: the kill lands inside it, and its agent cannot end on its own.
    const slow: Script = (ctx) => ({ ...iterationScript(3)(ctx), delayMs: ctx.sessionOrdinal === 2 ? 120_000 : 500 });
    const { server, project, env, db } = await setUp(slow);
    const baton = startBaton(
      ['run', '--dir', project, '--prompt', 'work', '--max-iterations', '4', '--model', 'claude-sonnet-4-5'],
      env,
    );
    const started = await baton.waitFor(/\[iteration 2\/4\] started {2}session (\S+)/);
    const secondSession = started.match(/\[iteration 2\/4\] started {2}session (\S+)/)?.[1] as string;
    // Kill Baton once iteration 2's agent is really waiting on the API, not before it was spawned.
    expect(await until(() => server.requests.some((r) => r.sessionId === secondSession), 60_000)).toBe(true);
    process.kill(-baton.pid, 'SIGKILL');
    await baton.exited;

    // The agent of iteration 2 outlived Baton: it is still waiting for the API.
    const orphan = () =>
      readdirSync('/proc').some((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(secondSession) && isRunning(Number(pid));
        } catch {
          return false;
        }
      });
    expect(orphan()).toBe(true);

    // The next start finds the orphaned rows, and stops the orphaned agent.
    const listed = await runBaton(['tasks', '--json'], env);
    expect(await until(() => !orphan())).toBe(true);
    expect(listed.stderr).toBe('');
    const [task] = JSON.parse(listed.stdout) as Array<{ id: string; status: string; statusReason: string }>;
    expect(task).toMatchObject({
      status: 'interrupted',
      statusReason: expect.stringMatching(/Baton stopped while this ran/),
    });
    const shown = lastJsonLine<TaskJson>((await runBaton(['task', task?.id as string, '--json'], env)).stdout);
    expect(shown.sessions.map((s) => s.status)).toEqual(['completed', 'interrupted']);
    const firstSent = server.usageBySession().get(shown.sessions[0]?.sessionId as string);
    expect(shown.sessions[0]?.inputTokens).toBe(firstSent?.input_tokens);

    const dataSource = await openDataSource({ file: db });
    try {
      const [integrity] = await dataSource.query('PRAGMA integrity_check');
      expect(integrity.integrity_check).toBe('ok');
      const open = await dataSource.query(
        `SELECT COUNT(*) AS n FROM sessions WHERE status = 'running' OR ended_at IS NULL`,
      );
      expect(open[0].n).toBe(0);
    } finally {
      await dataSource.destroy();
    }

    const resumed = await runBaton(['resume', (task?.id as string).slice(0, 8), '--json'], env);
    expect(resumed.code).toBe(0);
    const after = lastJsonLine<TaskJson>(resumed.stdout);
    expect(after.status).toBe('completed');
    expect(after.sessions.map((s) => [s.iteration, s.status])).toEqual([
      [1, 'completed'],
      [2, 'interrupted'],
      [3, 'completed'],
    ]);
    expect(new Set(after.sessions.map((s) => s.sessionId)).size).toBe(3);
    expect((await runBaton(['resume', after.id], env)).code).toBe(2);
  });

  it('never marks a live run in another process as interrupted', async () => {
    // The API holds its answer until the listing is done: the run is live while it is listed, however slow the machine.
    const listedAlready = gate();
    const held: Script = (ctx) => ({ ...iterationScript(1)(ctx), heldUntil: listedAlready.opened });
    const { project, env } = await setUp(held);
    const baton = startBaton(
      ['run', '--dir', project, '--prompt', 'work', '--model', 'claude-sonnet-4-5', '--json'],
      env,
    );
    await baton.waitFor(/\[iteration 1\/5\] started/);

    const listed = await runBaton(['tasks', '--json'], env);
    listedAlready.open();
    expect(JSON.parse(listed.stdout)).toMatchObject([{ status: 'running' }]);

    const run = await baton.exited;
    expect(run.code).toBe(0);
    expect(lastJsonLine<TaskJson>(run.stdout).sessions.map((s) => s.status)).toEqual(['completed']);
  });
});
