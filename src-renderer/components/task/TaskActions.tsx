/** What a finished task offers: Resume where it stopped before it was done, and Run again with its settings. */
import { useState } from 'react';
import { RESUMABLE_STATUSES, type TaskDetail, type TaskStatus } from '../../contract';
import { useServices } from '../../app/services';
import { errorMessage } from '../../errors';
import { focusWhenReady } from '../../keyboard';
import { hrefs } from '../../router';
import { PROMPT_INPUT_ID } from '../LaunchForm';

/** Statuses a task can be resumed from; the service checks again and its refusal is shown. */
export const RESUMABLE: readonly TaskStatus[] = RESUMABLE_STATUSES;

/** Continues the task from its next iteration, in a fresh session; a refusal is shown beside the button. */
export function ResumeButton({
  taskId,
  onResumed,
  emphasised = false,
}: {
  taskId: string;
  onResumed: () => void;
  /** The primary action: the window the task stopped at has reopened. */
  emphasised?: boolean;
}) {
  const { client } = useServices();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const resume = () => {
    setState({ busy: true, error: null });
    client.resumeTask({ taskId }).then(
      () => {
        setState({ busy: false, error: null });
        onResumed();
      },
      (error: unknown) => setState({ busy: false, error: errorMessage(error) }),
    );
  };
  return (
    <>
      <button
        type="button"
        className={emphasised ? 'primary' : undefined}
        data-testid="resume"
        onClick={resume}
        disabled={state.busy}
      >
        Resume
      </button>
      {state.error ? <span role="alert">{state.error}</span> : null}
    </>
  );
}

/** "Run again with these settings": the launch form, filled from this task's spec. */
export function RunAgainButton({ task }: { task: TaskDetail }) {
  const { launch } = useServices();
  return (
    <button
      type="button"
      onClick={() => {
        launch.getState().prefill(task.spec, task.title);
        window.location.hash = hrefs.live;
        focusWhenReady(PROMPT_INPUT_ID);
      }}
    >
      Run again with these settings
    </button>
  );
}
