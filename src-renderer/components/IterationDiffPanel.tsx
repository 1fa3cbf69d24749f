import { type ReactNode, useEffect, useRef, useState } from 'react';
import {
  formatCost,
  formatTokens,
  plural,
  sumTokens,
  type FileChange,
  type SessionView,
  type TaskDetail,
} from '../contract';
import { useRead } from '../hooks/use-read';
import { diffStepFor } from '../keyboard';
import { byteLength, formatBytes, patchFiles } from '../patch';
import { usageOf } from '../stores/live-store';
import {
  BatonDiffCommand,
  DiffFileList,
  DiffNotLoaded,
  EXPAND_ALL_LIMIT,
  FetchedFileDiff,
  PatchView,
} from './DiffFiles';
import { ChangeCounts } from './IterationOutcomes';
import { SidePanel } from './SidePanel';
import { TaskChanges } from './TaskChanges';

/** What the changes panel shows: an iteration (by its session id), or the whole task. */
export const WHOLE_TASK = 'task';

/** The whole iteration's diff, for the files past those the session lists (`listed`, shown above it already). */
function UnlistedFiles({ taskId, iteration, listed }: { taskId: string; iteration: number; listed: FileChange[] }) {
  const diff = useRead('getDiff', { taskId, iteration });
  if (!diff.data) return <DiffNotLoaded diff={diff} />;
  const { patch, truncated, totalBytes } = diff.data;
  const files = patchFiles(patch).filter((part) => !listed.some((file) => file.path === part.path));
  return (
    <>
      {truncated ? (
        <p className="notice notice-warning" role="status" data-testid="diff-truncated">
          This iteration&apos;s diff is {formatBytes(totalBytes)}, too large to show whole: the files below are those in
          its first {formatBytes(byteLength(patch))}. <BatonDiffCommand taskId={taskId} iteration={iteration} /> prints
          all of it.
        </p>
      ) : null}
      <DiffFileList
        files={files}
        initiallyOpen={() => true}
        body={(file) => <PatchView path={file.path} patch={file.patch} />}
      />
    </>
  );
}

/** The files past those the session lists by name, from the iteration's whole diff when asked for. */
function MoreFiles({ taskId, session, count }: { taskId: string; session: SessionView; count: number }) {
  const [shown, setShown] = useState(false);
  if (shown) return <UnlistedFiles taskId={taskId} iteration={session.iteration} listed={session.git?.files ?? []} />;
  return (
    <p className="muted">
      And {plural(count, 'more file')}.{' '}
      <button type="button" onClick={() => setShown(true)}>
        Show the whole diff
      </button>
    </p>
  );
}

/** An iteration's figures and the files it changed, each one's diff asked for when opened. */
function IterationChanges({ taskId, session }: { taskId: string; session: SessionView }) {
  const git = session.git;
  const unlisted = git ? git.filesChanged - git.files.length : 0;
  return (
    <>
      <p className="replay-figures" data-testid="diff-figures">
        {git ? (
          <>
            {plural(git.filesChanged, 'file')} changed, <ChangeCounts {...git} /> ·{' '}
          </>
        ) : null}
        {formatTokens(sumTokens(usageOf(session)))} tokens ·{' '}
        {session.costUsd === null ? '—' : formatCost(session.costUsd)}
      </p>
      {!git ? (
        <p className="muted" data-testid="diff-empty">
          Baton recorded no changes for this iteration.
        </p>
      ) : git.commitAfter === null ? (
        <p className="muted" data-testid="diff-empty">
          {session.status === 'running'
            ? 'The iteration is still running: its changes show when it ends.'
            : 'Baton stopped before it could record what this iteration changed.'}
        </p>
      ) : git.filesChanged === 0 ? (
        <p className="muted" data-testid="diff-empty">
          This iteration changed no file.
        </p>
      ) : (
        <>
          <DiffFileList
            files={git.files}
            initiallyOpen={() => git.filesChanged === 1}
            expandLimit={EXPAND_ALL_LIMIT}
            body={(file) => <FetchedFileDiff taskId={taskId} iteration={session.iteration} path={file.path} />}
          />
          {unlisted > 0 ? <MoreFiles taskId={taskId} session={session} count={unlisted} /> : null}
        </>
      )}
    </>
  );
}

/** What an iteration says of itself in the choice of what to show. */
function iterationLabel(session: SessionView): string {
  const git = session.git;
  const what =
    session.status === 'running'
      ? 'running'
      : !git || git.commitAfter === null
        ? 'no change record'
        : git.filesChanged === 0
          ? 'no change'
          : `${plural(git.filesChanged, 'file')}, +${formatTokens(git.insertions)} −${formatTokens(git.deletions)}`;
  return `Iteration ${session.iteration} · ${what}`;
}

/** Previous or Next: to the iteration `to`, disabled where there is none. */
function StepButton({
  to,
  label,
  shortcut,
  onShow,
  children,
}: {
  to: SessionView | undefined;
  label: string;
  shortcut: string;
  onShow: (shown: string) => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      aria-keyshortcuts={shortcut}
      title={`${label} ( ${shortcut} )`}
      disabled={!to}
      onClick={() => to && onShow(to.sessionId)}
    >
      {children}
    </button>
  );
}

/** Previous, the choice of an iteration or the whole task, and Next; "[" and "]" step as the buttons do. */
function ChangesNav({
  sessions,
  shown,
  onShow,
}: {
  sessions: readonly SessionView[];
  shown: string;
  onShow: (shown: string) => void;
}) {
  const index = sessions.findIndex((s) => s.sessionId === shown);
  // From the whole task, Next goes to the first iteration.
  const previous = index > 0 ? sessions[index - 1] : undefined;
  const next = sessions[index + 1];

  // A new choice is read from its top: the panel does not stay scrolled to where the last one was left.
  const nav = useRef<HTMLDivElement>(null);
  useEffect(() => {
    nav.current?.closest('[role="dialog"]')?.scrollTo?.({ top: 0 });
  }, [shown]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const step = diffStepFor(e);
      const to = step === -1 ? previous : step === 1 ? next : undefined;
      if (!to) return;
      e.preventDefault();
      onShow(to.sessionId);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [previous, next, onShow]);

  return (
    <div className="diff-nav" role="group" aria-label="Which changes" ref={nav}>
      <StepButton to={previous} label="Previous iteration" shortcut="[" onShow={onShow}>
        ‹ Previous
      </StepButton>
      <select aria-label="Show the changes of" value={shown} onChange={(e) => onShow(e.currentTarget.value)}>
        <option value={WHOLE_TASK}>Whole task</option>
        {sessions.map((s) => (
          <option key={s.sessionId} value={s.sessionId}>
            {iterationLabel(s)}
          </option>
        ))}
      </select>
      <StepButton to={next} label="Next iteration" shortcut="]" onShow={onShow}>
        Next ›
      </StepButton>
      <span className="muted diff-nav-keys" aria-hidden="true">
        <kbd>[</kbd> <kbd>]</kbd> step
      </span>
    </div>
  );
}

/**
 * What a task changed, beside its figures: one iteration's changes or the whole task's (`shown` is a session id
 * or WHOLE_TASK), the files each with its diff, and a way to step from one iteration to the next.
 */
export function IterationDiffPanel({
  task,
  sessions,
  shown,
  onShow,
  onClose,
}: {
  task: TaskDetail;
  /** The task's iterations, in order. */
  sessions: readonly SessionView[];
  shown: string;
  onShow: (shown: string) => void;
  onClose: () => void;
}) {
  const session = sessions.find((s) => s.sessionId === shown);
  const title = session ? `Changes of iteration ${session.iteration}` : 'Changes of the whole task';
  return (
    <SidePanel
      className="replay-panel diff-panel"
      label={title}
      testId="diff-panel"
      heading={<strong>{title}</strong>}
      closeLabel="Close changes"
      onClose={onClose}
    >
      <ChangesNav sessions={sessions} shown={session ? shown : WHOLE_TASK} onShow={onShow} />
      {/* A new choice starts folded as it opens, not as the last one was left. */}
      {session ? (
        <IterationChanges key={shown} taskId={task.id} session={session} />
      ) : (
        <TaskChanges task={task} sessions={sessions} />
      )}
    </SidePanel>
  );
}
