import type { UseQueryResult } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { formatCost, formatTokens, plural, sumTokens, type Diff, type FileChange, type SessionView } from '../contract';
import { errorMessage } from '../errors';
import { useRead } from '../hooks/use-read';
import { usageOf } from '../stores/live-store';
import { ChangeCounts } from './IterationOutcomes';
import { SidePanel } from './SidePanel';
import { ErrorState, Loading } from './StateViews';

// The diff component and its highlighter load with the first diff opened, not with the page.
const DiffViewer = lazy(() => import('./DiffViewer'));

/** A size in bytes as people read it: 900 B, 12.5 KB, 3.2 MB (1 KB = 1024 B). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}

/**
 * A multi-file patch as `git diff` prints it, split into one patch per file
 * (each starting at its `diff --git` line), with the path it names after `b/`.
 */
export function splitPatch(patch: string): { path: string; patch: string }[] {
  const parts = patch.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '));
  return parts.map((part) => {
    const header = part.slice(0, part.indexOf('\n') === -1 ? undefined : part.indexOf('\n'));
    const named = / b\/(.+)$/.exec(header);
    return { path: named?.[1] ?? header.slice('diff --git '.length), patch: part };
  });
}

/** A patch's size in bytes as sent (UTF-8), for the "only its first …" of a truncated diff. */
const byteLength = (patch: string): number => new TextEncoder().encode(patch).length;

/** A diff still on its way, or the call that failed, with a retry. */
function DiffNotLoaded({ diff }: { diff: UseQueryResult<Diff> }) {
  if (diff.isPending) return <Loading label="Loading the diff…" />;
  return (
    <ErrorState
      title="Could not load the diff"
      message={errorMessage(diff.error)}
      onRetry={() => void diff.refetch()}
    />
  );
}

/** A diff as far as it was sent, and what was left out when it was too big. */
function PatchView({
  path,
  patch,
  truncated,
  totalBytes,
}: {
  path: string;
  patch: string;
  truncated: boolean;
  totalBytes: number;
}) {
  return (
    <>
      {truncated ? (
        <p className="notice notice-warning" role="status" data-testid="diff-truncated">
          This diff is {formatBytes(totalBytes)}, too large to show whole: only its first{' '}
          {formatBytes(byteLength(patch))} are shown.
        </p>
      ) : null}
      {patch.includes('\n@@ ') || patch.startsWith('@@ ') ? (
        <Suspense fallback={<Loading label="Loading the diff viewer…" />}>
          <div className="diff-body" data-testid="diff-body">
            <DiffViewer path={path} patch={patch} />
          </div>
        </Suspense>
      ) : (
        <p className="muted" data-testid="diff-no-lines">
          {/Binary files .* differ/.test(patch)
            ? 'A binary file: no lines to show.'
            : 'No lines changed (a rename, or a change of mode).'}
        </p>
      )}
    </>
  );
}

/** One file's diff, asked for when it is first opened. */
function FileDiffBody({ taskId, iteration, file }: { taskId: string; iteration: number; file: FileChange }) {
  const diff = useRead('getDiff', { taskId, iteration, path: file.path });
  if (!diff.data) return <DiffNotLoaded diff={diff} />;
  return <PatchView path={file.path} {...diff.data} />;
}

function FileDiff({
  taskId,
  iteration,
  file,
  initiallyOpen,
}: {
  taskId: string;
  iteration: number;
  file: FileChange;
  initiallyOpen: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  // Once loaded, a diff stays: folding the file hides it, and opening it again asks no second time.
  const [opened, setOpened] = useState(initiallyOpen);
  return (
    <details
      className="diff-file"
      data-testid="diff-file"
      data-path={file.path}
      open={open}
      onToggle={(e) => {
        const nowOpen = e.currentTarget.open;
        setOpen(nowOpen);
        if (nowOpen) setOpened(true);
      }}
    >
      <summary>
        <code>{file.path}</code> {file.binary ? <span className="muted">binary</span> : <ChangeCounts {...file} />}
      </summary>
      {opened ? <FileDiffBody taskId={taskId} iteration={iteration} file={file} /> : null}
    </details>
  );
}

/** The whole iteration's diff, for the files past those the session lists (`listed`, shown above it already). */
function WholeDiff({ taskId, iteration, listed }: { taskId: string; iteration: number; listed: FileChange[] }) {
  const diff = useRead('getDiff', { taskId, iteration });
  if (!diff.data) return <DiffNotLoaded diff={diff} />;
  const { patch, truncated, totalBytes } = diff.data;
  return (
    <>
      {truncated ? (
        <p className="notice notice-warning" role="status" data-testid="diff-truncated">
          This iteration&apos;s diff is {formatBytes(totalBytes)}, too large to show whole: the files below are those in
          its first {formatBytes(byteLength(patch))}.
        </p>
      ) : null}
      {splitPatch(patch)
        .filter((part) => !listed.some((file) => file.path === part.path))
        .map((part) => (
          <details key={part.path} className="diff-file" open>
            <summary>
              <code>{part.path}</code>
            </summary>
            <PatchView path={part.path} patch={part.patch} truncated={false} totalBytes={0} />
          </details>
        ))}
    </>
  );
}

/** An iteration's changes beside its figures: the files it changed, each one's diff opened on demand. */
export function IterationDiffPanel({
  taskId,
  session,
  onClose,
}: {
  taskId: string;
  session: SessionView;
  onClose: () => void;
}) {
  const [whole, setWhole] = useState(false);

  const git = session.git;
  const unlisted = git ? git.filesChanged - git.files.length : 0;
  return (
    <SidePanel
      className="replay-panel diff-panel"
      label={`Changes of iteration ${session.iteration}`}
      testId="diff-panel"
      heading={<strong>Changes of iteration {session.iteration}</strong>}
      closeLabel="Close changes"
      onClose={onClose}
    >
      <p className="replay-figures">
        {git ? (
          <>
            {plural(git.filesChanged, 'file')} changed, <ChangeCounts {...git} /> ·{' '}
          </>
        ) : null}
        {formatTokens(sumTokens(usageOf(session)))} tokens ·{' '}
        {session.costUsd === null ? '—' : formatCost(session.costUsd)}
      </p>
      {!git ? (
        <p className="muted">Baton recorded no changes for this iteration.</p>
      ) : git.commitAfter === null ? (
        <p className="muted">
          {session.status === 'running'
            ? 'The iteration is still running: its changes show when it ends.'
            : 'Baton stopped before it could record what this iteration changed.'}
        </p>
      ) : git.filesChanged === 0 ? (
        <p className="muted">This iteration changed no file.</p>
      ) : (
        <>
          {git.files.map((file) => (
            <FileDiff
              key={file.path}
              taskId={taskId}
              iteration={session.iteration}
              file={file}
              initiallyOpen={git.filesChanged === 1}
            />
          ))}
          {unlisted > 0 ? (
            whole ? (
              <WholeDiff taskId={taskId} iteration={session.iteration} listed={git.files} />
            ) : (
              <p className="muted">
                And {plural(unlisted, 'more file')}.{' '}
                <button type="button" onClick={() => setWhole(true)}>
                  Show the whole diff
                </button>
              </p>
            )
          ) : null}
        </>
      )}
    </SidePanel>
  );
}
