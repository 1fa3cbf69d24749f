/**
 * An API that does not answer, with the real claude CLI: nothing listens on its port, so every connection
 * is refused (the CLI says "Unable to connect to API (ConnectionRefused)") until the scripted API starts
 * there. The CLI's own retries are kept few with CLAUDE_CODE_MAX_RETRIES, and Baton's backoff is zero.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lastJsonLine, makeWorkspace, runBaton, startBaton } from '../support/baton-cli';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-anthropic-server';
import { closedPort } from '../support/scripted-http';
import type { TaskJson } from '../support/scripted-workspace';
import { iterationScript } from '../support/scripts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A workspace whose API is down: its port refuses connections until `start` serves the script there. */
async function apiDown() {
  const port = await closedPort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const workspace = makeWorkspace(apiUrl);
  cleanups.push(() => rmSync(workspace.root, { recursive: true, force: true }));
  const start = async (): Promise<ScriptedServer> => {
    const server = await startScriptedServer(iterationScript(1), port);
    cleanups.push(() => server.close());
    return server;
  };
  return { ...workspace, apiUrl, start };
}

const run = (project: string, ...more: string[]) => [
  'run',
  '--dir',
  project,
  '--prompt',
  'x',
  '--model',
  'claude-sonnet-4-5',
  '--max-iterations',
  '1',
  ...more,
  '--json',
];

describe('an API that refuses connections', () => {
  it('is a wait, not a failed iteration: Baton tries the iteration again in a new session, saying why', async () => {
    const { project, env, apiUrl } = await apiDown();
    const done = await runBaton(run(project, '--max-retries', '2'), {
      ...env,
      CLAUDE_CODE_MAX_RETRIES: '0',
      BATON_RETRY_BASE_MS: '0',
      BATON_RETRY_MAX_MS: '0',
    });
    const task = lastJsonLine<TaskJson>(done.stdout);
    const refused = `could not reach the API at ${apiUrl}: the connection was refused`;
    // Each attempt was retried as a transient failure; the last one's error is the iteration's, in words.
    expect(task.sessions.map((s) => [s.status, s.retries, s.error])).toEqual([['failed', 2, refused]]);
    expect(done.stdout).toContain(`[waiting] ${refused}; goes on at`);
    // The one iteration was used, and the task says so in words: "1 iteration", not "1 iterations".
    expect(done.stderr).toBe('baton: task max_iterations: reached its limit of 1 iteration\n');
    expect(done.stdout.match(/\[iteration 1\] attempt \d waited; goes on in session /g)).toHaveLength(2);
  });

  it('shows the task waiting for the API while the CLI retries, then runs the iteration once the API answers', async () => {
    const { project, env, apiUrl, start } = await apiDown();
    // The CLI's own retries (about 0.5, 1, 2, 4, … s apart) give the test its time to look, then to start the API.
    const baton = startBaton(run(project, '--max-retries', '0'), { ...env, CLAUDE_CODE_MAX_RETRIES: '8' });
    let exited = false;
    void baton.exited.then(() => (exited = true));
    cleanups.push(() => {
      if (!exited) process.kill(-baton.pid, 'SIGKILL');
    });
    await baton.waitFor(/\[waiting\] can't reach/, 60_000);
    const taskId = /^task (\S+) in /m.exec(baton.stdout())?.[1] ?? '';
    const shown = lastJsonLine<TaskJson>((await runBaton(['task', taskId, '--json'], env)).stdout);
    expect(shown).toMatchObject({
      status: 'waiting',
      statusReason: expect.stringMatching(
        new RegExp(`^waiting: can't reach ${apiUrl.replace(/\./g, '\\.')}; the agent tries again \\(\\d of 8\\)$`),
      ),
      wakeAt: expect.any(Number),
    });
    expect(shown.sessions.map((s) => s.status)).toEqual(['running']);

    const server = await start();
    const done = await baton.exited;
    expect(done.code, done.stderr).toBe(0);
    const task = lastJsonLine<TaskJson>(done.stdout);
    expect(task).toMatchObject({ status: 'completed', iterations: 1, wakeAt: null });
    // The CLI got through on its own: one session, no retry of Baton's, nothing of the wait left on it.
    expect(task.sessions.map((s) => [s.status, s.retries, s.error])).toEqual([['completed', 0, null]]);
    expect([...server.usageBySession().keys()]).toEqual([task.sessions[0]?.sessionId]);
    expect(done.stdout).toMatch(/\[waiting\] can't reach http:\/\/127\.0\.0\.1:\d+; the agent tries again \(1 of 8\)/);
  });
});
