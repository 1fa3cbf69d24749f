/**
 * Crashes in the middle of what Baton does to a task's worktree, and what the next start makes of them:
 * a checkpoint cut short in `git add` (its index.lock left behind), a merge whose post-merge hook was
 * still running, a launch cut short in `git worktree add`. Baton is killed with its whole process group
 * (git included) while a hook or filter of the user's holds git still; then every worktree task must be
 * mergeable or discardable again, and nothing may be left that no task owns. Real claude CLI, real git.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** A command for a hook or filter: it says it started, then holds git until it is killed. */
function holdingCommand(ready: string): string {
  return `touch '${ready}'; exec sleep 600`;
}

function installHook(repo: string, name: string, command: string): void {
  writeFileSync(path.join(repo, '.git', 'hooks', name), `#!/bin/sh\n${command}\n`, { mode: 0o755 });
}

/** Starts Baton, waits until the hook or filter holds git, and kills Baton with its process group. */
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

describe('a crash during baton merge (in the post-merge hook, after the merge landed)', () => {
  it('the next start sees the merge landed and marks the task merged', async () => {
    const { root, project, env } = await repositoryWorkspace('feature.txt');
    const run = await runBaton(runArgs(project), env);
    const task = lastJsonLine<TaskJson>(run.stdout);
    expect(task.sessions.map((s) => s.status)).toEqual(['completed']);
    const ready = path.join(root, 'hook-started');
    installHook(project, 'post-merge', holdingCommand(ready));
    await crashWhileHeld(['merge', task.id, '--json'], env, ready);
    rmSync(path.join(project, '.git', 'hooks', 'post-merge'));
    const landed = git(project, 'rev-parse', 'main');
    expect(git(project, 'log', '-1', '--format=%s', 'main')).toMatch(/^Merge Baton task/);

    const listed = await runBaton(['tasks', '--json'], env);
    expect(listed.stderr).toBe(
      `baton: the merge of task ${task.id} (${task.worktree?.branch}) into main had landed as ${landed.slice(0, 12)} when Baton stopped: the task is marked merged\n`,
    );
    const shown = await shownTask(task.id, env);
    expect(shown.worktree).toMatchObject({ state: 'merged', present: false });
    expect(git(project, 'branch', '--list', task.worktree?.branch as string)).not.toBe('');
    // Nothing is left for a later start to do.
    expect((await runBaton(['tasks', '--json'], env)).stderr).toBe('');
  });
});

describe('a crash during the launch (in git worktree add)', () => {
  it('baton doctor lists the worktree and branch no task owns, --fix removes them, --json says so', async () => {
    const { root, project, env } = await repositoryWorkspace('feature.txt');
    const ready = path.join(root, 'hook-started');
    installHook(project, 'post-checkout', holdingCommand(ready));
    await crashWhileHeld(runArgs(project), env, ready);
    rmSync(path.join(project, '.git', 'hooks', 'post-checkout'));

    const [folder] = readdirSync(path.join(root, 'worktrees')).filter((name) => !name.endsWith('.json'));
    const worktree = path.join(root, 'worktrees', folder as string);
    const branch = `baton/${(folder as string).slice(0, 8)}`;
    expect(git(project, 'branch', '--list', branch)).not.toBe('');

    const listed = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    expect(listed.stderr).toBe(
      `baton: a launch cut short left the worktree ${worktree} and branch ${branch} in ${project} with no task: baton doctor --fix removes them\n`,
    );

    const orphan = {
      taskId: folder,
      repositoryRoot: project,
      path: worktree,
      branch,
      folderExists: true,
      branchExists: true,
    };
    const doctor = await runBaton(['doctor', '--json'], env);
    expect(doctor.code).toBe(1);
    expect(JSON.parse(doctor.stdout)).toEqual({
      recovered: [expect.stringContaining('a launch cut short')],
      orphans: [{ ...orphan, removed: false, problem: null }],
    });

    const fixed = await runBaton(['doctor', '--fix', '--json'], env);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).orphans).toEqual([{ ...orphan, removed: true, problem: null }]);
    expect(git(project, 'branch', '--list', 'baton/*')).toBe('');
    expect(existsSync(worktree)).toBe(false);
    expect(git(project, 'worktree', 'list', '--porcelain')).not.toContain('worktrees');

    const clean = await runBaton(['doctor'], env);
    expect(clean).toMatchObject({ code: 0, stdout: 'Nothing left behind by a crash.\n', stderr: '' });
  });
});
