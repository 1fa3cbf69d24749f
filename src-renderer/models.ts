/**
 * One name per model in every view: a task's model is what its sessions ran, by the name `modelName` gives it
 * (no `[1m]` tag, lower case), never the "default" a task that asked for no model stores.
 */
import { modelName, type TaskSummary } from './contract';

/** What a task without a session (and no model asked for) shows as its model, and why. */
export const NO_MODEL_YET = '—';
export const NO_MODEL_YET_TITLE = 'No session has run yet: the agent will choose its own default model';

/**
 * The models a task ran, each once by its one name: its sessions' (as the service or the live sessions
 * report them), else the model it asked for; empty when neither names one.
 */
export function taskModels(
  task: Pick<TaskSummary, 'model' | 'models'>,
  sessions: readonly { model: string | null }[] = [],
): string[] {
  const names = new Set<string>();
  for (const raw of task.models ?? []) {
    const name = modelName(raw);
    if (name !== null) names.add(name);
  }
  for (const session of sessions) {
    const name = modelName(session.model);
    if (name !== null) names.add(name);
  }
  if (names.size === 0) {
    const asked = modelName(task.model);
    if (asked !== null) names.add(asked);
  }
  return [...names].sort();
}

/** "claude-opus-4-8", "gpt-5, gpt-5-mini", or "—" for none yet. */
export function modelsText(models: readonly string[]): string {
  return models.length > 0 ? models.join(', ') : NO_MODEL_YET;
}

/** A stretch of iterations that ran one model. */
export interface ModelRun {
  model: string;
  iterations: number[];
}

/**
 * Which model each iteration ran, consecutive iterations of one model together, in iteration order; iterations
 * that have not said their model yet are left out. More than one run means the model changed (a fallback).
 */
export function modelRuns(sessions: readonly { iteration: number; model: string | null }[]): ModelRun[] {
  const runs: ModelRun[] = [];
  for (const session of [...sessions].sort((a, b) => a.iteration - b.iteration)) {
    const model = modelName(session.model);
    if (model === null) continue;
    const last = runs[runs.length - 1];
    if (last?.model === model) last.iterations.push(session.iteration);
    else runs.push({ model, iterations: [session.iteration] });
  }
  return runs;
}

/** The models of the runs, each once: more than one means the model changed between iterations. */
export function distinctModels(runs: readonly ModelRun[]): string[] {
  return [...new Set(runs.map((run) => run.model))];
}

/** "#3", "#1–4", "#1, #3": iteration numbers, consecutive ones as a range. */
export function iterationList(iterations: readonly number[]): string {
  const parts: string[] = [];
  let from = iterations[0];
  for (let i = 0; i < iterations.length; i++) {
    const n = iterations[i]!;
    const next = iterations[i + 1];
    if (next === n + 1) continue;
    parts.push(from === n ? `#${n}` : `#${from}–${n}`);
    from = next;
  }
  return parts.join(', ');
}
