/**
 * A session's (or a task's) id: always one line, cut with an ellipsis where there is no room. The whole id is in
 * its title, one click selects all of it, and a copy takes all of it, whatever is cut from view.
 */
export function SessionId({ id, testId }: { id: string; testId?: string }) {
  return (
    <code className="session-id" title={id} data-testid={testId}>
      {id}
    </code>
  );
}
