/**
 * What each iteration changed, with real git in temporary repositories: snapshots that leave the
 * user's HEAD, index and branches alone, worktree tasks with a checkpoint commit per iteration, their
 * merge and discard, the check's outcome, and the stagnation stop. The agent is scripted here (it
 * edits files in the directory it is given); test/integration runs the real CLI.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentRunRequest } from '../../src-main/core/agents/agent-runner';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { InvalidTaskError } from '../../src-main/core/orchestrator/orchestrator';
import { TaskChanges, TaskChangesError } from '../../src-main/core/orchestrator/task-changes';
import { ScriptedAgent, success } from '../support/scripted-agent';

let root: string;
let repo: string;
let core: BatonCore | undefined;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();

function makeRepository(dir: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'Test User');
  git(dir, 'config', 'user.email', 'test@example.com');
  writeFileSync(path.join(dir, 'README.md'), 'hello\n');
  writeFileSync(path.join(dir, '.gitignore'), 'build/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'first');
}

/** What the user would see of their own checkout: HEAD, branches, status and the index file's bytes. */
function checkoutState(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    branches: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'),
    status: git(dir, 'status', '--porcelain'),
    index: readFileSync(path.join(dir, '.git', 'index')).toString('base64'),
  };
}

/** An agent that, in iteration n, runs `edit(n, cwd)` in the directory it was given. */
function editingAgent(edit: (call: number, cwd: string) => void) {
  return new ScriptedAgent((request: AgentRunRequest, call) => {
    edit(call, request.cwd);
    return success(`iteration ${call}`);
  });
}

let taskIds: string[] = [];
async function makeCore(agent: ScriptedAgent): Promise<BatonCore> {
  core = await openBatonCore({
    databaseFile: path.join(root, 'data', 'baton.db'),
    agent,
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
    newTaskId: () => taskIds.shift() ?? crypto.randomUUID(),
  });
  return core;
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-outcomes-'));
  repo = path.join(root, 'repo');
  makeRepository(repo);
  taskIds = [];
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('per-iteration change record in a repository', () => {
  it('snapshots before and after each iteration without touching HEAD, index or branches', async () => {
    // Something staged and something unstaged by the user before the task: both must stay as they are.
    writeFileSync(path.join(repo, 'staged.txt'), 'mine\n');
    git(repo, 'add', 'staged.txt');
    appendFileSync(path.join(repo, 'README.md'), 'unstaged edit\n');
    const before = checkoutState(repo);

    const agent = editingAgent((call, cwd) => {
      if (call === 1) writeFileSync(path.join(cwd, 'a.txt'), 'one\ntwo\n');
      if (call === 2) {
        writeFileSync(path.join(cwd, 'a.txt'), 'one\n');
        mkdirSync(path.join(cwd, 'build'), { recursive: true });
        writeFileSync(path.join(cwd, 'build', 'out.js'), 'ignored\n');
      }
    });
    const { orchestrator, store } = await makeCore(agent);
    const task = await orchestrator.createTask({ dir: repo, prompt: 'edit', maxIterations: 3, stallAfter: 0 });
    await orchestrator.runTask(task.id);

    const after = checkoutState(repo);
    expect(after.head).toBe(before.head);
    expect(after.branches).toBe(before.branches);
    expect(after.index).toBe(before.index);
    // The agent's files show as untracked, as they would without Baton; nothing else changed.
    expect(after.status.split('\n').sort()).toEqual(['?? a.txt', 'A  staged.txt', ' M README.md'].sort());

    const detail = await store.taskDetail(task.id);
    expect(detail?.changeTracking).toBe('git');
    const [first, second, third] = detail?.sessions.map((s) => s.git) ?? [];
    expect(first).toMatchObject({ filesChanged: 1, insertions: 2, deletions: 0 });
    expect(first?.files).toEqual([{ path: 'a.txt', insertions: 2, deletions: 0, binary: false }]);
    // The ignored build output stays out of the snapshot.
    expect(second).toMatchObject({ filesChanged: 1, insertions: 0, deletions: 1 });
    expect(second?.files.map((f) => f.path)).toEqual(['a.txt']);
    expect(third).toMatchObject({ filesChanged: 0, insertions: 0, deletions: 0, files: [] });
    // Each iteration starts from the tree the previous one left (the user changed nothing meanwhile).
    const tree = (commit: string | null | undefined) => git(repo, 'rev-parse', `${commit}^{tree}`);
    expect(tree(second?.commitBefore)).toBe(tree(first?.commitAfter));
    // The snapshot before the first iteration holds the user's unstaged edit and staged file too.
    expect(git(repo, 'show', `${first?.commitBefore}:staged.txt`)).toBe('mine');
    // Kept under refs/baton/, so gc keeps them.
    const refs = git(repo, 'for-each-ref', '--format=%(refname)', `refs/baton/tasks/${task.id}`).split('\n');
    expect(refs).toHaveLength(6);
    expect(detail?.linesChanged).toBe(3);

    const changes = new TaskChanges(store);
    const diff = await changes.diff(detail!, { iteration: 1, path: 'a.txt', maxBytes: 1024 * 1024 });
    expect(diff.truncated).toBe(false);
    expect(diff.patch).toContain('+two');
    const whole = await changes.diff(detail!, { maxBytes: 1024 * 1024 });
    expect(whole.patch).toContain('+one');
    expect(whole.patch).not.toContain('+two');
  });

  it('cuts a large diff at a line end and says how large it was', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => `line ${i} of a long file`).join('\n');
    const { orchestrator, store } = await makeCore(
      editingAgent((_, cwd) => writeFileSync(path.join(cwd, 'big.txt'), big)),
    );
    const task = await orchestrator.createTask({ dir: repo, prompt: 'big', maxIterations: 1 });
    await orchestrator.runTask(task.id);
    const diff = await new TaskChanges(store).diff((await store.taskDetail(task.id))!, {
      iteration: 1,
      maxBytes: 4096,
    });
    expect(diff.truncated).toBe(true);
    expect(diff.totalBytes).toBeGreaterThan(100_000);
    expect(Buffer.byteLength(diff.patch)).toBeLessThanOrEqual(4096);
    expect(diff.patch.endsWith('\n')).toBe(true);
  });

  it('records nothing outside a repository, and says why', async () => {
    const plain = path.join(root, 'plain');
    mkdirSync(plain);
    const { orchestrator, store } = await makeCore(editingAgent((_, cwd) => writeFileSync(path.join(cwd, 'x'), 'x')));
    const task = await orchestrator.createTask({ dir: plain, prompt: 'edit', maxIterations: 2 });
    const done = await orchestrator.runTask(task.id);
    // Without a record there is no stagnation to see either: the task runs its iterations.
    expect(done.status).toBe('max_iterations');
    const detail = await store.taskDetail(task.id);
    expect(detail?.changeTracking).toBe('not_a_repository');
    expect(detail?.sessions.map((s) => s.git)).toEqual([null, null]);
    expect(detail?.linesChanged).toBeNull();
    await expect(new TaskChanges(store).diff(detail!, { iteration: 1, maxBytes: 4096 })).rejects.toThrow(
      /not in a git repository/,
    );
  });
});

describe('the check after each iteration', () => {
  it('stores its exit code, duration and output, run where the agent worked', async () => {
    const { orchestrator, store } = await makeCore(
      editingAgent((call, cwd) => writeFileSync(path.join(cwd, `step${call}.txt`), `${call}\n`)),
    );
    const task = await orchestrator.createTask({
      dir: repo,
      prompt: 'steps',
      maxIterations: 3,
      check: 'ls step*.txt | wc -l; test -f step2.txt',
    });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('completed');
    const checks = (await store.sessionsOfTask(task.id)).map((s) => s.check);
    expect(checks.map((c) => c?.exitCode)).toEqual([1, 0]);
    expect(checks.map((c) => c?.output.trim())).toEqual(['1', '2']);
    expect(checks.every((c) => c !== null && c !== undefined && c.durationMs >= 0 && !c.timedOut)).toBe(true);
  });

  it('is null without a check', async () => {
    const { orchestrator, store } = await makeCore(editingAgent(() => undefined));
    const task = await orchestrator.createTask({ dir: repo, prompt: 'x', maxIterations: 1 });
    await orchestrator.runTask(task.id);
    expect((await store.sessionsOfTask(task.id))[0]?.check).toBeNull();
  });
});

describe('the stagnation stop', () => {
  it('ends the task stalled after K iterations with no file change and the same check output', async () => {
    const { orchestrator, store } = await makeCore(editingAgent(() => undefined));
    const task = await orchestrator.createTask({
      dir: repo,
      prompt: 'nothing',
      maxIterations: 10,
      check: 'echo "2 tests failing"; exit 1',
    });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('stalled');
    expect(done.statusReason).toMatch(/3 iterations in a row changed no file and left the check’s output as it was/);
    expect(done.iterations).toBe(3);
    // Stored as failed-and-stalled, and found again by its status.
    expect((await store.taskSummary(task.id))?.status).toBe('stalled');
  });

  it('starts the count over when a file changes or the check says something new', async () => {
    const counter = path.join(root, 'count');
    writeFileSync(counter, '0');
    // Iteration 3 changes a file; the check's output changes in iteration 5.
    const { orchestrator } = await makeCore(
      editingAgent((call, cwd) => {
        writeFileSync(counter, String(call));
        if (call === 3) writeFileSync(path.join(cwd, 'progress.txt'), 'made some\n');
      }),
    );
    const task = await orchestrator.createTask({
      dir: repo,
      prompt: 'slow',
      maxIterations: 7,
      stallAfter: 3,
      check: `if [ "$(cat ${counter})" -ge 5 ]; then echo later; else echo early; fi; exit 1`,
    });
    const done = await orchestrator.runTask(task.id);
    // 1,2 idle (early); 3 changes; 4 idle (early); 5,6,7 idle (later): the third "later" stalls at 7.
    expect(done.status).toBe('stalled');
    expect(done.iterations).toBe(7);
  });

  it('never stops with --stall-after 0', async () => {
    const { orchestrator } = await makeCore(editingAgent(() => undefined));
    const task = await orchestrator.createTask({ dir: repo, prompt: 'idle', maxIterations: 4, stallAfter: 0 });
    expect((await orchestrator.runTask(task.id)).status).toBe('max_iterations');
  });
});

describe('worktree tasks', () => {
  const id = '0123abcd-0000-4000-8000-000000000001';

  async function runWorktreeTask(edit: (call: number, cwd: string) => void, iterations = 3) {
    const agent = editingAgent(edit);
    const { orchestrator, store } = await makeCore(agent);
    taskIds = [id];
    const task = await orchestrator.createTask({
      dir: repo,
      prompt: 'work',
      maxIterations: iterations,
      worktree: true,
      stallAfter: 0,
    });
    const done = await orchestrator.runTask(task.id);
    return { agent, orchestrator, store, done, detail: (await store.taskDetail(task.id))! };
  }

  it('runs in a new worktree on baton/<id>, one checkpoint commit per iteration that changed something', async () => {
    const before = checkoutState(repo);
    const { agent, detail } = await runWorktreeTask((call, cwd) => {
      if (call !== 2) writeFileSync(path.join(cwd, `file${call}.txt`), `iteration ${call}\n`);
    });
    // Only the task's own branch is new; the user's branch, HEAD, index and files are as they were.
    const after = checkoutState(repo);
    expect({ ...after, branches: after.branches.replace(/^refs\/heads\/baton\/0123abcd \w+\n/, '') }).toEqual(before);
    expect(existsSync(path.join(repo, 'file1.txt'))).toBe(false);

    const worktree = detail.worktree!;
    expect(worktree).toMatchObject({ branch: 'baton/0123abcd', baseBranch: 'main', state: 'active', present: true });
    expect(worktree.baseCommit).toBe(before.head);
    expect(worktree.path).toBe(path.join(root, 'data', 'worktrees', id));
    expect(agent.requests.every((r) => r.cwd === worktree.path)).toBe(true);

    // Two iterations changed files: two checkpoint commits on the branch, none for the idle one.
    const log = git(repo, 'log', '--format=%s', `${before.head}..baton/0123abcd`).split('\n');
    expect(log).toEqual(['Baton: iteration 3 of "work"', 'Baton: iteration 1 of "work"']);
    const [first, second, third] = detail.sessions.map((s) => s.git!);
    expect(first?.commitBefore).toBe(before.head);
    expect(second?.commitAfter).toBe(second?.commitBefore);
    expect(git(repo, 'rev-parse', 'baton/0123abcd')).toBe(third?.commitAfter);
    const body = git(repo, 'log', '-1', '--format=%B', 'baton/0123abcd');
    expect(body).toContain(`Baton-Session: ${detail.sessions[2]?.sessionId}`);
    expect(body).toMatch(/Baton-Tokens: 16\nBaton-Cost-USD: 0\.010000/);
  });

  it('counts what the agent committed on the branch itself as its iteration’s change', async () => {
    const { detail } = await runWorktreeTask((call, cwd) => {
      writeFileSync(path.join(cwd, 'own.txt'), `${call}\n`);
      git(cwd, 'add', 'own.txt');
      git(cwd, 'commit', '--quiet', '-m', `agent's own commit ${call}`);
    }, 2);
    const [first, second] = detail.sessions.map((s) => s.git!);
    expect(first).toMatchObject({ filesChanged: 1, insertions: 1 });
    expect(second).toMatchObject({ filesChanged: 1, insertions: 1, deletions: 1 });
    expect(git(repo, 'rev-parse', 'baton/0123abcd')).toBe(second?.commitAfter);
    expect(git(repo, 'log', '-1', '--format=%s', 'baton/0123abcd')).toBe("agent's own commit 2");
  });

  it('runs a task launched in a subfolder (through a symlink) in the same subfolder of its worktree', async () => {
    mkdirSync(path.join(repo, 'pkg', 'api'), { recursive: true });
    writeFileSync(path.join(repo, 'pkg', 'api', 'index.ts'), 'export {};\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'a package');
    const link = path.join(root, 'link-to-repo');
    symlinkSync(repo, link);
    const agent = editingAgent((_, cwd) => writeFileSync(path.join(cwd, 'here.txt'), 'x\n'));
    const { orchestrator, store } = await makeCore(agent);
    taskIds = [id];
    const task = await orchestrator.createTask({
      dir: path.join(link, 'pkg', 'api'),
      prompt: 'x',
      maxIterations: 1,
      worktree: true,
    });
    await orchestrator.runTask(task.id);
    const worktree = (await store.taskDetail(task.id))!.worktree!;
    expect(agent.requests[0]?.cwd).toBe(path.join(worktree.path, 'pkg', 'api'));
    expect(git(repo, 'show', '--name-only', '--format=', 'baton/0123abcd')).toBe('pkg/api/here.txt');
  });

  it('merges into the branch it started from, then removes the worktree and keeps the branch', async () => {
    const { store, detail } = await runWorktreeTask(
      (call, cwd) => writeFileSync(path.join(cwd, `f${call}.txt`), 'x\n'),
      2,
    );
    const merged = await new TaskChanges(store).merge(detail, false);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(merged.commit);
    expect(git(repo, 'log', '-1', '--format=%P', 'HEAD').split(' ')).toHaveLength(2);
    expect(readFileSync(path.join(repo, 'f2.txt'), 'utf8')).toBe('x\n');
    expect(existsSync(detail.worktree!.path)).toBe(false);
    expect(git(repo, 'branch', '--list', 'baton/0123abcd')).toContain('baton/0123abcd');
    expect((await store.taskDetail(detail.id))?.worktree?.state).toBe('merged');
    await expect(new TaskChanges(store).merge((await store.taskDetail(detail.id))!, false)).rejects.toThrow(
      /already merged/,
    );
  });

  it('squash-merges as one commit on top of the base branch', async () => {
    const { store, detail } = await runWorktreeTask(
      (call, cwd) => writeFileSync(path.join(cwd, `f${call}.txt`), 'x\n'),
      2,
    );
    const base = git(repo, 'rev-parse', 'HEAD');
    await new TaskChanges(store).merge(detail, true);
    expect(git(repo, 'log', '-1', '--format=%P', 'HEAD')).toBe(base);
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['f1.txt', 'f2.txt']);
  });

  it('refuses to merge into a dirty checkout or over a conflict, changing nothing', async () => {
    const { store, detail } = await runWorktreeTask(
      (_, cwd) => writeFileSync(path.join(cwd, 'README.md'), 'agent\n'),
      1,
    );
    const changes = new TaskChanges(store);

    writeFileSync(path.join(repo, 'README.md'), 'user edit, not committed\n');
    const dirty = checkoutState(repo);
    await expect(changes.merge(detail, false)).rejects.toThrow(/uncommitted changes \(README\.md\)/);
    expect(checkoutState(repo)).toEqual(dirty);

    git(repo, 'commit', '--quiet', '-am', 'user commits a conflicting line');
    const committed = checkoutState(repo);
    await expect(changes.merge(detail, false)).rejects.toThrow(/conflicts with main in README\.md.*branch is kept/);
    // And says how to go on: where to merge main into the branch, or to discard it.
    await expect(changes.merge(detail, false)).rejects.toThrow(
      `run \`git merge main\` in ${(await store.worktreeOf(detail.id))!.path}, resolve the conflicts and commit, then merge again; or discard it`,
    );
    expect(checkoutState(repo)).toEqual(committed);
    expect(git(repo, 'rev-parse', 'baton/0123abcd')).toBe(detail.sessions[0]?.git?.commitAfter);
    expect((await store.taskDetail(detail.id))?.worktree?.state).toBe('active');
  });

  it('discards the worktree and its branch; the diffs stay readable', async () => {
    const { store, detail } = await runWorktreeTask((_, cwd) => writeFileSync(path.join(cwd, 'gone.txt'), 'soon\n'), 1);
    const changes = new TaskChanges(store);
    await changes.discard(detail);
    expect(existsSync(detail.worktree!.path)).toBe(false);
    expect(git(repo, 'branch', '--list', 'baton/*')).toBe('');
    const after = (await store.taskDetail(detail.id))!;
    expect(after.worktree?.state).toBe('discarded');
    expect((await changes.diff(after, { iteration: 1, maxBytes: 4096 })).patch).toContain('+soon');
  });

  it('refuses to resume a task whose worktree was deleted by hand, and says so on the task', async () => {
    const { orchestrator, store, detail } = await runWorktreeTask(() => undefined, 1);
    await store.finishTask(detail.id, 'cancelled', 'stopped');
    rmSync(detail.worktree!.path, { recursive: true, force: true });
    expect((await store.taskDetail(detail.id))?.worktree?.present).toBe(false);
    await expect(orchestrator.prepareResume(detail.id)).rejects.toThrow(/worktree .* was deleted/);
  });

  it('finishes the record of an iteration Baton stopped in, as its checkpoint, on the next start', async () => {
    const { orchestrator, store, detail } = await runWorktreeTask(
      (_, cwd) => writeFileSync(path.join(cwd, 'a.txt'), '1\n'),
      1,
    );
    // As a crash leaves it: the snapshot before is on the row, none after, and the agent's edit in the worktree.
    const [session] = detail.sessions;
    await store.dataSource.query(
      `UPDATE sessions SET git_after = NULL, files_changed = NULL, status = 'interrupted' WHERE session_id = ?`,
      [session?.sessionId],
    );
    git(detail.worktree!.path, 'reset', '--quiet', '--soft', 'HEAD~1');
    await store.finishTask(detail.id, 'interrupted', 'Baton stopped');
    await store.dataSource.query(`UPDATE tasks SET spec = json_set(spec, '$.maxIterations', 2) WHERE id = ?`, [
      detail.id,
    ]);

    await orchestrator.prepareResume(detail.id);
    await orchestrator.runTask(detail.id);
    const resumed = (await store.taskDetail(detail.id))!;
    expect(resumed.sessions[0]?.git).toMatchObject({ commitBefore: session?.git?.commitBefore, filesChanged: 1 });
    expect(git(repo, 'log', '--format=%s', 'baton/0123abcd', '-1', '--', 'a.txt')).toBe(
      'Baton: iteration 1 (interrupted) of "work"',
    );
  });
});

describe('worktree tasks after a crash, and a check that writes files', () => {
  const id = '0123abcd-0000-4000-8000-000000000003';

  it('commits an interrupted iteration’s work before merging, so the merge loses nothing', async () => {
    const { orchestrator, store } = await makeCore(
      editingAgent((_, cwd) => writeFileSync(path.join(cwd, 'cut.txt'), 'written before the crash\n')),
    );
    taskIds = [id];
    const task = await orchestrator.createTask({ dir: repo, prompt: 'cut', maxIterations: 1, worktree: true });
    await orchestrator.runTask(task.id);
    const detail = (await store.taskDetail(task.id))!;
    // As a crash leaves it: the agent's file in the worktree, no checkpoint, no snapshot after on the row.
    git(detail.worktree!.path, 'reset', '--quiet', '--mixed', 'HEAD~1');
    await store.dataSource.query(`UPDATE sessions SET git_after = NULL, status = 'interrupted' WHERE task_id = ?`, [
      task.id,
    ]);
    await store.finishTask(task.id, 'interrupted', 'Baton stopped');

    const merged = await new TaskChanges(store).merge((await store.taskDetail(task.id))!, false);
    expect(readFileSync(path.join(repo, 'cut.txt'), 'utf8')).toBe('written before the crash\n');
    expect(git(repo, 'log', '-1', '--format=%s', `${merged.commit}^2`)).toBe(
      'Baton: iteration 1 (interrupted) of "cut"',
    );
    expect((await store.sessionsOfTask(task.id))[0]?.git).toMatchObject({ filesChanged: 1 });
  });

  it('refuses to merge a branch with nothing new, or a worktree with changes in no checkpoint', async () => {
    const { orchestrator, store } = await makeCore(editingAgent(() => undefined));
    taskIds = [id];
    const task = await orchestrator.createTask({ dir: repo, prompt: 'idle', maxIterations: 1, worktree: true });
    await orchestrator.runTask(task.id);
    const changes = new TaskChanges(store);
    const detail = (await store.taskDetail(task.id))!;
    await expect(changes.merge(detail, false)).rejects.toThrow(/has nothing that main does not have/);
    writeFileSync(path.join(detail.worktree!.path, 'by-hand.txt'), 'the user’s own edit\n');
    await expect(changes.merge(detail, false)).rejects.toThrow(/has changes in no checkpoint/);
    expect(existsSync(path.join(detail.worktree!.path, 'by-hand.txt'))).toBe(true);
  });

  it('keeps what the check writes out of the next iteration’s change, so an idle task still stalls', async () => {
    const { orchestrator, store } = await makeCore(editingAgent(() => undefined));
    taskIds = [id];
    const task = await orchestrator.createTask({
      dir: repo,
      prompt: 'idle',
      maxIterations: 6,
      worktree: true,
      check: 'date +%s%N > check.log; echo same; exit 1',
    });
    const done = await orchestrator.runTask(task.id);
    expect(done.status).toBe('stalled');
    expect((await store.sessionsOfTask(task.id)).map((s) => s.git?.filesChanged)).toEqual([0, 0, 0]);
  });
});

describe('a launch its agent turns away at once', () => {
  const rejecting = () =>
    new ScriptedAgent((request: AgentRunRequest) => {
      // The agent was already let loose on the files before the API said no: that too must go.
      writeFileSync(path.join(request.cwd, 'stray.txt'), 'x\n');
      return { error: { kind: 'api_error', message: 'model nope-1 not found' }, exitCode: 1 };
    });

  for (const worktree of [false, true]) {
    it(`leaves nothing in git ${worktree ? 'with' : 'without'} a worktree: no refs, worktree or branch`, async () => {
      const before = checkoutState(repo);
      const { orchestrator } = await makeCore(rejecting());
      const id = '0123abcd-0000-4000-8000-00000000000a';
      taskIds = [id];
      const task = await orchestrator.createTask({ dir: repo, prompt: 'x', model: 'nope-1', worktree });
      if (worktree) expect(git(repo, 'branch', '--list', 'baton/0123abcd')).not.toBe('');
      await expect(orchestrator.runTask(task.id)).rejects.toThrow(/rejected the model nope-1: model nope-1 not found/);
      expect(git(repo, 'for-each-ref', 'refs/baton/')).toBe('');
      expect(git(repo, 'branch', '--list', 'baton/*')).toBe('');
      expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
      expect(existsSync(path.join(root, 'data', 'worktrees', id))).toBe(false);
      // In the user's own checkout the agent's stray file is the agent's doing, not Baton's, and stays.
      expect(checkoutState(repo)).toEqual({ ...before, status: worktree ? before.status : '?? stray.txt' });
    });
  }
});

describe('bad worktree launches, with nothing written', () => {
  async function refused(spec: { dir: string }, pattern: RegExp) {
    const { orchestrator, store } = await makeCore(editingAgent(() => undefined));
    const error = await orchestrator.createTask({ ...spec, prompt: 'x', worktree: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).message).toMatch(pattern);
    expect((error as InvalidTaskError).issues[0]?.path).toEqual(['worktree']);
    expect(await store.listTaskSummaries({ limit: 10, offset: 0 })).toEqual([]);
    expect(existsSync(path.join(root, 'data', 'worktrees'))).toBe(false);
  }

  it('outside a git repository', async () => {
    const plain = path.join(root, 'plain');
    mkdirSync(plain);
    await refused({ dir: plain }, /needs a git repository, and .*plain is not in one/);
  });

  it('in a repository with no commits', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    git(empty, 'init', '--quiet');
    await refused({ dir: empty }, /needs a commit to branch from/);
  });

  it('when the branch already exists', async () => {
    git(repo, 'branch', 'baton/0123abcd');
    taskIds = ['0123abcd-0000-4000-8000-000000000002'];
    await refused({ dir: repo }, /branch baton\/0123abcd already exists/);
  });

  it('refuses merge and discard for a task without a worktree', async () => {
    const { orchestrator, store } = await makeCore(editingAgent(() => undefined));
    const task = await orchestrator.createTask({ dir: repo, prompt: 'x', maxIterations: 1 });
    await orchestrator.runTask(task.id);
    const detail = (await store.taskDetail(task.id))!;
    await expect(new TaskChanges(store).merge(detail, false)).rejects.toThrow(TaskChangesError);
    await expect(new TaskChanges(store).discard(detail)).rejects.toThrow(/did not run in a worktree/);
  });
});
