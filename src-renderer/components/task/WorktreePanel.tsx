/**
 * The worktree a task ran in: where, on which branch, made from what. While it is active, the two ways to finish
 * it, Merge (optionally squashed) and Discard (asked first); once merged or discarded, what became of it and when.
 */
import { useState } from 'react';
import { formatDate, type TaskDetail, type WorktreeView } from '../../contract';
import { useServices } from '../../app/services';
import { errorMessage } from '../../errors';
import { ConfirmInline } from '../ConfirmInline';
import '../../styles/outcomes.css';

type Outcome = { kind: 'ok' | 'error'; text: string } | null;

/** " on 2026-12-07 19:45", or nothing for a worktree finished before Baton kept the time. */
function when(worktree: WorktreeView): string {
  return worktree.stateChangedAt ? ` on ${formatDate(worktree.stateChangedAt)}` : '';
}

/** A merged or discarded worktree: what was done, when, and what is left of it. */
function FinishedWorktree({ worktree }: { worktree: WorktreeView }) {
  const branch = <code>{worktree.branch}</code>;
  if (worktree.state === 'merged') {
    return (
      <div className="notice notice-ok worktree-finished" data-testid="worktree-state" data-value="merged">
        <strong>
          Merged{worktree.baseBranch ? <> into {<code>{worktree.baseBranch}</code>}</> : null}
          {when(worktree)}
        </strong>
        <p>
          The task&apos;s changes are on {worktree.baseBranch ? <code>{worktree.baseBranch}</code> : 'that branch'}.
          {worktree.present ? (
            <> The worktree folder could not be removed and is still there; {branch} is kept.</>
          ) : (
            <> The worktree folder was removed; the branch {branch} is kept, with every iteration&apos;s commit.</>
          )}
        </p>
      </div>
    );
  }
  return (
    <div className="notice worktree-finished" data-testid="worktree-state" data-value="discarded">
      <strong>Discarded{when(worktree)}</strong>
      <p>
        Nothing was merged: the worktree folder and the branch {branch} were deleted, with the changes on them. Each
        iteration&apos;s diff still shows here.
      </p>
    </div>
  );
}

/** Merge (optionally squashed) and Discard (asked first), offered once the task has ended. */
function FinishActions({
  task,
  active,
  onChanged,
  setOutcome,
}: {
  task: TaskDetail;
  /** The task runs or is queued: its branch is still moving. */
  active: boolean;
  onChanged: () => void;
  /** What the call answered, kept by the panel: it outlives these buttons once the worktree is finished. */
  setOutcome: (outcome: Outcome) => void;
}) {
  const { client } = useServices();
  const [squash, setSquash] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'merge' | 'discard' | null>(null);
  const finishable = !active && busy === null;
  const why = active ? 'The task is still running: merge or discard once it ends.' : undefined;

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
    <>
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
      {why ? <p className="muted">{why}</p> : null}
    </>
  );
}

/** What a merge or discard answered; once the worktree shows as finished, only the detail it adds (the commit). */
function OutcomeNotice({ outcome, quiet }: { outcome: NonNullable<Outcome>; quiet: boolean }) {
  const okClass = quiet ? 'muted' : 'notice notice-ok';
  return (
    <p
      className={outcome.kind === 'ok' ? okClass : 'field-error'}
      role={outcome.kind === 'ok' ? 'status' : 'alert'}
      data-testid="worktree-outcome"
    >
      {outcome.text}
    </p>
  );
}

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
  const [outcome, setOutcome] = useState<Outcome>(null);
  const worktree = task.worktree;
  if (!worktree) return null;
  const finished = worktree.state !== 'active';
  return (
    <section className="worktree-panel" aria-labelledby="worktree-heading" data-testid="worktree-panel">
      <h3 id="worktree-heading">Worktree</h3>
      {!finished && !worktree.present ? (
        <p className="notice notice-warning" role="alert" data-testid="worktree-missing">
          The worktree folder <code>{worktree.path}</code> was deleted: Resume will refuse to run this task. Discard
          removes its branch.
        </p>
      ) : null}
      <dl className="worktree-facts">
        <div>
          <dt>{finished ? 'Was at' : 'Path'}</dt>
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
        {finished ? null : (
          <div>
            <dt>State</dt>
            <dd data-testid="worktree-state" data-value="active">
              active: not merged yet
            </dd>
          </div>
        )}
      </dl>
      {finished ? (
        <FinishedWorktree worktree={worktree} />
      ) : (
        <FinishActions task={task} active={active} onChanged={onChanged} setOutcome={setOutcome} />
      )}
      {outcome ? <OutcomeNotice outcome={outcome} quiet={finished} /> : null}
    </section>
  );
}
