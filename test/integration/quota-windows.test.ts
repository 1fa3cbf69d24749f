/**
 * Subscription windows with the real claude CLI: under CLAUDE_CODE_OAUTH_TOKEN it reads the
 * scripted API's quota headers and reports them as rate_limit_event lines, as it does for a
 * subscription login.
 */
import { describe, expect, it } from 'vitest';
import { openDataSource } from '../../src-main/core/store/data-source';
import { LiveQueries } from '../../src-main/core/store/live-queries';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import { quotaHeaders, type RecordedRequest, type Script } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { usageFor } from '../support/scripts';

const setUp = useScriptedWorkspaces();

/** The workspace's environment with a subscription token in place of the API key. */
function subscriptionEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ANTHROPIC_API_KEY: _, ...rest } = env;
  return { ...rest, CLAUDE_CODE_OAUTH_TOKEN: 'test-subscription-token', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
}

/** Turned away with the quota headers of a spent window until `reopensAt` (epoch ms), then answered. */
function windowSpentUntil(reopensAt: () => number): Script {
  return ({ sessionOrdinal, turnInSession }) => {
    const resetsAt = Math.ceil(reopensAt() / 1000);
    if (Date.now() < reopensAt()) {
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
 * A window that resets this long after the API's first request, whole seconds as the headers
 * carry them. Timed from that request, not from the test's start, so a slow start of the CLI on
 * a loaded machine cannot use the window up before the test looks.
 */
function resetAfterFirstCall(ms: number): () => number {
  let at: number | undefined;
  return () => (at ??= Math.ceil((Date.now() + ms) / 1000) * 1000);
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
    // Whole seconds, as the headers carry them.
    const reopens = resetAfterFirstCall(6000);
    const { server, project, env, db } = await setUp(windowSpentUntil(reopens));
    const run = await runBaton(
      ['run', '--dir', project, '--prompt', 'work', '--max-iterations', '2', '--model', 'claude-sonnet-4-5', '--json'],
      subscriptionEnv(env),
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
    const turnedAway = calls.filter((r) => r.at < reopensAt);
    expect(turnedAway).toHaveLength(1);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.slice(1).every((r) => r.at >= reopensAt)).toBe(true);

    // The turned-away attempt is kept as a wait for quota: on the iteration, and in its replay after the agent's result.
    const shown = await runBaton(['task', task.id], subscriptionEnv(env));
    expect(shown.stdout).toMatch(
      /\n {4}attempt 1: waited \d\S* for quota \(the 5-hour window is spent; it reopens at \d{4}-\d\d-\d\d \d\d:\d\d\)\n/,
    );
    const replay = await replayOf(db, task.sessions[0]!.sessionId);
    const waitAt = replay.findIndex((e) => e?.kind === 'wait');
    expect(replay[waitAt]).toMatchObject({ kind: 'wait', for: 'quota', until: expect.any(Number) });
    expect(replay[waitAt - 1]).toMatchObject({ kind: 'result', result: { isError: true, apiErrorStatus: 429 } });
    // The new attempt's stream follows it.
    expect(replay[waitAt + 1]).toMatchObject({ kind: 'init' });
  }, 120_000);

  it('pauses before an iteration while the window is used past the threshold, until its reset', async () => {
    // Iteration 1 must end before the reset: a few seconds at most, even on a loaded machine.
    const resets = resetAfterFirstCall(10_000);
    const script: Script = ({ sessionOrdinal, turnInSession }) => ({
      text: `Made progress in session ${sessionOrdinal}.`,
      usage: usageFor(sessionOrdinal, turnInSession),
      headers: quotaHeaders({ status: 'allowed_warning', utilization: 0.95, resetsAt: resets() / 1000 }),
    });
    const { server, project, env } = await setUp(script);
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
      subscriptionEnv(env),
    );
    expect(run.stdout).toMatch(/\[waiting\] the 5-hour window is 95% used \(pause at 90%\); waiting for its reset/);
    expect(lastJsonLine<TaskJson>(run.stdout)).toMatchObject({ status: 'max_iterations', iterations: 2 });
    const sessions = [...new Set(messages(server.requests).map((r) => r.sessionId))];
    expect(sessions).toHaveLength(2);
    const firstOfSecond = messages(server.requests).find((r) => r.sessionId === sessions[1]);
    expect(firstOfSecond?.at).toBeGreaterThanOrEqual(resets());
  }, 120_000);

  it('survives a restart while waiting: interrupted with its wake-up time, then resumed', async () => {
    // Long enough that the kill, the listing and the resume all come before the reset on a loaded machine.
    const reopens = resetAfterFirstCall(30_000);
    const { server, project, env } = await setUp(windowSpentUntil(reopens));
    const quotaEnv = subscriptionEnv(env);
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
    expect(shown.wakeAt).toBeGreaterThanOrEqual(reopensAt);
    expect(shown.wakeAt).toBeLessThanOrEqual(reopensAt + 5000);
    const callsBefore = messages(server.requests).length;

    // Resumed before the reset, it still makes no call until the window reopens, then runs the iteration the wait cut short.
    const resumed = await runBaton(['resume', task!.id, '--json'], quotaEnv);
    // The iteration the crash cut during its wait stays as it was, turned away; the resumed run gives the task its one real iteration.
    const after = lastJsonLine<TaskJson>(resumed.stdout);
    expect(after).toMatchObject({ status: 'max_iterations', iterations: 2, wakeAt: null });
    expect(after.sessions.map((s) => [s.status, s.error === null])).toEqual([
      ['interrupted', false],
      ['completed', true],
    ]);
    expect(resumed.stdout).toMatch(/\[waiting\] the 5-hour window is spent/);
    const callsAfter = messages(server.requests).slice(callsBefore);
    expect(callsAfter.length).toBeGreaterThan(0);
    expect(callsAfter.every((r) => r.at >= reopensAt)).toBe(true);
  }, 180_000);
});
