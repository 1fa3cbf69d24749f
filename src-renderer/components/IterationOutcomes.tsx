import { useState } from 'react';
import {
  formatDuration,
  formatTokens,
  plural,
  type ChangeTracking,
  type CheckOutcome,
  type GitChange,
  type TaskDetail,
  type WorktreeView,
} from '../contract';
import { useServices } from '../app/services';
import { errorMessage } from '../errors';
import { ConfirmInline } from './ConfirmInline';
import '../styles/outcomes.css';

/** "+12 −3", the insertions and deletions in the colours diffs use. */
export function ChangeCounts({ insertions, deletions }: { insertions: number; deletions: number }) {
  return (
    <span className="change-counts" data-insertions={insertions} data-deletions={deletions}>
      <span className="insertions">+{formatTokens(insertions)}</span>{' '}
      <span className="deletions">−{formatTokens(deletions)}</span>
    </span>
  );
}

/** How many files of an iteration the table names before "and N more". */
const FILES_IN_ROW = 3;

/** An iteration's changes in its table row: the files with their counts; a click opens the diff. */
export function ChangesCell({ git, onOpen }: { git: GitChange | null | undefined; onOpen: () => void }) {
  if (!git) return <td className="muted">—</td>;
  if (git.commitAfter === null) return <td className="muted">…</td>;
  if (git.filesChanged === 0) {
    return (
      <td className="muted" data-testid="changes-cell" data-files={0}>
        no change
      </td>
    );
  }
  const shown = git.files.slice(0, FILES_IN_ROW);
  const more = git.filesChanged - shown.length;
  return (
    <td data-testid="changes-cell" data-files={git.filesChanged}>
      <button
        type="button"
        className="link-button changes-button"
        onClick={onOpen}
        title="Open this iteration's diff"
        aria-label={`Diff of ${plural(git.filesChanged, 'file')}, +${git.insertions} −${git.deletions}`}
      >
        {plural(git.filesChanged, 'file')} <ChangeCounts {...git} />
      </button>
      <ul className="changed-files">
        {shown.map((file) => (
          <li key={file.path}>
            <code title={file.path}>{file.path}</code>{' '}
            {file.binary ? <span className="muted">binary</span> : <ChangeCounts {...file} />}
          </li>
        ))}
        {more > 0 ? <li className="muted">and {plural(more, 'more file')}</li> : null}
      </ul>
    </td>
  );
}

/** The check's outcome in words: "passed", "exit 1", "timed out", "did not finish". */
export function describeCheck(check: CheckOutcome): string {
  if (check.timedOut) return 'timed out';
  if (check.exitCode === null) return 'did not finish';
  return check.exitCode === 0 ? 'passed (exit 0)' : `failed (exit ${check.exitCode})`;
}

/** The completion check after an iteration: how it ended, how long it took, and its output on demand. */
export function CheckCell({ check }: { check: CheckOutcome | null | undefined }) {
  if (!check) return <td className="muted">—</td>;
  const kind = check.timedOut || check.exitCode === null ? 'timeout' : check.exitCode === 0 ? 'ok' : 'failed';
  const summary = (
    <>
      <span className={`check-result check-${kind}`}>{describeCheck(check)}</span>{' '}
      <span className="muted">{formatDuration(check.durationMs)}</span>
    </>
  );
  return (
    <td data-testid="check-cell" data-exit-code={check.exitCode ?? undefined} data-timed-out={check.timedOut}>
      {check.output.trim() === '' ? (
        <>
          {summary} <span className="muted">· no output</span>
        </>
      ) : (
        <details className="check-output">
          <summary>{summary}</summary>
          <pre>{check.output}</pre>
        </details>
      )}
    </td>
  );
}

/** Says plainly why a task has no change record, where it has none. */
export function ChangeTrackingNotice({ tracking }: { tracking: ChangeTracking | null | undefined }) {
  if (tracking === 'not_a_repository') {
    return (
      <p className="notice" role="status" data-testid="change-tracking">
        Not a git repository: Baton records no changes for this task.
      </p>
    );
  }
  if (tracking === 'git_unavailable') {
    return (
      <p className="notice" role="status" data-testid="change-tracking">
        Git could not be run here: Baton records no changes for this task.
      </p>
    );
  }
  return null;
}

const STATE_WORDS: Record<WorktreeView['state'], string> = {
  active: 'active',
  merged: 'merged',
  discarded: 'discarded',
};

type Outcome = { kind: 'ok' | 'error'; text: string } | null;

/**
 * The worktree a task ran in: where, on which branch, made from what, and the
 * two ways to finish it, Merge (optionally squashed) and Discard (asked first).
 */
export function WorktreePanel({
  task,
  active,
  onChanged,
}: {
  task: TaskDetail;
  /** The task runs or is queued: its branch is still moving. */
  active: boolean;
  /** Called after a merge or discard, so the page reloads the task. */
  onChanged: () => void;
}) {
  const { client } = useServices();
  const [squash, setSquash] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'merge' | 'discard' | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const worktree = task.worktree;
  if (!worktree) return null;
  const finishable = !active && worktree.state === 'active' && busy === null;
  const why = active
    ? 'The task is still running: merge or discard once it ends.'
    : worktree.state !== 'active'
      ? `The worktree was ${STATE_WORDS[worktree.state]}.`
      : undefined;

  const run = (which: 'merge' | 'discard') => {
    setBusy(which);
    setConfirming(false);
    setOutcome(null);
    const call =
      which === 'merge' ? client.mergeTask({ taskId: task.id, squash }) : client.discardTask({ taskId: task.id });
    call.then(
      (result) => {
        setBusy(null);
        setOutcome({ kind: 'ok', text: result.message });
        onChanged();
      },
      (error: unknown) => {
        setBusy(null);
        setOutcome({ kind: 'error', text: errorMessage(error) });
      },
    );
  };

  return (
    <section className="worktree-panel" aria-labelledby="worktree-heading" data-testid="worktree-panel">
      <h3 id="worktree-heading">Worktree</h3>
      {worktree.state === 'active' && !worktree.present ? (
        <p className="notice notice-warning" role="alert" data-testid="worktree-missing">
          The worktree folder <code>{worktree.path}</code> was deleted: Resume will refuse to run this task. Discard
          removes its branch.
        </p>
      ) : null}
      <dl className="worktree-facts">
        <div>
          <dt>Path</dt>
          <dd>
            <code>{worktree.path}</code>
          </dd>
        </div>
        <div>
          <dt>Branch</dt>
          <dd>
            <code>{worktree.branch}</code>
          </dd>
        </div>
        <div>
          <dt>Made from</dt>
          <dd>
            {worktree.baseBranch ? (
              <>
                <code>{worktree.baseBranch}</code> at{' '}
              </>
            ) : (
              'detached HEAD at '
            )}
            <code title={worktree.baseCommit}>{worktree.baseCommit.slice(0, 12)}</code>
          </dd>
        </div>
        <div>
          <dt>State</dt>
          <dd data-testid="worktree-state" data-value={worktree.state}>
            {STATE_WORDS[worktree.state]}
          </dd>
        </div>
      </dl>
      <div className="worktree-actions">
        <button
          type="button"
          className="primary"
          disabled={!finishable}
          aria-busy={busy === 'merge'}
          title={why}
          onClick={() => run('merge')}
        >
          {busy === 'merge' ? 'Merging…' : 'Merge'}
        </button>
        <label className="checkbox-label">
          <input
            type="checkbox"
            checked={squash}
            disabled={!finishable}
            onChange={(e) => setSquash(e.target.checked)}
          />
          Squash into one commit
        </label>
        {confirming ? (
          <ConfirmInline
            question="Discard the worktree and its branch, and every change on it?"
            confirmLabel="Discard"
            cancelLabel="Keep it"
            label="Confirm discard"
            testId="discard-confirm"
            onConfirm={() => run('discard')}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <button
            type="button"
            className="danger"
            disabled={!finishable}
            aria-busy={busy === 'discard'}
            title={why ?? 'Remove the worktree and its branch (asks first)'}
            onClick={() => setConfirming(true)}
          >
            {busy === 'discard' ? 'Discarding…' : 'Discard'}
          </button>
        )}
      </div>
      {why && worktree.state === 'active' ? <p className="muted">{why}</p> : null}
      {outcome ? (
        <p
          className={outcome.kind === 'ok' ? 'notice notice-ok' : 'field-error'}
          role={outcome.kind === 'ok' ? 'status' : 'alert'}
          data-testid="worktree-outcome"
        >
          {outcome.text}
        </p>
      ) : null}
    </section>
  );
}
