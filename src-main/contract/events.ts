/** Everything the orchestrator publishes. The desktop window and browser mode subscribe to these as they are. */
import type { AgentEvent } from './agent-events';
import type { SessionView, TaskStatus, TaskSummary } from './views';

export type BatonEvent =
  | { type: 'task.queued'; taskId: string; task: TaskSummary }
  | { type: 'task.started'; taskId: string }
  | { type: 'task.finished'; taskId: string; status: TaskStatus; reason: string; task: TaskSummary }
  | { type: 'iteration.started'; taskId: string; sessionId: string; iteration: number; maxIterations: number }
  | { type: 'iteration.finished'; taskId: string; session: SessionView; task: TaskSummary }
  | { type: 'agent.event'; taskId: string; sessionId: string; iteration: number; event: AgentEvent };

export type BatonEventType = BatonEvent['type'];
