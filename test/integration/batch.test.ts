/**
 * Many tasks at once with the real claude CLI: a batch file run 10 at a time,
 * while another Baton process reads the same database.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBaton, startBaton } from '../support/baton-cli';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { iterationScript } from '../support/scripts';

const DATABASE_ERROR = /SQLITE_BUSY|database is locked|SqliteError|QueryFailedError/;
const setUp = useScriptedWorkspaces();

describe('baton run --batch', () => {
  it('runs 10 tasks × 5 iterations 10 at a time, with another process on the database, metering every session', async () => {
    const { server, project, root, env } = await setUp(iterationScript(0));
    const batch = path.join(root, 'batch.json');
    const tasks = Array.from({ length: 10 }, (_, i) => ({
      dir: project,
      prompt: `stress task ${i + 1}`,
      maxIterations: 5,
      model: 'claude-sonnet-4-5',
    }));
    writeFileSync(batch, JSON.stringify(tasks));

    const baton = startBaton(['run', '--batch', batch, '--concurrency', '10', '--json'], env);
    // Other Baton processes read and write the same database throughout: none may fail with SQLITE_BUSY.
    const readers: Array<{ code: number | null; stderr: string }> = [];
    let done = false;
    void baton.exited.then(() => (done = true));
    while (!done) {
      readers.push(await runBaton(['tasks', '--json', '--limit', '20'], env));
      readers.push(await runBaton(['settings', '--daily-budget-usd', '1000'], env));
    }
    const run = await baton.exited;

    expect(readers.length).toBeGreaterThan(0);
    expect(readers.filter((r) => r.code !== 0 || DATABASE_ERROR.test(r.stderr))).toEqual([]);
    expect(run.stderr).not.toMatch(DATABASE_ERROR);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/already in use/i);
    expect(run.stderr).toBe('baton: 10 of 10 tasks did not complete\n');

    const results = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as TaskJson[];
    expect(results).toHaveLength(10);
    const sessions = results.flatMap((task) => task.sessions);
    expect(sessions).toHaveLength(50);
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(50);
    expect(sessions.every((s) => s.status === 'completed')).toBe(true);

    const served = server.usageBySession();
    expect(served.size).toBe(50);
    for (const task of results) {
      expect(task).toMatchObject({ status: 'max_iterations', iterations: 5 });
      const sum = (pick: (s: TaskJson['sessions'][number]) => number) => task.sessions.reduce((a, s) => a + pick(s), 0);
      expect(task.totals.inputTokens).toBe(sum((s) => s.inputTokens));
      expect(task.totals.outputTokens).toBe(sum((s) => s.outputTokens));
      expect(task.totals.cacheCreationTokens).toBe(sum((s) => s.cacheCreationTokens));
      expect(task.totals.cacheReadTokens).toBe(sum((s) => s.cacheReadTokens));
      expect(task.totals.costUsd).toBeCloseTo(
        sum((s) => s.costUsd),
        10,
      );
      for (const session of task.sessions) {
        const sent = served.get(session.sessionId);
        expect([
          session.inputTokens,
          session.outputTokens,
          session.cacheCreationTokens,
          session.cacheReadTokens,
        ]).toEqual([
          sent?.input_tokens,
          sent?.output_tokens,
          sent?.cache_creation_input_tokens,
          sent?.cache_read_input_tokens,
        ]);
      }
    }
  });

  it.each([
    ['not JSON', '{oops', /is not valid JSON/],
    ['not an array', '{"dir":"x"}', /must hold a JSON array of tasks/],
    ['empty', '[]', /holds no tasks/],
    ['an unknown key', '[{"dir":"DIR","prompt":"x","maxIteration":3}]', /task 1: Unrecognized key: "maxIteration"/],
    [
      'a bad second task',
      '[{"dir":"DIR","prompt":"x"},{"dir":"DIR","prompt":" "}]',
      /task 2: the prompt must not be empty/,
    ],
    [
      'a missing directory',
      '[{"dir":"/nonexistent/x","prompt":"x"}]',
      /task 1: project directory \/nonexistent\/x does not exist/,
    ],
    [
      // The first entry is fine; the second asks for a worktree outside a repository, so neither is made.
      'a worktree entry outside a git repository',
      '[{"dir":"DIR","prompt":"x"},{"dir":"DIR","prompt":"y","worktree":true}]',
      /task 2: --worktree needs a git repository, and .* is not in one/,
    ],
  ])('rejects a batch file that is %s, writing nothing', async (_name, content, message) => {
    const { project, root, env, db } = await setUp(iterationScript(1));
    const batch = path.join(root, 'batch.json');
    writeFileSync(batch, content.replaceAll('DIR', project));
    const run = await runBaton(['run', '--batch', batch], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(db)).toBe(false);
  });
});
