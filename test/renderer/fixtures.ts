import { vi } from 'vitest';
import type { BatonApi, BatonMethod, CallOutcome } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import { taskSpecSchema, type TaskSpec, type TaskSpecInput } from '../../src-main/contract/task-spec';
import type { SessionView, TaskDetail, TaskSummary } from '../../src-main/contract/views';
import { BatonCallError } from '../../src-renderer/errors';
import type { ConnectionState, Transport } from '../../src-renderer/transport/transport';

/** A full task spec, defaults filled in by the contract's schema, as main reports it. */
export function spec(overrides: Partial<TaskSpecInput> = {}): TaskSpec {
  return taskSpecSchema.parse({
    dir: '/work/demo',
    prompt: 'Make the tests pass',
    model: 'claude-sonnet-4-5',
    maxIterations: 3,
    ...overrides,
  });
}

export function summary(overrides: Partial<TaskSummary> = {}): TaskSummary {
  return {
    id: 'task-1',
    projectId: 'project-1',
    workingDir: '/work/demo',
    title: 'Make the tests pass',
    prompt: 'Make the tests pass',
    agent: 'claude-code',
    model: 'claude-sonnet-4-5',
    spec: spec(),
    status: 'queued',
    statusReason: null,
    createdAt: 1_700_000_000_000,
    startedAt: null,
    finishedAt: null,
    iterations: 0,
    totals: {
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 0,
      turns: 0,
      costUsd: 0,
    },
    averageTokensPerIteration: 0,
    durationMs: 0,
    apiDurationMs: 0,
    ...overrides,
  };
}

export function session(overrides: Partial<SessionView> = {}): SessionView {
  return {
    sessionId: 'aaaaaaaa-0000-4000-8000-000000000001',
    iteration: 1,
    status: 'completed',
    startedAt: 1_700_000_001_000,
    endedAt: 1_700_000_005_000,
    model: 'claude-sonnet-4-5',
    inputTokens: 100,
    outputTokens: 50,
    cacheCreationTokens: 1000,
    cacheReadTokens: 2000,
    turns: 2,
    costUsd: 0.0123,
    costSource: 'agent',
    durationMs: 4000,
    apiDurationMs: 3500,
    exitCode: 0,
    errorKind: null,
    error: null,
    resultExcerpt: 'done',
    permissionDenials: 0,
    retries: [],
    ...overrides,
  };
}

export function detail(overrides: Partial<TaskDetail> = {}): TaskDetail {
  return { ...summary(), sessions: [], ...overrides };
}

type Handlers = Partial<{ [M in BatonMethod]: BatonApi[M] }>;

/** A typed fake client: every method is a vi.fn; missing ones reject as a real server would. */
export function fakeClient(handlers: Handlers = {}) {
  const client = {} as { [M in BatonMethod]: ReturnType<typeof vi.fn> & BatonApi[M] };
  const methods: BatonMethod[] = [
    'getAppInfo',
    'launchTask',
    'stopTask',
    'listTasks',
    'getTask',
    'getSessionEvents',
    'getLiveState',
    'getHistoryCharts',
    'exportTasks',
    'listProjects',
    'pickDirectory',
    'resumeTask',
    'getSettings',
    'updateSettings',
    'getSpending',
    'getQuota',
  ];
  for (const m of methods) {
    const handler = handlers[m] as ((input: unknown) => Promise<unknown>) | undefined;
    (client as Record<string, unknown>)[m] = vi.fn(handler ?? (() => Promise.reject(new Error(`${m} not faked`))));
  }
  return client;
}

/** A transport whose calls go to a handler, and whose events, state and resyncs the test drives. */
export class FakeTransport implements Transport {
  state: ConnectionState = 'open';
  readonly calls: { method: string; input: unknown }[] = [];
  private readonly eventListeners = new Set<(e: BatonEvent) => void>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();

  constructor(private readonly handle: (method: string, input: unknown) => Promise<unknown>) {}

  async call(method: string, input: unknown): Promise<CallOutcome> {
    this.calls.push({ method, input });
    try {
      return { ok: true, value: await this.handle(method, input) };
    } catch (error) {
      // A thrown BatonCallError stands for a coded failure with its issues; anything else is a plain invalid input.
      if (error instanceof BatonCallError) {
        return { ok: false, error: { code: error.code, message: error.message, issues: [...error.issues] } };
      }
      return { ok: false, error: { code: 'invalid_input', message: (error as Error).message, issues: [] } };
    }
  }
  subscribe(listener: (e: BatonEvent) => void) {
    this.eventListeners.add(listener);
    return () => void this.eventListeners.delete(listener);
  }
  onResync(listener: () => void) {
    this.resyncListeners.add(listener);
    return () => void this.resyncListeners.delete(listener);
  }
  onStateChange(listener: (s: ConnectionState) => void) {
    this.stateListeners.add(listener);
    return () => void this.stateListeners.delete(listener);
  }
  getState() {
    return this.state;
  }
  close() {
    this.setState('closed');
  }
  emit(event: BatonEvent) {
    for (const l of this.eventListeners) l(event);
  }
  resync() {
    for (const l of this.resyncListeners) l();
  }
  setState(state: ConnectionState) {
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }
}
