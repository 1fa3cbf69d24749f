/**
 * What the window says about each coding agent Baton runs: its name, the models it suggests, what a
 * permission mode means for it, and whether it can continue an earlier session (context "fork").
 */
import {
  AGENT_CAPABILITIES,
  AGENT_KINDS,
  AGENT_LABELS,
  MODELS_BY_AGENT,
  PERMISSION_MODE_DESCRIPTIONS,
  type AgentKind,
  type PermissionMode,
} from './contract';

export { AGENT_LABELS };

export const isAgentKind = (value: unknown): value is AgentKind => (AGENT_KINDS as readonly unknown[]).includes(value);

/** An agent's name for people; a task stored before agents had kinds says 'claude-code', a newer service may say more. */
export function agentLabel(agent: string | null | undefined): string {
  if (agent === null || agent === undefined || agent === '') return AGENT_LABELS.claude;
  if (agent === 'claude-code') return AGENT_LABELS.claude;
  return isAgentKind(agent) ? AGENT_LABELS[agent] : agent;
}

export { MODELS_BY_AGENT };

/** The agent whose suggestions list `model`, if any. */
export function agentOfModel(model: string): AgentKind | null {
  const name = model.trim();
  return AGENT_KINDS.find((agent) => MODELS_BY_AGENT[agent].includes(name)) ?? null;
}

/** What the permission-mode choice is called for each agent, as its CLI calls the thing it sets. */
export const PERMISSION_FIELD_LABELS: Record<AgentKind, string> = {
  claude: 'Permission mode',
  codex: 'Permission mode (Codex sandbox)',
  gemini: 'Permission mode (Gemini approval mode)',
};

/** What each mode lets the agent do, in that agent's terms. */
export const PERMISSION_MODE_DESCRIPTIONS_BY_AGENT: Record<AgentKind, Record<PermissionMode, string>> = {
  claude: PERMISSION_MODE_DESCRIPTIONS,
  codex: {
    default: 'workspace-write sandbox: edits files in the project, no network (Codex asks nothing headless)',
    acceptEdits: 'workspace-write sandbox: edits files in the project, no network',
    bypassPermissions: 'no sandbox and no approvals: everything; use with care',
    plan: 'read-only sandbox: reads and plans only; changes nothing',
  },
  gemini: {
    default: 'approval mode default: asks first; run headless it refuses edits and shell commands',
    acceptEdits: 'approval mode auto_edit: edits files without asking; still refuses shell commands',
    bypassPermissions: 'approval mode yolo: everything, no questions asked; use with care',
    plan: 'approval mode plan: reads and plans only; changes nothing',
  },
};

/** Why context "fork" cannot be chosen for an agent, or null where it can (the service refuses it alike). */
export function forkUnavailableReason(agent: AgentKind): string | null {
  if (AGENT_CAPABILITIES[agent].canFork) return null;
  return `${AGENT_LABELS[agent]} cannot start a new session from an earlier one’s conversation, so every iteration starts fresh.`;
}
