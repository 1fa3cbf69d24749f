/**
 * The models the store has usage of: Baton's runs (by their task's agent) and the imported transcripts, each
 * at the speed it was served, so Settings can list every model a cost was or could not be worked out for.
 */
import type { DataSource } from 'typeorm';
import { modelAtSpeed, type ServiceSpeed } from '../../contract/models';
import { AGENT_KINDS, type AgentKind } from '../../contract/task-spec';
import { connectionOf } from './write-transaction';

export interface ModelSighting {
  /** The one name, `<model>-fast` for fast usage. */
  model: string;
  agent: AgentKind | null;
  seenIn: 'runs' | 'imports';
}

interface Row {
  model: string;
  agent: string;
  speed: ServiceSpeed;
}

/** A task stored before agents had kinds says 'claude-code'. */
const agentKind = (agent: string): AgentKind | null =>
  agent === 'claude-code' ? 'claude' : (AGENT_KINDS as readonly string[]).includes(agent) ? (agent as AgentKind) : null;

export function modelsWithUsage(dataSource: DataSource): ModelSighting[] {
  const db = connectionOf(dataSource);
  // Stored names are already the one name (modelName at write time).
  const runs = db
    .prepare(
      `SELECT s.model AS model, t.agent AS agent, s.speed AS speed
       FROM sessions s JOIN tasks t ON t.id = s.task_id
       WHERE s.model IS NOT NULL GROUP BY 1, 2, 3`,
    )
    .all() as Row[];
  const imports = db
    .prepare(`SELECT model, agent, speed FROM usage_messages WHERE model IS NOT NULL AND baton = 0 GROUP BY 1, 2, 3`)
    .all() as Row[];
  const sighting =
    (seenIn: ModelSighting['seenIn']) =>
    (row: Row): ModelSighting => ({
      model: modelAtSpeed(row.model, row.speed),
      agent: agentKind(row.agent),
      seenIn,
    });
  return [...runs.map(sighting('runs')), ...imports.map(sighting('imports'))];
}
