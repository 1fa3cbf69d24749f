import { useState } from 'react';
import { useStore } from 'zustand';
import { useServices } from '../app/services';
import type { RunnerHost, TaskRunner, TaskStatus } from '../contract';
import { errorMessage } from '../errors';
import { ConfirmInline } from './ConfirmInline';

/**
 * The task's runner when it is another process than this window's service (a stop asked here reaches it
 * through the event log); null when this service runs it, or when who runs it is not known.
 */
export function runsElsewhere(runner: TaskRunner | null | undefined, servicePid: number | null): TaskRunner | null {
  if (!runner || servicePid === null || runner.pid === servicePid) return null;
  return runner;
}

/** runsElsewhere against the service this window talks to. */
export function useRunsElsewhere(runner: TaskRunner | null | undefined): TaskRunner | null {
  const { live } = useServices();
  return runsElsewhere(
    runner,
    useStore(live, (s) => s.servicePid),
  );
}

const PLACES: Record<RunnerHost, string> = {
  cli: 'in a terminal',
  browser: 'in another Baton browser-mode server',
  desktop: 'in the Baton desktop app',
};

/** "Running in a terminal (pid 4242 on this machine)". */
export function whereItRuns(runner: TaskRunner, status: TaskStatus): string {
  const place = runner.host ? PLACES[runner.host] : 'in another Baton process';
  const state = status === 'queued' ? 'Queued' : status === 'waiting' ? 'Waiting' : 'Running';
  return `${state} ${place} (pid ${runner.pid} on this machine)`;
}

/**
 * Stop, asked first: "Stop this task? Stop / Keep running", inline. The parent owns `confirming`, so a
 * keyboard shortcut on a card can open it. A task another process runs says where it runs; its Stop is
 * carried out by that process.
 */
export function StopControl({
  taskId,
  runner,
  status,
  confirming,
  onConfirmingChange,
}: {
  taskId: string;
  runner: TaskRunner | null | undefined;
  status: TaskStatus;
  confirming: boolean;
  onConfirmingChange: (confirming: boolean) => void;
}) {
  const { client } = useServices();
  const elsewhere = useRunsElsewhere(runner);
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const stop = () => {
    setStopping(true);
    setError(null);
    onConfirmingChange(false);
    client.stopTask({ taskId }).then(
      ({ stopped }) => {
        setStopping(false);
        // The process that runs it did not end it in time (stuck, or an older Baton that does not read the log).
        if (!stopped)
          setError(
            'The Baton process that runs this task did not stop it; stop it where it runs (Ctrl-C in a terminal).',
          );
      },
      (e: unknown) => {
        setStopping(false);
        setError(errorMessage(e));
      },
    );
  };

  return (
    <>
      {elsewhere ? (
        <span className="runs-elsewhere" data-testid="runs-elsewhere">
          {whereItRuns(elsewhere, status)}
        </span>
      ) : null}
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
