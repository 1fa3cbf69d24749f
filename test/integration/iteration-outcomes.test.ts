/**
 * What each iteration changed, with the real claude CLI against the scripted API and real git in
 * temporary repositories: a worktree task's checkpoint commits, its diff, merge and discard; the
 * record kept beside the user's own checkout; launches refused with nothing written; a worktree
 * deleted by hand; a crash in the middle of an iteration; and the stagnation stop. The agent's tool
 * calls are real: the CLI runs Bash and Write in the directory Baton started it in.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, lastJsonLine, makeWorkspace, runBaton, startBaton } from '../support/baton-cli';
import { checkoutState, filesOf, git, makeRepository } from '../support/git-repositories';
import { until } from '../support/polling';
import { runningWith } from '../support/processes';
import { type Script, type ScriptedServer, startScriptedServer } from '../support/scripted-anthropic-server';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import { bashCall, type ToolCall, toolCallScript, usageFor, writeCall } from '../support/scripts';

const setUp = useScriptedWorkspaces();

/** The user's project: a tracked file the agents edit, one they delete, and build output git ignores. */
const PROJECT_FILES = { 'README.md': 'hello\n', 'notes.txt': 'first\n', '.gitignore': 'build/\n' };
/** What every run here is started with beside its own flags. */
const AGENT_FLAGS = ['--permission-mode', 'bypassPermissions', '--model', 'claude-sonnet-4-5'];

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ cli: CliRun; task: TaskJson }> {
  const cli = await runBaton(['run', ...args, ...AGENT_FLAGS, '--json'], env);
  return { cli, task: lastJsonLine<TaskJson>(cli.stdout) };
}

async function shownTask(id: string, env: NodeJS.ProcessEnv): Promise<TaskJson> {
  const shown = await runBaton(['task', id, '--json'], env);
  expect(shown.code, shown.stderr).toBe(0);
  return lastJsonLine<TaskJson>(shown.stdout);
}

const gitOf = (task: TaskJson, iteration: number) => {
  const change = task.sessions.find((s) => s.iteration === iteration)?.git;
  if (!change) throw new Error(`iteration ${iteration} has no change record`);
  return change;
};

/** The tool calls of sessions 1, 2, … (undefined: that session changes nothing). */
const sessions = (...calls: Array<ToolCall | undefined>) => toolCallScript((n) => calls[n - 1]);

describe('a --worktree task with the real claude CLI', () => {
  // One task, three iterations, read by each test below in turn; the last one merges it.
  let server: ScriptedServer;
  let workspace: ReturnType<typeof makeWorkspace>;
  let base: string;
  let before: ReturnType<typeof checkoutState>;
  let result: { cli: CliRun; task: TaskJson };

  beforeAll(async () => {
    server = await startScriptedServer(
      sessions(
        bashCall('echo second >> notes.txt && mkdir -p build && echo ignored > build/out.js'),
        writeCall('src/feature.txt', 'a\nb\nc\n'),
        bashCall('printf "replaced\\n" > notes.txt && rm README.md'),
      ),
    );
    workspace = makeWorkspace(server.url);
    base = makeRepository(workspace.project, PROJECT_FILES);
    before = checkoutState(workspace.project);
    result = await run(
      [
        '--dir',
        workspace.project,
        '--prompt',
        'Rework the notes',
        '--title',
        'notes',
        '--worktree',
        '--max-iterations',
        '5',
        // Passes only where README.md is gone: in the worktree, after iteration 3.
        '--check',
        'cat notes.txt; test ! -e README.md',
      ],
      workspace.env,
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(workspace.root, { recursive: true, force: true });
  });

  it('leaves the user’s checkout untouched and holds one checkpoint commit per iteration on baton/<id>', async () => {
    const { cli, task } = result;
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(task).toMatchObject({
      status: 'completed',
      statusReason: 'completion check passed after iteration 3',
      iterations: 3,
      changeTracking: 'git',
    });
    const branch = `baton/${task.id.slice(0, 8)}`;
    const worktreePath = path.join(workspace.root, 'worktrees', task.id);
    expect(task.worktree).toEqual({
      path: worktreePath,
      branch,
      baseCommit: base,
      state: 'active',
      baseBranch: 'main',
      present: true,
    });

    // The user's HEAD, index, status and files are as they were; the task's branch is the only new one.
    const after = checkoutState(workspace.project);
    const tip = git(workspace.project, 'rev-parse', branch);
    expect(after).toEqual({ ...before, branches: [...before.branches, `refs/heads/${branch} ${tip}`].sort() });
    expect(after.files).toEqual(PROJECT_FILES);

    // What each tool call did, file by file; the ignored build output stays out.
    expect(task.sessions.map((s) => ({ ...s.git, commitBefore: undefined, commitAfter: undefined }))).toEqual([
      { filesChanged: 1, insertions: 1, deletions: 0, files: [{ path: 'notes.txt', insertions: 1, deletions: 0 }] },
      {
        filesChanged: 1,
        insertions: 3,
        deletions: 0,
        files: [{ path: 'src/feature.txt', insertions: 3, deletions: 0 }],
      },
      {
        filesChanged: 2,
        insertions: 1,
        deletions: 3,
        files: [
          { path: 'README.md', insertions: 0, deletions: 1 },
          { path: 'notes.txt', insertions: 1, deletions: 2 },
        ],
      },
    ]);

    // The branch: exactly the three checkpoints, each iteration starting where the one before ended.
    const commits = git(workspace.project, 'rev-list', '--reverse', `${base}..${branch}`).split('\n');
    expect(commits).toEqual(task.sessions.map((s) => s.git?.commitAfter));
    expect(task.sessions.map((s) => s.git?.commitBefore)).toEqual([base, commits[0], commits[1]]);
    expect(git(workspace.project, 'rev-parse', `${commits[0]}^`)).toBe(base);
    expect(tip).toBe(gitOf(task, 3).commitAfter);
    const served = server.usageBySession();
    task.sessions.forEach((session, i) => {
      const message = git(workspace.project, 'show', '--no-patch', '--format=%B', commits[i] as string);
      const sent = served.get(session.sessionId);
      const tokens =
        (sent?.input_tokens ?? 0) +
        (sent?.output_tokens ?? 0) +
        (sent?.cache_creation_input_tokens ?? 0) +
        (sent?.cache_read_input_tokens ?? 0);
      expect(message.split('\n')).toEqual([
        `Baton: iteration ${session.iteration} of "notes"`,
        '',
        `Baton-Task: ${task.id}`,
        `Baton-Session: ${session.sessionId}`,
        `Baton-Tokens: ${tokens}`,
        `Baton-Cost-USD: ${session.costUsd.toFixed(6)}`,
      ]);
    });
    expect(git(workspace.project, 'ls-tree', '-r', '--name-only', tip).split('\n')).toEqual([
      '.gitignore',
      'notes.txt',
      'src/feature.txt',
    ]);
    // The worktree holds the agent's files, nothing left uncommitted, its ignored output beside them.
    expect(filesOf(worktreePath)).toEqual({
      '.git': expect.any(String),
      '.gitignore': 'build/\n',
      'build/out.js': 'ignored\n',
      'notes.txt': 'replaced\n',
      'src/feature.txt': 'a\nb\nc\n',
    });
    expect(git(worktreePath, 'status', '--porcelain')).toBe('');

    // The check ran in the worktree, after each iteration, and its outcome is on each session.
    expect(task.sessions.map((s) => [s.check?.exitCode, s.check?.output])).toEqual([
      [1, 'first\nsecond\n'],
      [1, 'first\nsecond\n'],
      [0, 'replaced\n'],
    ]);
    expect(task.sessions.every((s) => (s.check?.durationMs ?? -1) >= 0)).toBe(true);

    // The stored task reads back the same.
    expect(await shownTask(task.id.slice(0, 8), workspace.env)).toEqual(task);
  });

  it('prints one iteration’s unified diff, and the whole task’s', async () => {
    const { task } = result;
    const plainDiff = (from: string, to: string) =>
      `${git(workspace.project, 'diff', '--no-color', '--no-renames', from, to)}\n`;

    const second = await runBaton(['diff', task.id, '--iteration', '2'], workspace.env);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const iteration2 = gitOf(task, 2);
    expect(second.stdout).toBe(plainDiff(iteration2.commitBefore, iteration2.commitAfter as string));
    expect(second.stdout).toContain('+++ b/src/feature.txt\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n');
    expect(second.stdout).not.toContain('notes.txt');

    const whole = await runBaton(['diff', task.id.slice(0, 8)], workspace.env);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toBe(plainDiff(base, gitOf(task, 3).commitAfter as string));
    // From the base to the last checkpoint: iteration 1's line is gone again, so it shows nowhere.
    expect(whole.stdout).toContain('-first\n+replaced\n');
    expect(whole.stdout).toContain('--- a/README.md\n+++ /dev/null\n');
    expect(whole.stdout).not.toContain('second');

    const missing = await runBaton(['diff', task.id, '--iteration', '4'], workspace.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`baton: task ${task.id} has no iteration 4\n`);
    expect(missing.stdout).toBe('');
  });

  it('merges the branch into main: the user’s checkout gets the files, the branch is kept', async () => {
    const { task } = result;
    const branch = `baton/${task.id.slice(0, 8)}`;
    const tip = gitOf(task, 3).commitAfter as string;
    const merge = await runBaton(['merge', task.id, '--json'], workspace.env);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(0);
    const merged = lastJsonLine<{ commit: string; message: string; task: TaskJson }>(merge.stdout);
    expect(merged.message).toBe(`merged ${branch} into main as ${merged.commit.slice(0, 12)}; the branch is kept`);

    const repo = workspace.project;
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(merged.commit);
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(git(repo, 'show', '--no-patch', '--format=%P', 'HEAD')).toBe(`${base} ${tip}`);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(filesOf(repo)).toEqual({
      '.gitignore': 'build/\n',
      'notes.txt': 'replaced\n',
      'src/feature.txt': 'a\nb\nc\n',
    });
    expect(git(repo, 'rev-parse', branch)).toBe(tip);
    expect(existsSync(task.worktree?.path as string)).toBe(false);
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain('worktrees');
    expect(merged.task.worktree).toMatchObject({ state: 'merged', branch });
    expect((await shownTask(task.id, workspace.env)).worktree?.state).toBe('merged');

    const again = await runBaton(['merge', task.id], workspace.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`baton: task ${task.id}'s worktree was already merged\n`);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(merged.commit);
  });
});

describe('finishing a worktree task', () => {
  it('refuses a dirty target and a conflict, changing nothing, then squash-merges once they are gone', async () => {
    const { project, env } = await setUp(sessions(bashCall('echo agent >> notes.txt')));
    const base = makeRepository(project, PROJECT_FILES);
    const { cli, task } = await run(
      ['--dir', project, '--prompt', 'Add a note', '--worktree', '--max-iterations', '1'],
      env,
    );
    expect(cli.code, cli.stderr).toBe(1);
    const branch = `baton/${task.id.slice(0, 8)}`;
    const tip = gitOf(task, 1).commitAfter as string;
    expect(git(project, 'show', `${tip}:notes.txt`)).toBe('first\nagent');

    const refusedWith = async (message: RegExp) => {
      const state = checkoutState(project);
      const merge = await runBaton(['merge', task.id], env);
      expect(merge.code).toBe(2);
      expect(merge.stderr).toMatch(message);
      expect(merge.stdout).toBe('');
      // Nothing moved: the user's checkout, the branch, the worktree and the task's record.
      expect(checkoutState(project)).toEqual(state);
      expect(git(project, 'rev-parse', branch)).toBe(tip);
      expect(existsSync(task.worktree?.path as string)).toBe(true);
      expect((await shownTask(task.id, env)).worktree?.state).toBe('active');
    };

    appendFileSync(path.join(project, 'notes.txt'), 'mine, not committed\n');
    await refusedWith(
      new RegExp(
        `^baton: ${project} has uncommitted changes \\(notes\\.txt\\); commit or stash them, then merge again\\n$`,
      ),
    );

    git(project, 'commit', '--quiet', '-am', 'a line of my own');
    await refusedWith(
      new RegExp(
        `^baton: ${branch} conflicts with main in notes\\.txt; nothing was merged, and the branch is kept\\. To merge it, run \`git merge main\` in .+, resolve the conflicts and commit, then merge again; or discard it\\n$`,
      ),
    );

    git(project, 'reset', '--quiet', '--hard', base);
    const merge = await runBaton(['merge', task.id, '--squash'], env);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(0);
    const head = git(project, 'rev-parse', 'HEAD');
    expect(merge.stdout).toBe(`squash-merged ${branch} into main as ${head.slice(0, 12)}; the branch is kept\n`);
    // One commit on top of the base, with the agent's change, and no merge parent.
    expect(git(project, 'show', '--no-patch', '--format=%P', 'HEAD')).toBe(base);
    expect(git(project, 'show', '--name-only', '--format=', 'HEAD')).toBe('notes.txt');
    expect(readFileSync(path.join(project, 'notes.txt'), 'utf8')).toBe('first\nagent\n');
    expect(git(project, 'status', '--porcelain')).toBe('');
    expect(git(project, 'rev-parse', branch)).toBe(tip);
    expect((await shownTask(task.id, env)).worktree?.state).toBe('merged');
  });

  it('discards the worktree and its branch; the iteration’s diff stays readable', async () => {
    const { project, env } = await setUp(sessions(writeCall('gone.txt', 'soon\n')));
    makeRepository(project, PROJECT_FILES);
    const { task } = await run(
      ['--dir', project, '--prompt', 'Write gone.txt', '--worktree', '--max-iterations', '1'],
      env,
    );
    const before = checkoutState(project);
    const worktreePath = task.worktree?.path as string;
    expect(readFileSync(path.join(worktreePath, 'gone.txt'), 'utf8')).toBe('soon\n');

    const discard = await runBaton(['discard', task.id, '--json'], env);
    expect(discard.stderr).toBe('');
    expect(discard.code).toBe(0);
    const discarded = lastJsonLine<{ message: string; task: TaskJson }>(discard.stdout);
    expect(discarded.message).toBe(`removed the worktree ${worktreePath} and deleted branch ${task.worktree?.branch}`);
    expect(discarded.task.worktree).toMatchObject({ state: 'discarded' });
    expect(existsSync(worktreePath)).toBe(false);
    expect(git(project, 'branch', '--list', 'baton/*')).toBe('');
    expect(git(project, 'worktree', 'list', '--porcelain').split('\n')[0]).toBe(`worktree ${project}`);
    expect(git(project, 'worktree', 'list', '--porcelain')).not.toContain(worktreePath);
    // Of the user's checkout only the task's branch went.
    const after = checkoutState(project);
    expect(after).toEqual({ ...before, branches: before.branches.filter((b) => !b.startsWith('refs/heads/baton/')) });
    expect(after.branches).toEqual([`refs/heads/main ${after.head}`]);
    expect(after.files).toEqual(PROJECT_FILES);

    const diff = await runBaton(['diff', task.id, '--iteration', '1'], env);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('+++ b/gone.txt\n@@ -0,0 +1 @@\n+soon\n');
    const again = await runBaton(['discard', task.id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`baton: task ${task.id}'s worktree was already discarded\n`);
  });

  it('says when a worktree was deleted by hand, and resume refuses with the reason', async () => {
    const { project, env } = await setUp(sessions(undefined));
    makeRepository(project, PROJECT_FILES);
    // Nothing changes, so the task ends stalled after one iteration: a status resume accepts.
    const { cli, task } = await run(
      ['--dir', project, '--prompt', 'Idle', '--worktree', '--stall-after', '1', '--max-iterations', '3'],
      env,
    );
    expect(cli.code).toBe(1);
    expect(task).toMatchObject({ status: 'stalled', iterations: 1 });
    const worktreePath = task.worktree?.path as string;
    rmSync(worktreePath, { recursive: true, force: true });

    expect((await shownTask(task.id, env)).worktree).toMatchObject({ state: 'active', present: false });
    const resume = await runBaton(['resume', task.id], env);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toBe(
      `baton: task ${task.id} cannot be resumed: its worktree ${worktreePath} was deleted; ` +
        `discard the task (baton discard) to clean up its branch ${task.worktree?.branch}\n`,
    );
    const unchanged = await shownTask(task.id, env);
    expect(unchanged).toMatchObject({ status: 'stalled', iterations: 1 });
  });
});

describe('the change record in the user’s own checkout', () => {
  it('records each iteration in a repository without touching HEAD, the index or the branches', async () => {
    const { project, env } = await setUp(
      sessions(bashCall('echo second >> notes.txt'), writeCall('new.txt', 'x\ny\n')),
    );
    makeRepository(project, PROJECT_FILES);
    // Work of the user's own, staged and unstaged, from before the task: it stays as it is.
    writeFileSync(path.join(project, 'staged.txt'), 'mine\n');
    git(project, 'add', 'staged.txt');
    appendFileSync(path.join(project, 'README.md'), 'unstaged\n');
    const before = checkoutState(project);

    const { cli, task } = await run(['--dir', project, '--prompt', 'Edit', '--max-iterations', '2'], env);
    expect(cli.code, cli.stderr).toBe(1);
    expect(task).toMatchObject({ status: 'max_iterations', iterations: 2, changeTracking: 'git', worktree: null });
    expect(task.sessions.map((s) => [s.git?.filesChanged, s.git?.insertions, s.git?.deletions, s.git?.files])).toEqual([
      [1, 1, 0, [{ path: 'notes.txt', insertions: 1, deletions: 0 }]],
      [1, 2, 0, [{ path: 'new.txt', insertions: 2, deletions: 0 }]],
    ]);
    expect(task.linesChanged).toBe(3);

    const after = checkoutState(project);
    expect({ head: after.head, branches: after.branches, index: after.index }).toEqual({
      head: before.head,
      branches: before.branches,
      index: before.index,
    });
    // The agent's edits are in the user's files, as they would be without Baton; nothing else moved.
    expect(after.status.split('\n').sort()).toEqual([' M README.md', ' M notes.txt', '?? new.txt', 'A  staged.txt']);
    expect(after.files).toEqual({ ...before.files, 'notes.txt': 'first\nsecond\n', 'new.txt': 'x\ny\n' });

    // The snapshots hold the whole work tree, the user's own edits too, and are kept under refs/baton/.
    const first = gitOf(task, 1);
    const second = gitOf(task, 2);
    expect(git(project, 'show', `${first.commitBefore}:staged.txt`)).toBe('mine');
    expect(git(project, 'show', `${first.commitBefore}:README.md`)).toBe('hello\nunstaged');
    expect(git(project, 'rev-parse', `${second.commitBefore}^{tree}`)).toBe(
      git(project, 'rev-parse', `${first.commitAfter}^{tree}`),
    );
    const refs = git(project, 'for-each-ref', '--format=%(refname) %(objectname)', `refs/baton/tasks/${task.id}`);
    expect(refs.split('\n').sort()).toEqual(
      [
        `refs/baton/tasks/${task.id}/1/after ${first.commitAfter}`,
        `refs/baton/tasks/${task.id}/1/before ${first.commitBefore}`,
        `refs/baton/tasks/${task.id}/2/after ${second.commitAfter}`,
        `refs/baton/tasks/${task.id}/2/before ${second.commitBefore}`,
      ].sort(),
    );
    const diff = await runBaton(['diff', task.id, '--iteration', '1'], env);
    expect(diff.stdout).toBe(
      `${git(project, 'diff', '--no-color', '--no-renames', first.commitBefore, first.commitAfter as string)}\n`,
    );
    expect(diff.stdout).toContain('+second\n');
  });

  it('records nothing outside a repository, and says so', async () => {
    const { project, env } = await setUp(sessions(bashCall('echo x > x.txt')));
    const { cli, task } = await run(['--dir', project, '--prompt', 'Write x', '--max-iterations', '1'], env);
    expect(cli.code, cli.stderr).toBe(1);
    expect(readFileSync(path.join(project, 'x.txt'), 'utf8')).toBe('x\n');
    expect(task).toMatchObject({ changeTracking: 'not_a_repository', worktree: null, linesChanged: null });
    expect(task.sessions.map((s) => s.git)).toEqual([null]);
    expect(existsSync(path.join(project, '.git'))).toBe(false);

    const diff = await runBaton(['diff', task.id], env);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toBe(
      `baton: task ${task.id} has no change record (its directory is not in a git repository)\n`,
    );
  });
});

describe('launches refused with exit code 2 and nothing written', () => {
  it.each([
    [
      '--worktree outside a git repository',
      (_dir: string) => undefined,
      ['--worktree'],
      (dir: string) => `--worktree needs a git repository, and ${dir} is not in one`,
    ],
    [
      '--worktree on a repository with no commits',
      (dir: string) => void git(dir, 'init', '--quiet'),
      ['--worktree'],
      (dir: string) => `--worktree needs a commit to branch from, and the repository ${dir} has none yet`,
    ],
    [
      '--stall-after -1',
      (dir: string) => void makeRepository(dir, PROJECT_FILES),
      ['--stall-after', '-1'],
      () => 'stall after must be at least 0 (0 turns it off)',
    ],
  ])('%s', async (_case, prepare, flags, message) => {
    const { server, project, root, db, env } = await setUp(sessions(undefined));
    prepare(project);
    const dotGit = path.join(project, '.git');
    const gitBefore = existsSync(dotGit) ? filesOf(dotGit, 'base64') : undefined;

    const cli = await runBaton(['run', '--dir', project, '--prompt', 'x', ...flags, ...AGENT_FLAGS, '--json'], env);
    expect(cli.stderr).toBe(`baton: ${message(project)}\n`);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toBe('');
    expect(server.requests).toEqual([]);
    // No database, no worktrees folder, and no branch, ref or worktree record in the repository.
    expect(existsSync(db)).toBe(false);
    expect(existsSync(path.join(root, 'worktrees'))).toBe(false);
    if (gitBefore) expect(filesOf(dotGit, 'base64')).toEqual(gitBefore);
    const listed = await runBaton(['tasks', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});

/**
 * Starts a worktree task whose first session changes notes.txt and then waits on an answer that never
 * comes in time, and kills Baton there, as a crash would. Returns once the next Baton start (`baton
 * task`) has stopped the agent Baton left behind.
 */
async function crashInFirstIteration(workspace: Awaited<ReturnType<typeof setUp>>) {
  const { server, project, root, env } = workspace;
  const base = makeRepository(project, PROJECT_FILES);
  const before = checkoutState(project);
  const baton = startBaton(
    [
      'run',
      '--dir',
      project,
      '--prompt',
      'Crash',
      '--title',
      'crash',
      '--worktree',
      '--max-iterations',
      '3',
      ...AGENT_FLAGS,
    ],
    env,
  );
  const started = await baton.waitFor(/\[iteration 1\/3\] started {2}session (\S+)/);
  const sessionId = started.match(/\[iteration 1\/3\] started {2}session (\S+)/)?.[1] as string;
  // The tool call has run once the CLI comes back for the next turn.
  expect(await until(() => server.requests.filter((r) => r.sessionId === sessionId).length >= 2, 60_000)).toBe(true);
  const taskId = readdirSync(path.join(root, 'worktrees'))[0] as string;
  const worktreePath = path.join(root, 'worktrees', taskId);
  expect(readFileSync(path.join(worktreePath, 'notes.txt'), 'utf8')).toBe('first\ncrash\n');
  // What the running iteration has on record, read by another process before the crash.
  const running = await shownTask(taskId, env);
  expect(running.sessions[0]).toMatchObject({ status: 'running', git: { commitBefore: base, commitAfter: null } });

  process.kill(-baton.pid, 'SIGKILL');
  await baton.exited;
  // The agent outlived Baton; the next start stops it.
  expect(runningWith(sessionId)).toBe(true);
  const crashed = await shownTask(taskId, env);
  expect(await until(() => !runningWith(sessionId))).toBe(true);
  expect(crashed.status).toBe('interrupted');
  expect(crashed.sessions[0]).toMatchObject({ status: 'interrupted', git: { commitBefore: base, commitAfter: null } });
  expect(git(project, 'rev-parse', crashed.worktree?.branch as string)).toBe(base);
  return { base, before, sessionId, taskId, worktreePath, recordedBefore: running.sessions[0]?.git?.commitBefore };
}

/** Session 1 changes a file, then its next answer comes only after two minutes; later sessions complete. */
const crashScript: Script = ({ sessionOrdinal, turnInSession }) => {
  const usage = usageFor(sessionOrdinal, turnInSession);
  if (sessionOrdinal === 1 && turnInSession === 1) return { toolUse: bashCall('echo crash >> notes.txt'), usage };
  if (sessionOrdinal === 1) return { text: 'late', usage, delayMs: 120_000 };
  return { text: 'Nothing left to do.\nBATON_TASK_COMPLETE', usage };
};

describe('a crash in the middle of a worktree iteration', () => {
  it('keeps the snapshot from before it, and records the change as an "(interrupted)" checkpoint on resume', async () => {
    const workspace = await setUp(crashScript);
    const { project, env } = workspace;
    const { base, before, sessionId, taskId, recordedBefore } = await crashInFirstIteration(workspace);
    expect(recordedBefore).toBe(base);

    const resume = await runBaton(['resume', taskId, '--json'], env);
    expect(resume.stderr).toBe('');
    expect(resume.code).toBe(0);
    const task = lastJsonLine<TaskJson>(resume.stdout);
    expect(task.sessions.map((s) => [s.iteration, s.status])).toEqual([
      [1, 'interrupted'],
      [2, 'completed'],
    ]);
    // The interrupted iteration keeps its snapshot from before the crash, and its change is recorded after all.
    const interrupted = gitOf(task, 1);
    expect(interrupted).toMatchObject({
      commitBefore: recordedBefore,
      filesChanged: 1,
      insertions: 1,
      deletions: 0,
      files: [{ path: 'notes.txt', insertions: 1, deletions: 0 }],
    });
    const checkpoint = interrupted.commitAfter as string;
    expect(git(project, 'show', '--no-patch', '--format=%s%n%P', checkpoint)).toBe(
      `Baton: iteration 1 (interrupted) of "crash"\n${base}`,
    );
    expect(git(project, 'show', `${checkpoint}:notes.txt`)).toBe('first\ncrash');
    expect(git(project, 'show', '--no-patch', '--format=%B', checkpoint)).toContain(`Baton-Session: ${sessionId}`);
    // The next iteration started from it and changed nothing, so the checkpoint is the branch's tip.
    expect(gitOf(task, 2)).toMatchObject({ commitBefore: checkpoint, commitAfter: checkpoint, filesChanged: 0 });
    expect(git(project, 'rev-list', `${base}..${task.worktree?.branch}`)).toBe(checkpoint);
    expect(checkoutState(project)).toEqual({
      ...before,
      branches: [...before.branches, `refs/heads/${task.worktree?.branch} ${checkpoint}`].sort(),
    });
  });

  it('loses nothing when the task is merged after the crash instead of resumed', async () => {
    const workspace = await setUp(crashScript);
    const { project, env } = workspace;
    const { taskId, worktreePath } = await crashInFirstIteration(workspace);

    const merge = await runBaton(['merge', taskId], env);
    // Either the merge takes the interrupted iteration's change along (recorded as its checkpoint first,
    // as resume does), or it refuses and leaves the change in the worktree. It must not merge the branch
    // without it and then remove the worktree that held it.
    if (merge.code === 0) {
      expect(readFileSync(path.join(project, 'notes.txt'), 'utf8')).toBe('first\ncrash\n');
      expect((await shownTask(taskId, env)).sessions[0]?.git).toMatchObject({ filesChanged: 1 });
    } else {
      expect(merge.code).toBe(2);
      expect(merge.stderr).toMatch(/^baton: .+\n$/);
      expect(readFileSync(path.join(worktreePath, 'notes.txt'), 'utf8')).toBe('first\ncrash\n');
      expect((await shownTask(taskId, env)).worktree?.state).toBe('active');
    }
  });
});

describe('the stagnation stop with the real claude CLI', () => {
  it('ends the task stalled after 3 iterations that change nothing and leave the check’s output alone', async () => {
    const { server, project, env } = await setUp(sessions());
    makeRepository(project, PROJECT_FILES);
    const { cli, task } = await run(
      ['--dir', project, '--prompt', 'Do nothing', '--check', 'echo same; exit 1', '--max-iterations', '6'],
      env,
    );
    expect(cli.code).toBe(1);
    const reason = '3 iterations in a row changed no file and left the check’s output as it was (stall after 3)';
    expect(cli.stderr).toBe(`baton: task stalled: ${reason}\n`);
    expect(task).toMatchObject({ status: 'stalled', statusReason: reason, iterations: 3 });
    expect(task.sessions.map((s) => [s.git?.filesChanged, s.check?.exitCode, s.check?.output])).toEqual([
      [0, 1, 'same\n'],
      [0, 1, 'same\n'],
      [0, 1, 'same\n'],
    ]);
    expect(server.usageBySession().size).toBe(3);
    expect(git(project, 'status', '--porcelain')).toBe('');
  });

  it('stalls a worktree task alike: what the check writes is not the next iteration’s change', async () => {
    const { project, env } = await setUp(sessions());
    makeRepository(project, PROJECT_FILES);
    // The check leaves a log behind (as test runners do) with a new stamp each time, and says the same.
    const { cli, task } = await run(
      [
        '--dir',
        project,
        '--prompt',
        'Do nothing',
        '--worktree',
        '--check',
        'date +%s%N > check.log; echo same; exit 1',
        '--max-iterations',
        '4',
      ],
      env,
    );
    expect(task.sessions.map((s) => s.git?.files)).toEqual([[], [], []]);
    expect(task).toMatchObject({ status: 'stalled', iterations: 3 });
    expect(cli.code).toBe(1);
  });
});
