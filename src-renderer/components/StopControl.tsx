import { useState } from 'react';
import { useStore } from 'zustand';
import { useServices } from '../app/services';
import type { RunnerHost, TaskRunner, TaskStatus } from '../contract';
import { errorMessage } from '../errors';
import { ConfirmInline } from './ConfirmInline';

/**
 * The task's runner when it is another process than this window's service, which cannot stop it (a stop
 * does not cross processes); null when Stop can be offered here, or when who runs it is not known.
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

const PLACES: Record<RunnerHost, { place: string; stop: string }> = {
  cli: { place: 'in a terminal', stop: 'stop it there (Ctrl-C)' },
  browser: { place: 'in another Baton browser-mode server', stop: 'stop it from that one’s page' },
  desktop: { place: 'in the Baton desktop app', stop: 'stop it there' },
};

/** "Running in a terminal (pid 4242 on this machine) — stop it there (Ctrl-C)". */
export function whereItRuns(runner: TaskRunner, status: TaskStatus): string {
  const { place, stop } = runner.host
    ? PLACES[runner.host]
    : { place: 'in another Baton process', stop: 'stop it there' };
  const state = status === 'queued' ? 'Queued' : status === 'waiting' ? 'Waiting' : 'Running';
  return `${state} ${place} (pid ${runner.pid} on this machine) — ${stop}`;
}

/**
 * Stop, asked first: "Stop this task? Stop / Keep running", inline. The parent owns `confirming`, so a
 * keyboard shortcut on a card can open it. A task another process runs is not offered a Stop that
 * could only fail: the control says where it runs instead.
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

  if (elsewhere) {
    // Where to stop it stays on one line: "(Ctrl-" and "C)" apart would read as two things.
    const [where, how] = whereItRuns(elsewhere, status).split(' — ');
    return (
      <span className="runs-elsewhere" data-testid="runs-elsewhere">
        {where} — <span className="how-to-stop">{how}</span>
      </span>
    );
  }

  const stop = () => {
    setStopping(true);
    setError(null);
    onConfirmingChange(false);
    client.stopTask({ taskId }).then(
      ({ stopped }) => {
        setStopping(false);
        // Who runs it was not known here (a task of an earlier version): the service still refuses to reach it.
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
