/**
 * What a whole task changed, in the changes panel: for a task with a worktree, what its branch changed since
 * it was made; otherwise, from before its first recorded iteration to after its last. One call, cut past the
 * contract's size; the file list is read from the patch itself.
 */
import { plural, type SessionView, type TaskDetail } from '../contract';
import { useRead } from '../hooks/use-read';
import { byteLength, formatBytes, patchFiles } from '../patch';
import { BatonDiffCommand, DiffFileList, DiffNotLoaded, PatchView } from './DiffFiles';
import { ChangeCounts } from './IterationOutcomes';

/** Iterations `a`–`b` in words: "iteration 2", "iterations 1–3". */
const iterationRange = (first: number, last: number) =>
  first === last ? `iteration ${first}` : `iterations ${first}–${last}`;

/** Where the task's diff starts and ends, as a sentence. */
function Scope({ task, first, last }: { task: TaskDetail; first: number; last: number }) {
  const worktree = task.worktree;
  if (worktree) {
    return (
      <>
        What branch <code>{worktree.branch}</code> changed since it was made from{' '}
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
  const files = patchFiles(patch);
  const cutFile = truncated ? files.at(-1)?.path : undefined;
  const insertions = files.reduce((n, f) => n + f.insertions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  return (
    <>
      {scope}
      {files.length === 0 ? (
        <p className="muted" data-testid="diff-empty">
          All together the task changed no file: what one iteration changed, another undid.
        </p>
      ) : (
        <p className="replay-figures" data-testid="diff-figures">
          {truncated ? `In its first ${formatBytes(byteLength(patch))}: ` : ''}
          {plural(files.length, 'file')} changed, <ChangeCounts insertions={insertions} deletions={deletions} />
        </p>
      )}
      {truncated ? (
        <p className="notice notice-warning" role="status" data-testid="diff-truncated">
          The task&apos;s diff is {formatBytes(totalBytes)}, too large to show whole: the files below are those in its
          first {formatBytes(byteLength(patch))}. <BatonDiffCommand taskId={task.id} /> prints all of it.
        </p>
      ) : null}
      <DiffFileList
        files={files}
        initiallyOpen={() => files.length === 1}
        body={(file) => (
          <PatchView
            path={file.path}
            patch={file.patch}
            cut={
              file.path === cutFile ? (
                <>
                  This file&apos;s diff is cut where the part shown ends. <BatonDiffCommand taskId={task.id} /> prints
                  all of it.
                </>
              ) : undefined
            }
          />
        )}
      />
    </>
  );
}
