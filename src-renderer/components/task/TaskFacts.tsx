/**
 * What a task is, at the top of its page: where it ran, which agent, the model that actually ran (what the
 * sessions reported, not the alias or "default" it was launched with), its limits, times and id.
 */
import type { ReactNode } from 'react';
import { formatDate, modelName, type SessionView, type TaskDetail } from '../../contract';
import { agentLabel } from '../../agents';
import { distinctModels, iterationList, modelRuns } from '../../models';
import type { LiveSession } from '../../stores/live-store';
import { SessionId } from '../SessionId';

/** An iteration and the model it ran, where it has said (null before then). */
export interface RanModel {
  iteration: number;
  model: string | null;
}

/**
 * The model a session ran: the stored one once it ended; while it runs, what its stream reported (the stored row
 * holds the model asked for until the iteration's final write).
 */
export function modelOfSession(session: Pick<SessionView, 'status' | 'model'>, live: LiveSession | undefined) {
  return session.status === 'running' ? (live?.model ?? null) : session.model;
}

/** What each iteration ran: the stored ones, and those the live store has heard of that getTask has not yet. */
export function ranModels(stored: readonly SessionView[], live: readonly LiveSession[]): RanModel[] {
  const liveOf = (sessionId: string) => live.find((l) => l.sessionId === sessionId);
  const ran = stored.map((s) => ({ iteration: s.iteration, model: modelOfSession(s, liveOf(s.sessionId)) }));
  for (const l of live) {
    if (!stored.some((s) => s.sessionId === l.sessionId)) ran.push({ iteration: l.iteration, model: l.model });
  }
  return ran;
}

/**
 * The model that ran, by its one name, and what was asked for where the sessions do not say it by that name (an
 * alias, the agent's default). Where iterations ran different models, which ran which: the agent fell back.
 */
export function ModelFact({ asked, ran }: { asked: string | null | undefined; ran: readonly RanModel[] }) {
  const wanted = modelName(asked);
  const runs = modelRuns(ran);
  const models = distinctModels(runs);
  if (models.length === 0) {
    // An iteration that runs says its model as it starts; until then, what was asked for.
    const yet = ran.length > 0 ? 'not reported yet' : 'no iteration has run yet';
    return (
      <>
        {wanted ?? "the agent's default"} <span className="muted">({wanted ? `asked for; ${yet}` : yet})</span>
      </>
    );
  }
  const askedNote =
    wanted === null
      ? "the agent's default"
      : models.length === 1 && models[0] === wanted
        ? null
        : `asked for ${wanted}`;
  const askedText = askedNote ? <span className="muted"> ({askedNote})</span> : null;
  if (models.length === 1) {
    return (
      <>
        <span data-testid="model-ran">{models[0]}</span>
        {askedText}
      </>
    );
  }
  return (
    <>
      {runs.map((run, i) => (
        <span key={`${run.model}-${run.iterations[0]}`} data-testid="model-ran">
          {i > 0 ? ', ' : ''}
          {run.model} <span className="muted">in {iterationList(run.iterations)}</span>
        </span>
      ))}
      {askedText}
      <div className="warning-text" data-testid="model-changed">
        The model changed between iterations (a fallback).
      </div>
    </>
  );
}

function Fact({
  label,
  testId,
  wide = false,
  children,
}: {
  label: string;
  testId?: string;
  /** Two columns wide: a path, a model name, an id. */
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={wide ? 'fact-wide' : undefined}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

export function TaskFacts({ task, ran }: { task: TaskDetail; ran: readonly RanModel[] }) {
  return (
    <dl className="task-facts">
      <Fact label="Project" wide>
        <code>{task.workingDir}</code>
      </Fact>
      <Fact label="Agent" testId="task-agent">
        {agentLabel(task.agent)}
      </Fact>
      <Fact label="Model" testId="task-models" wide>
        <ModelFact asked={task.spec.model ?? task.model} ran={ran} />
      </Fact>
      {task.spec.permissionMode ? <Fact label="Permission mode">{task.spec.permissionMode}</Fact> : null}
      <Fact label="Iterations">at most {task.spec.maxIterations}</Fact>
      {task.spec.check ? (
        <Fact label="Completion check" testId="task-check" wide>
          <code>{task.spec.check}</code>
        </Fact>
      ) : null}
      <Fact label="Created">{formatDate(task.createdAt)}</Fact>
      {task.startedAt ? <Fact label="Started">{formatDate(task.startedAt)}</Fact> : null}
      {task.finishedAt ? <Fact label="Finished">{formatDate(task.finishedAt)}</Fact> : null}
      <Fact label="Task id" wide>
        <SessionId id={task.id} />
      </Fact>
    </dl>
  );
}
