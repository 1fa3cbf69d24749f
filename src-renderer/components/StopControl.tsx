import { useState } from 'react';
import { useServices } from '../app/services';
import { errorMessage } from '../errors';
import { ConfirmInline } from './ConfirmInline';

/**
 * Stop, asked first: "Stop this task? Stop / Keep running", inline. The
 * parent owns `confirming`, so a keyboard shortcut on a card can open it.
 */
export function StopControl({
  taskId,
  confirming,
  onConfirmingChange,
}: {
  taskId: string;
  confirming: boolean;
  onConfirmingChange: (confirming: boolean) => void;
}) {
  const { client } = useServices();
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const stop = () => {
    setStopping(true);
    setError(null);
    onConfirmingChange(false);
    client.stopTask({ taskId }).then(
      ({ stopped }) => {
        setStopping(false);
        // Only the process running a task can stop it: one started in a terminal is stopped there.
        if (!stopped)
          setError('This task runs in another Baton process (a terminal or another window); stop it there.');
      },
      (e: unknown) => {
        setStopping(false);
        setError(errorMessage(e));
      },
    );
  };

  return (
    <>
      {confirming ? (
        <ConfirmInline
          question="Stop this task?"
          confirmLabel="Stop"
          cancelLabel="Keep running"
          label="Confirm stop"
          testId="stop-confirm"
          onConfirm={stop}
          onCancel={() => onConfirmingChange(false)}
        />
      ) : (
        <button
          type="button"
          className="danger"
          disabled={stopping}
          aria-busy={stopping}
          title="Stop this task (asks first; s on a focused card)"
          onClick={() => onConfirmingChange(true)}
        >
          {stopping ? 'Stopping…' : 'Stop'}
        </button>
      )}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
