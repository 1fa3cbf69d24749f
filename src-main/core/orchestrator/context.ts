/** What the parts of a task's run share, passed down from the orchestrator. */
import type { AgentRunner } from '../agents/agent-runner';
import type { EventBus } from '../events/event-bus';
import type { TaskSpec } from '../../contract/task-spec';
import type { TaskStore } from '../store/task-store';
import type { Clock } from './clock';
import type { TaskHolds } from './policies/holds';
import type { RetryTiming } from './policies/retry';
import type { TaskWorkspace } from './workspace';

/** Where a run records and publishes, its time, and the policies that hold or retry it. */
export interface RunContext {
  store: TaskStore;
  bus: EventBus;
  clock: Clock;
  /** For the jitter; tests pin it. */
  random: () => number;
  retry: RetryTiming;
  /** Recorded on running sessions, so another process can tell whether they are still alive. */
  pid: number;
  holds: TaskHolds;
}

/** What one run of a task works with: the task, its spec as it runs, and where it runs. */
export interface TaskRun {
  taskId: string;
  title: string;
  spec: TaskSpec;
  workspace: TaskWorkspace;
  runner: AgentRunner;
}
