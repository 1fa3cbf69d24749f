import { statusLabel, type SessionStatus, type TaskStatus } from '../contract';

/** Only the first letter: the rest may hold a name that must stay as it is ("the API"). */
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * A status in words ("Reached max iterations", "Stopped"), coloured by kind.
 * The text is the label with its first letter in lower case, which CSS
 * capitalises: the page reads "Completed" while its text still contains the
 * status's own word ("completed") for tools and tests that look for it.
 */
export function StatusBadge({
  status,
  testId,
  title,
  label,
}: {
  status: TaskStatus | SessionStatus;
  testId?: string;
  title?: string;
  /** Words more exact than the status's own, where the view knows them ("Waiting for the API"). */
  label?: string;
}) {
  return (
    <span
      className={`badge status-label status-${status}`}
      data-testid={testId}
      data-value={status}
      data-status={status}
      title={title}
    >
      {lowerFirst(label ?? statusLabel(status))}
    </span>
  );
}
