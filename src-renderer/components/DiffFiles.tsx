/**
 * The files of a diff, as a review view lists them: one header per file (a button that folds and unfolds its
 * diff), Expand all and Collapse all above them. A file's diff is drawn when it is first opened, and stays.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { lazy, Suspense, useId, useState, type ReactNode } from 'react';
import type { Diff } from '../contract';
import { errorMessage } from '../errors';
import { useRead } from '../hooks/use-read';
import { byteLength, type FileKind, formatBytes, hasHunks } from '../patch';
import { ChangeCounts } from './IterationOutcomes';
import { ErrorState, Loading } from './StateViews';

// The diff component and its highlighter load with the first diff opened, not with the page.
const DiffViewer = lazy(() => import('./DiffViewer'));

/** A file as the list shows it in its header. */
export interface ListedFile {
  path: string;
  /** Not known for a file past the cut of a diff too large to load at once. */
  insertions?: number;
  deletions?: number;
  binary: boolean;
  /** Known when the list was read from the patch itself. */
  kind?: FileKind;
}

/**
 * How many files Expand all opens where each file's diff is asked for on its own: more would ask the service
 * for hundreds of diffs at once.
 */
export const EXPAND_ALL_LIMIT = 50;

/** The command that prints a diff whole, for a note beside a cut one. */
export function BatonDiffCommand({ taskId, iteration }: { taskId: string; iteration?: number }) {
  return (
    <code className="command">baton diff {taskId + (iteration === undefined ? '' : ` --iteration ${iteration}`)}</code>
  );
}

/** A diff still on its way, or the call that failed, with a retry. */
export function DiffNotLoaded({ diff, what = 'the diff' }: { diff: UseQueryResult<Diff>; what?: string }) {
  if (diff.isPending) return <Loading label={`Loading ${what}…`} />;
  return (
    <ErrorState
      title={`Could not load ${what}`}
      message={errorMessage(diff.error)}
      onRetry={() => void diff.refetch()}
    />
  );
}

/** One file's diff as far as it was sent; `cut` says what was left out, when something was. */
export function PatchView({ path, patch, cut }: { path: string; patch: string; cut?: ReactNode }) {
  return (
    <>
      {cut ? (
        <p className="notice notice-warning" role="status" data-testid="diff-truncated">
          {cut}
        </p>
      ) : null}
      {patch === '' ? (
        <p className="muted" data-testid="diff-no-lines">
          No difference: the file ends as it began.
        </p>
      ) : hasHunks(patch) ? (
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

/** What was left of a diff past `maxBytes`, in words. */
export function cutNote(diff: Diff, rest: ReactNode): ReactNode {
  return (
    <>
      This diff is {formatBytes(diff.totalBytes)}, too large to show whole: only its first{' '}
      {formatBytes(byteLength(diff.patch))} are shown. {rest}
    </>
  );
}

/** One file's diff (of an iteration, or without `iteration` of the whole task), asked for when first opened. */
export function FetchedFileDiff({ taskId, iteration, path }: { taskId: string; iteration?: number; path: string }) {
  const diff = useRead('getDiff', { taskId, iteration, path });
  if (!diff.data) return <DiffNotLoaded diff={diff} />;
  const whole = <BatonDiffCommand taskId={taskId} iteration={iteration} />;
  return (
    <PatchView
      path={path}
      patch={diff.data.patch}
      cut={
        diff.data.truncated
          ? cutNote(
              diff.data,
              iteration === undefined ? (
                <>{whole} prints all of it.</>
              ) : (
                <>{whole} prints the iteration&apos;s whole diff.</>
              ),
            )
          : undefined
      }
    />
  );
}

const KIND_LABELS: Record<Exclude<FileKind, 'modified'>, string> = {
  added: 'new',
  deleted: 'deleted',
  renamed: 'renamed',
};

/** A path with its folder dimmed, so the file's own name stands out. */
function FilePath({ path }: { path: string }) {
  const slash = path.lastIndexOf('/');
  return (
    <code className="diff-path">
      {slash === -1 ? null : <span className="diff-dir">{path.slice(0, slash + 1)}</span>}
      {path.slice(slash + 1)}
    </code>
  );
}

function FileDiff<F extends ListedFile>({
  file,
  open,
  drawn,
  onToggle,
  body,
}: {
  file: F;
  open: boolean;
  /** Opened once: its diff was asked for and stays drawn, hidden while folded. */
  drawn: boolean;
  onToggle: () => void;
  body: (file: F) => ReactNode;
}) {
  const bodyId = useId();
  return (
    <section className="diff-file" data-testid="diff-file" data-path={file.path} data-open={open}>
      <button
        type="button"
        className="diff-file-header"
        aria-expanded={open}
        aria-controls={bodyId}
        title={open ? 'Fold this file' : 'Show this file’s diff'}
        onClick={onToggle}
      >
        <span className="diff-chevron" aria-hidden="true" />
        <FilePath path={file.path} />
        {file.kind && file.kind !== 'modified' ? (
          <span className={`diff-kind diff-kind-${file.kind}`}>{KIND_LABELS[file.kind]}</span>
        ) : null}
        {file.binary ? (
          <span className="muted">binary</span>
        ) : file.insertions !== undefined && file.deletions !== undefined ? (
          <ChangeCounts insertions={file.insertions} deletions={file.deletions} />
        ) : null}
      </button>
      <div id={bodyId} className="diff-file-body" hidden={!open}>
        {drawn ? body(file) : null}
      </div>
    </section>
  );
}

/** A change small enough to read at a glance opens whole: a few files, a screenful or two of lines. */
const OPEN_WHOLE_FILES = 5;
const OPEN_WHOLE_LINES = 300;

/** Whether these files open unfolded: few, each of known size, and small together. */
export function opensWhole(files: readonly ListedFile[]): boolean {
  if (files.length === 0 || files.length > OPEN_WHOLE_FILES) return false;
  let lines = 0;
  for (const file of files) {
    if (file.insertions === undefined || file.deletions === undefined) return false;
    lines += file.insertions + file.deletions;
  }
  return lines <= OPEN_WHOLE_LINES;
}

/**
 * The files, folded but for those `initiallyOpen` names. `expandLimit` caps what Expand all opens (where each
 * file is asked for on its own).
 */
export function DiffFileList<F extends ListedFile>({
  files,
  initiallyOpen,
  expandLimit = Infinity,
  body,
}: {
  files: readonly F[];
  initiallyOpen: (file: F) => boolean;
  expandLimit?: number;
  body: (file: F) => ReactNode;
}) {
  const [open, setOpen] = useState(() => new Set(files.filter(initiallyOpen).map((f) => f.path)));
  const [drawn, setDrawn] = useState(() => new Set(open));
  const show = (paths: Iterable<string>) => {
    const next = new Set(paths);
    setOpen(next);
    setDrawn((before) => new Set([...before, ...next]));
  };
  // Each press opens up to `expandLimit` more: all of them, where there is no limit.
  const closed = files.filter((f) => !open.has(f.path));
  const expandAll = () => show([...open, ...closed.slice(0, expandLimit).map((f) => f.path)]);
  const toggle = (path: string) => {
    const next = new Set(open);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    show(next);
  };
  return (
    <div className="diff-files">
      {files.length > 1 ? (
        <div className="diff-files-toolbar">
          <span className="muted" data-testid="diff-open-count">
            {open.size} of {files.length} files open
          </span>
          <button type="button" onClick={expandAll} disabled={closed.length === 0}>
            Expand all
          </button>
          <button type="button" onClick={() => show([])} disabled={open.size === 0}>
            Collapse all
          </button>
        </div>
      ) : null}
      {files.length > expandLimit ? (
        <p className="muted" data-testid="diff-expand-limit">
          Expand all opens {expandLimit} files at a time: press it again for the next.
        </p>
      ) : null}
      {files.map((file) => (
        <FileDiff
          key={file.path}
          file={file}
          open={open.has(file.path)}
          drawn={drawn.has(file.path)}
          onToggle={() => toggle(file.path)}
          body={body}
        />
      ))}
    </div>
  );
}
