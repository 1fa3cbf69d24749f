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
