/**
 * What a whole task changed, in the changes panel: for a task with a worktree, what its branch changed since
 * it was made; otherwise, from before its first recorded iteration to after its last. One call, cut past the
 * contract's size; the file list is read from the patch itself, and past a cut each file is asked for alone.
 */
import { type Diff, plural, type SessionView, type TaskDetail } from '../contract';
import { useRead } from '../hooks/use-read';
import { byteLength, formatBytes, patchFiles } from '../patch';
import {
  BatonDiffCommand,
  DiffFileList,
  DiffNotLoaded,
  EXPAND_ALL_LIMIT,
  FetchedFileDiff,
  type ListedFile,
  opensWhole,
  PatchView,
} from './DiffFiles';
import { ChangeCounts } from './IterationOutcomes';

/** Iterations `a`–`b` in words: "iteration 2", "iterations 1–3". */
const iterationRange = (first: number, last: number) =>
  first === last ? `iteration ${first}` : `iterations ${first}–${last}`;

/** Where the task's diff starts and ends, as a sentence. */
function Scope({ task, first, last }: { task: TaskDetail; first: number; last: number }) {
  const worktree = task.worktree;
  if (worktree) {
    // Merged or discarded, the branch is history: what it changed is still read from its commits.
    const was =
      worktree.state === 'merged' ? ', since merged,' : worktree.state === 'discarded' ? ', since discarded,' : '';
    return (
      <>
        What branch <code>{worktree.branch}</code>
        {was} changed since it was made from{' '}
        {worktree.baseBranch ? <code>{worktree.baseBranch}</code> : 'a detached HEAD'} at{' '}
        <code title={worktree.baseCommit}>{worktree.baseCommit.slice(0, 12)}</code> ({iterationRange(first, last)})
      </>
    );
  }
  return <>What {iterationRange(first, last)} changed, from before the first to after the last</>;
}

/** Why a task has no diff to show yet, or at all. */
function noRecordReason(task: TaskDetail, sessions: readonly SessionView[]): string {
  if (task.changeTracking === 'not_a_repository')
    return 'Not a git repository: Baton records no changes for this task.';
  if (task.changeTracking === 'git_unavailable')
    return 'Git could not be run here: Baton records no changes for this task.';
  if (sessions.some((s) => s.status === 'running')) {
    return 'The first iteration is still running: the task’s changes show when it ends.';
  }
  if (sessions.length === 0) return 'This task has no iterations yet.';
  return 'Baton recorded no changes for this task.';
}

/** A file of the task's diff: with its patch where the whole diff held it, else asked for alone when opened. */
type TaskFile = ListedFile & { patch?: string };

/**
 * The task's files: those of its patch, with their counts. Where the patch was cut, the file it cut and those
 * past the cut (named by the iterations' records of what they changed) follow, without counts.
 */
export function taskFiles(diff: Diff, sessions: readonly SessionView[]): TaskFile[] {
  const parsed = patchFiles(diff.patch);
  if (!diff.truncated) return parsed;
  const whole = parsed.slice(0, -1);
  const shown = new Set(whole.map((f) => f.path));
  const cut = parsed.at(-1)?.path;
  const named = sessions.flatMap((s) => s.git?.files.map((f) => f.path) ?? []);
  const rest = [...new Set([...(cut ? [cut] : []), ...named])].filter((path) => !shown.has(path)).sort();
  return [...whole, ...rest.map((path) => ({ path, binary: false }))];
}

/** The whole task's changes, with the file list and the same viewer as an iteration's. */
export function TaskChanges({ task, sessions }: { task: TaskDetail; sessions: readonly SessionView[] }) {
  const recorded = sessions.filter((s) => s.git && s.git.commitAfter !== null);
  const first = recorded[0];
  const last = recorded.at(-1);
  const diff = useRead('getDiff', { taskId: task.id }, { enabled: first !== undefined });
  if (!first || !last) {
    return (
      <p className="muted" data-testid="diff-empty">
        {noRecordReason(task, sessions)}
      </p>
    );
  }
  const pending = sessions.filter((s) => s.iteration > last.iteration && s.status === 'running');
  const scope = (
    <p className="diff-scope" data-testid="diff-scope">
      <Scope task={task} first={first.iteration} last={last.iteration} />.
      {pending.length > 0 ? ` Iteration ${pending[0]!.iteration} is still running: its changes are not in yet.` : ''}
    </p>
  );
  if (!diff.data) {
    return (
      <>
        {scope}
        <DiffNotLoaded diff={diff} what="the task’s diff" />
      </>
    );
  }
  const { patch, truncated, totalBytes } = diff.data;
  const files = taskFiles(diff.data, sessions);
  const counted = files.filter((f) => f.patch !== undefined);
  const insertions = counted.reduce((n, f) => n + (f.insertions ?? 0), 0);
  const deletions = counted.reduce((n, f) => n + (f.deletions ?? 0), 0);
  return (
    <>
      {scope}
      {files.length === 0 ? (
        <p className="muted" data-testid="diff-empty">
          All together the task changed no file: what one iteration changed, another undid.
        </p>
      ) : (
        <p className="replay-figures" data-testid="diff-figures">
          {plural(files.length, 'file')} changed
          {truncated ? null : (
            <>
              , <ChangeCounts insertions={insertions} deletions={deletions} />
            </>
          )}
        </p>
      )}
      {truncated ? (
        <p className="notice notice-warning" role="status" data-testid="diff-truncated">
          The task&apos;s diff is {formatBytes(totalBytes)}, too large to load at once: the files in its first{' '}
          {formatBytes(byteLength(patch))} show with their counts, the others load one by one as they are opened.{' '}
          <BatonDiffCommand taskId={task.id} /> prints all of it.
        </p>
      ) : null}
      <DiffFileList
        files={files}
        initiallyOpen={() => files.length === 1 || (!truncated && opensWhole(files))}
        expandLimit={truncated ? EXPAND_ALL_LIMIT : undefined}
        body={(file) =>
          file.patch === undefined ? (
            <FetchedFileDiff taskId={task.id} path={file.path} />
          ) : (
            <PatchView path={file.path} patch={file.patch} />
          )
        }
      />
    </>
  );
}
