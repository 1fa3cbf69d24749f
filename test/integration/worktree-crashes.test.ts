/**
 * Crashes in the middle of what Baton does to a task's worktree, and what the next start makes of them:
 * a checkpoint cut short in `git add` (its index.lock left behind). Baton is killed with its whole process
 * group (git included) while a filter of the user's holds git still; then the worktree task must be
 * mergeable again. Real claude CLI, real git.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import { git, makeRepository } from '../support/git-repositories';
import { until } from '../support/polling';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { toolCallScript, writeCall } from '../support/scripts';

const setUp = useScriptedWorkspaces();

const AGENT_FLAGS = ['--permission-mode', 'bypassPermissions', '--model', 'claude-sonnet-4-5'];
const runArgs = (project: string) => [
  'run',
  '--dir',
  project,
  '--prompt',
  'Write the file',
  '--worktree',
  '--max-iterations',
  '1',
  ...AGENT_FLAGS,
  '--json',
];

/** A workspace whose project is a repository, and whose one session writes `file`. */
async function repositoryWorkspace(file: string, files: Record<string, string> = {}) {
  const workspace = await setUp(toolCallScript((n) => (n === 1 ? writeCall(file, 'data\n') : undefined)));
  makeRepository(workspace.project, { 'README.md': 'hello\n', ...files });
  return workspace;
}

/** A command for a filter: it says it started, then holds git until it is killed. */
function holdingCommand(ready: string): string {
  return `touch '${ready}'; exec sleep 600`;
}

/** Starts Baton, waits until the filter holds git, and kills Baton with its process group. */
async function crashWhileHeld(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<void> {
  const baton = startBaton(args, env);
  const held = await until(() => existsSync(ready), 60_000);
  process.kill(-baton.pid, 'SIGKILL');
  const exited = await baton.exited;
  expect(held, exited.stdout + exited.stderr).toBe(true);
}

async function shownTask(id: string, env: NodeJS.ProcessEnv): Promise<TaskJson> {
  const shown = await runBaton(['task', id, '--json'], env);
  expect(shown.code, shown.stderr).toBe(0);
  return lastJsonLine<TaskJson>(shown.stdout);
}

describe('a crash during a checkpoint (git add killed, index.lock left in the worktree)', () => {
  it('the next start removes the lock and says which, and the task records its change and merges', async () => {
    const { root, project, env } = await repositoryWorkspace('work.hang', { '.gitattributes': '*.hang filter=hold\n' });
    const ready = path.join(root, 'filter-started');
    // The user's clean filter runs inside the checkpoint's `git add`, while git holds the worktree's index.lock.
    git(project, 'config', 'filter.hold.clean', holdingCommand(ready));
    await crashWhileHeld(runArgs(project), env, ready);

    const [folder] = readdirSync(path.join(root, 'worktrees'));
    const worktree = path.join(root, 'worktrees', folder as string);
    const lock = git(worktree, 'rev-parse', '--path-format=absolute', '--git-path', 'index.lock');
    expect(existsSync(lock)).toBe(true);
    git(project, 'config', 'filter.hold.clean', 'cat');

    const listed = await runBaton(['tasks', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain(`baton: removed ${lock}, left by a git process cut short in the worktree`);
    expect(existsSync(lock)).toBe(false);
    const [task] = JSON.parse(listed.stdout) as TaskJson[];
    expect(task?.status).toBe('interrupted');

    const merged = await runBaton(['merge', task?.id as string, '--json'], env);
    expect(merged.code, merged.stderr).toBe(0);
    expect(git(project, 'show', 'main:work.hang')).toBe('data');
    const after = await shownTask(task?.id as string, env);
    expect(after.sessions[0]?.git?.commitAfter).toEqual(expect.any(String));
    expect(after.worktree?.state).toBe('merged');
  });
});
