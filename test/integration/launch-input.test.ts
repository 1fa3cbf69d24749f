/**
 * Input that the agent could never be started with is refused at launch,
 * and a prompt too long for one argument still reaches the real claude CLI.
 * Both go through a batch file: `baton` itself could be given neither as an
 * argument.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBaton } from '../support/baton-cli';
import { git, makeRepository } from '../support/git-repositories';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { iterationScript } from '../support/scripts';

const setUp = useScriptedWorkspaces();

describe('launch input that can only fail at spawn', () => {
  it('runs a prompt over the 128 KiB an argument may hold, and the agent gets all of it', async () => {
    const { server, project, root, env } = await setUp(iterationScript(0));
    const prompt = `- ${'fix the failing tests '.repeat(10_000)}END-OF-PROMPT`;
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(200 * 1024);
    const batch = path.join(root, 'long.json');
    writeFileSync(batch, JSON.stringify([{ dir: project, prompt, maxIterations: 1, model: 'claude-sonnet-4-5' }]));

    const run = await runBaton(['run', '--batch', batch, '--json'], env);
    const [task] = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as TaskJson[];
    expect(task?.sessions.map((s) => [s.status, s.error])).toEqual([['completed', null]]);
    const sent = JSON.stringify(server.requests.find((r) => r.sessionId === task?.sessions[0]?.sessionId)?.body);
    expect(sent).toContain(prompt);
  });

  it.each([
    ['prompt', { prompt: 'fix\u0000it' }, 'the prompt must not contain a NUL byte (\\0)'],
    [
      'check',
      { prompt: 'x', check: 'test -f done\u0000.txt' },
      'the completion check must not contain a NUL byte (\\0)',
    ],
    ['model', { prompt: 'x', model: 'sonnet\u0000' }, 'the model must not contain a NUL byte (\\0)'],
  ])('refuses a NUL byte in the %s with exit code 2, writing nothing', async (_field, entry, message) => {
    const { project, root, env, db } = await setUp(iterationScript(0));
    const batch = path.join(root, 'nul.json');
    writeFileSync(batch, JSON.stringify([{ dir: project, ...entry }]));
    const run = await runBaton(['run', '--batch', batch], env);
    expect(run.stderr).toBe(`baton: batch file ${batch}, task 1: ${message}\n`);
    expect(run.code).toBe(2);
    expect(existsSync(db)).toBe(false);
  });
});

describe('a batch refused at one of its tasks', () => {
  it('launches none of them: no task row, no worktree, no branch, no agent run', async () => {
    const { server, project, root, env } = await setUp(iterationScript(0));
    makeRepository(project, { 'a.txt': 'a\n' });
    const batch = path.join(root, 'batch.json');
    // The second is refused only by what the service knows: Baton has no prices for its model, and
    // Gemini reports no cost, so its budget could not be kept.
    writeFileSync(
      batch,
      JSON.stringify([
        { dir: project, prompt: 'first', worktree: true, model: 'claude-sonnet-4-5' },
        { dir: project, prompt: 'second', agent: 'gemini', model: 'gemini-nope', budgetUsd: 1 },
      ]),
    );

    const run = await runBaton(['run', '--batch', batch], env);
    expect(run.stderr).toBe(
      `baton: batch file ${batch}, task 2: a budget needs the model's prices, and Baton has none for gemini-nope: ` +
        'add them in Settings (or baton settings --model-price)\n',
    );
    expect(run.code).toBe(2);
    const listed = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    expect(git(project, 'branch', '--list', 'baton/*')).toBe('');
    expect(git(project, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(existsSync(path.join(root, 'worktrees'))).toBe(false);
    expect(server.requests).toEqual([]);
  });
});
