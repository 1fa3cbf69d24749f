/**
 * Subscription windows with the real claude CLI: under CLAUDE_CODE_OAUTH_TOKEN it reads the
 * scripted API's quota headers and reports them as rate_limit_event lines, as it does for a
 * subscription login.
 */
import { describe, expect, it } from 'vitest';
import { openDataSource } from '../../src-main/core/store/data-source';
import { LiveQueries } from '../../src-main/core/store/live-queries';
import { lastJsonLine, runBaton, SKIP_WAITS, startBaton } from '../support/baton-cli';
import { quotaHeaders, type RecordedRequest, type Script } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { usageFor } from '../support/scripts';

const setUp = useScriptedWorkspaces();

/** The workspace's environment with a subscription token in place of the API key. */
function subscriptionEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ANTHROPIC_API_KEY: _, ...rest } = env;
  return { ...rest, CLAUDE_CODE_OAUTH_TOKEN: 'test-subscription-token', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
}

/**
 * How far off a reset is: longer than any test could wait, so a test passes only if Baton's orchestrator
 * runs on the skipping clock (SKIP_WAITS) and never waits in real time, and a slow start of the CLI on a
 * loaded machine cannot reach the reset before Baton looks.
 */
const RESET_IN_MS = 30 * 60_000;

/** A reset RESET_IN_MS after the API's first request, in whole seconds, as the headers carry it. */
function resetAfterFirstCall(): () => number {
  let at: number | undefined;
  return () => (at ??= Math.ceil((Date.now() + RESET_IN_MS) / 1000) * 1000);
}

/**
 * The first call is turned away with the quota headers of a spent window that reopens at `reopensAt`; every
 * later one is answered. Baton makes the next call only after its wait for the reset, which its orchestrator
 * spends on the skipping clock: the wait itself is checked where it is recorded (see waitsLogged).
 */
function windowSpentAtFirstCall(reopensAt: () => number): Script {
  let turnedAway = false;
  return ({ sessionOrdinal, turnInSession }) => {
    const resetsAt = Math.ceil(reopensAt() / 1000);
    if (!turnedAway) {
      turnedAway = true;
      return {
        errorStatus: 429,
        usage: usageFor(0, 0),
        headers: quotaHeaders({ status: 'rejected', utilization: 1, resetsAt }),
      };
    }
    return {
      text: `Made progress in session ${sessionOrdinal}.`,
      usage: usageFor(sessionOrdinal, turnInSession),
      headers: quotaHeaders({ status: 'allowed', utilization: 0.3, resetsAt: resetsAt + 5 * 3600 }),
    };
  };
}

/**
 * The task's waits as its process logged them, in order: each wake time, and how many of the events about
 * an agent's run (any session) came before the wait began and before it ended.
 */
async function waitsLogged(db: string, taskId: string) {
  const dataSource = await openDataSource({ file: db });
  try {
    const rows = (await dataSource.query(`SELECT type, payload FROM event_log WHERE task_id = ? ORDER BY seq`, [
      taskId,
    ])) as Array<{ type: string; payload: string }>;
    const waits: Array<{ wakeAt: number; runEventsBefore: number; runEventsUntilAwake: number }> = [];
    let runEvents = 0;
    for (const row of rows) {
      if (row.type === 'agent.event') runEvents++;
      else if (row.type === 'task.waiting') {
        const { wakeAt } = JSON.parse(row.payload) as { wakeAt: number };
        waits.push({ wakeAt, runEventsBefore: runEvents, runEventsUntilAwake: -1 });
      } else if (row.type === 'task.started' && waits.at(-1)?.runEventsUntilAwake === -1) {
        waits.at(-1)!.runEventsUntilAwake = runEvents;
      }
    }
    return { waits, runEvents };
  } finally {
    await dataSource.destroy();
  }
}

/** Baton's wake time for a window: its reset plus a jitter of 1 to 5 s. */
function expectWakeAtReset(wakeAt: number | null | undefined, resetsAt: number): void {
  expect(wakeAt).toBeGreaterThanOrEqual(resetsAt + 1000);
  expect(wakeAt).toBeLessThanOrEqual(resetsAt + 5000);
}

const messages = (requests: RecordedRequest[]) => requests.filter((r) => r.path === '/v1/messages');

/** The kinds of a session's stored events, as its replay plays them. */
async function replayOf(db: string, sessionId: string) {
  const dataSource = await openDataSource({ file: db });
  try {
    const stored = new LiveQueries(dataSource).eventsPassed(sessionId, null, 1000);
    return stored.map((s) => s.event);
  } finally {
    await dataSource.destroy();
  }
}

describe('a spent subscription window', () => {
  it('waits for the reset, making no call into the closed window, then finishes its iterations', async () => {
    const reopens = resetAfterFirstCall();
    const { server, project, env, db } = await setUp(windowSpentAtFirstCall(reopens));
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'work', '--max-iterations', '2', '--model', 'claude-sonnet-4-5', '--json'],
      { ...subscriptionEnv(env), ...SKIP_WAITS },
    );
    expect(run.stdout).toMatch(
      /\[waiting\] the 5-hour window is spent; it reopens at \d{4}-\d\d-\d\d \d\d:\d\d; goes on at/,
    );
    const task = lastJsonLine<TaskJson>(run.stdout);
    const reopensAt = reopens();
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 2, wakeAt: null });
    expect(task.sessions.map((s) => [s.status, s.retries])).toEqual([
      ['completed', 1],
      ['completed', 0],
    ]);
    const calls = messages(server.requests);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    // The one call into the closed window was the first; Baton then waited until the reset (plus jitter),
    // and only after that wait had ended did an agent run again.
    const { waits, runEvents } = await waitsLogged(db, task.id);
    expect(waits).toHaveLength(1);
    expectWakeAtReset(waits[0]?.wakeAt, reopensAt);
    expect(waits[0]?.runEventsUntilAwake).toBe(waits[0]?.runEventsBefore);
    expect(runEvents).toBeGreaterThan(waits[0]!.runEventsBefore);

    // The turned-away attempt is kept as a wait for quota: on the iteration, and in its replay after the agent's result.
    const shown = await runBaton(['task', task.id], subscriptionEnv(env));
    expect(shown.stdout).toMatch(
      /\n {4}attempt 1: waited \d\S* for quota \(the 5-hour window is spent; it reopens at \d{4}-\d\d-\d\d \d\d:\d\d\)\n/,
    );
    const replay = await replayOf(db, task.sessions[0]!.sessionId);
    const waitAt = replay.findIndex((e) => e?.kind === 'wait');
    expect(replay[waitAt]).toMatchObject({ kind: 'wait', for: 'quota', until: waits[0]?.wakeAt });
    expect(replay[waitAt - 1]).toMatchObject({ kind: 'result', result: { isError: true, apiErrorStatus: 429 } });
    // The new attempt's stream follows it.
    expect(replay[waitAt + 1]).toMatchObject({ kind: 'init' });
  }, 120_000);

  it('pauses before an iteration while the window is used past the threshold, until its reset', async () => {
    const resets = resetAfterFirstCall();
    const script: Script = ({ sessionOrdinal, turnInSession }) => ({
      text: `Made progress in session ${sessionOrdinal}.`,
      usage: usageFor(sessionOrdinal, turnInSession),
      headers: quotaHeaders({ status: 'allowed_warning', utilization: 0.95, resetsAt: resets() / 1000 }),
    });
    const { server, project, env, db } = await setUp(script);
    const run = await runBaton(
      [
        'run',
        '--dir',
        project,
        '--prompt',
        'work',
        '--max-iterations',
        '2',
        '--pause-at-utilization',
        '0.9',
        '--model',
        'claude-sonnet-4-5',
        '--json',
      ],
      { ...subscriptionEnv(env), ...SKIP_WAITS },
    );
    expect(run.stdout).toMatch(/\[waiting\] the 5-hour window is 95% used \(pause at 90%\); waiting for its reset/);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 2 });
    const sessions = [...new Set(messages(server.requests).map((r) => r.sessionId))];
    expect(sessions).toHaveLength(2);
    // One wait, between the iterations, until the reset: iteration 2's agent ran only after it had ended.
    const { waits, runEvents } = await waitsLogged(db, task.id);
    expect(waits).toHaveLength(1);
    expectWakeAtReset(waits[0]?.wakeAt, resets());
    expect(waits[0]?.runEventsBefore).toBeGreaterThan(0);
    expect(waits[0]?.runEventsUntilAwake).toBe(waits[0]?.runEventsBefore);
    expect(runEvents).toBeGreaterThan(waits[0]!.runEventsBefore);
  }, 120_000);

  it('survives a restart while waiting: interrupted with its wake-up time, then resumed', async () => {
    const reopens = resetAfterFirstCall();
    const { server, project, env, db } = await setUp(windowSpentAtFirstCall(reopens));
    const quotaEnv = subscriptionEnv(env);
    // This run waits in real time (for half an hour): it is killed while it waits.
    const baton = startBaton(
      ['run', '--dir', project, '--prompt', 'work', '--max-iterations', '1', '--model', 'claude-sonnet-4-5'],
      quotaEnv,
    );
    await baton.waitFor(/\[waiting\]/, 90_000);
    process.kill(-baton.pid, 'SIGKILL');
    await baton.exited;
    const reopensAt = reopens();

    const listed = await runBaton(['tasks', '--json'], quotaEnv);
    const [task] = JSON.parse(listed.stdout) as Array<{ id: string; status: string; statusReason: string }>;
    expect(task).toMatchObject({
      status: 'interrupted',
      statusReason: expect.stringMatching(/waited for a subscription window to reopen/),
    });
    const shown = lastJsonLine<TaskJson>((await runBaton(['task', task!.id, '--json'], quotaEnv)).stdout);
    // The reset, plus the few seconds of jitter Baton adds.
    expectWakeAtReset(shown.wakeAt, reopensAt);
    const callsBefore = messages(server.requests).length;
    expect(callsBefore).toBe(1);
    const before = await waitsLogged(db, task!.id);

    // Resumed before the reset, it still makes no call until the window reopens, then runs the iteration the wait cut short.
    const resumed = await runBaton(['resume', task!.id, '--json'], { ...quotaEnv, ...SKIP_WAITS });
    // The iteration the crash cut during its wait stays as it was, turned away; the resumed run gives the task its one real iteration.
    const after = lastJsonLine<TaskJson>(resumed.stdout);
    expect(after).toMatchObject({ status: 'max_iterations', iterations: 2, wakeAt: null });
    expect(after.sessions.map((s) => [s.status, s.error === null])).toEqual([
      ['interrupted', false],
      ['completed', true],
    ]);
    expect(resumed.stdout).toMatch(/\[waiting\] the 5-hour window is spent/);
    // The resumed run first waited for the reset, and its agent ran only after that wait had ended.
    const { waits, runEvents } = await waitsLogged(db, task!.id);
    const resumedWait = waits[before.waits.length];
    expect(waits).toHaveLength(before.waits.length + 1);
    expectWakeAtReset(resumedWait?.wakeAt, reopensAt);
    expect(resumedWait).toMatchObject({ runEventsBefore: before.runEvents, runEventsUntilAwake: before.runEvents });
    expect(runEvents).toBeGreaterThan(before.runEvents);
    expect(messages(server.requests).length).toBeGreaterThan(callsBefore);
  }, 180_000);
});
