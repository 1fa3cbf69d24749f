/** What an iteration came to: the files it changed, how the check after it ended, and why none was recorded. */
import {
  formatDuration,
  formatTokens,
  plural,
  type ChangeTracking,
  type CheckOutcome,
  type GitChange,
} from '../contract';
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

/** The check's outcome in words: "passed", "failed (exit 1)", "timed out", "did not finish". */
export function describeCheck(check: CheckOutcome): string {
  if (check.timedOut) return 'timed out';
  if (check.exitCode === null) return 'did not finish';
  return check.exitCode === 0 ? 'passed' : `failed (exit ${check.exitCode})`;
}

/** How a check ended, for its colour: passed, failed, or stopped before it could say (timed out, killed). */
export function checkKind(check: CheckOutcome): 'ok' | 'failed' | 'timeout' {
  return check.timedOut || check.exitCode === null ? 'timeout' : check.exitCode === 0 ? 'ok' : 'failed';
}

/** The completion check after an iteration: how it ended, how long it took, and its output on demand. */
export function CheckCell({ check }: { check: CheckOutcome | null | undefined }) {
  if (!check) return <td className="muted">—</td>;
  const kind = checkKind(check);
  const silent = check.output.trim() === '';
  // Two pieces that each stay whole, "failed (exit 1)" and "2.3s · no output", on one line where there is room.
  const summary = (
    <>
      <span className={`check-result check-${kind}`}>{describeCheck(check)}</span>{' '}
      <span className="muted check-time">
        {formatDuration(check.durationMs)}
        {silent ? ' · no output' : ''}
      </span>
    </>
  );
  return (
    <td data-testid="check-cell" data-exit-code={check.exitCode ?? undefined} data-timed-out={check.timedOut}>
      {silent ? (
        summary
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

/**
 * An iteration's outcome on its chip, in a line: the files it changed ("2 files +12 −3", "no change") and how the
 * check after it ended ("check passed", "check failed"), the whole of each in its title. Nothing where neither
 * was recorded (no git, no check) or while it runs.
 */
export function OutcomeLine({ git, check }: { git: GitChange | null; check: CheckOutcome | null }) {
  const changes = git && git.commitAfter !== null ? git : null;
  if (!changes && !check) return null;
  return (
    <span className="iteration-outcomes">
      {changes ? (
        <span
          data-testid="iteration-changes"
          data-files={changes.filesChanged}
          title={changes.files.map((f) => f.path).join('\n') || undefined}
        >
          {changes.filesChanged === 0 ? (
            'no change'
          ) : (
            <>
              {plural(changes.filesChanged, 'file')} <ChangeCounts {...changes} />
            </>
          )}
        </span>
      ) : null}
      {changes && check ? ' · ' : null}
      {check ? (
        <span
          className={`check-result check-${checkKind(check)}`}
          data-testid="iteration-check"
          data-kind={checkKind(check)}
          title={`The check after this iteration ${describeCheck(check)}, in ${formatDuration(check.durationMs)}`}
        >
          check {describeCheck(check)}
        </span>
      ) : null}
    </span>
  );
}
