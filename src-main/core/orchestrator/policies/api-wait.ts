/**
 * When a task waits for the API rather than runs: while the agent retries calls the API did not answer
 * (Claude Code does, for minutes, before it gives up), and while Baton waits to try again after the
 * agent gave up on an API it could not reach. Either way nothing can be done until the API answers,
 * so the task shows as waiting, with why and until when, as it does for a spent subscription window.
 */
import { type AgentEvent, type WaitCause } from '../../../contract/agent-events';
import { describeApiTrouble } from '../../../contract/format';
import type { AgentRunOutcome } from '../../agents/agent-runner';
import type { QuotaWait } from './quota';

/** How a task is marked waiting and awake again (the store and the bus). */
export interface WaitMarks {
  waiting(wakeAt: number, reason: string, cause: WaitCause): Promise<void>;
  awake(): Promise<void>;
}

/** Baton's own wait before it tries an iteration again, when the agent gave up on an API it could not reach. */
export function apiWaitAfter(outcome: AgentRunOutcome, resetsAt: number): QuotaWait | undefined {
  const error = outcome.error;
  if (error?.kind !== 'api_unreachable') return undefined;
  return { resetsAt, reason: error.message };
}

/**
 * Follows one agent run: from the agent's first retry of an API call until it next hears from the API
 * (any event but another retry) or ends, the task is marked waiting for the API. Marks are written in
 * the order seen; a failed write is only logged, since the run goes on regardless.
 */
export class AgentRetryWatch {
  private waiting = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly marks: WaitMarks,
    private readonly now: () => number,
  ) {}

  seen(event: AgentEvent): void {
    if (event.kind === 'retry') {
      this.waiting = true;
      const reason = `${describeApiTrouble(event)}; the agent tries again (${event.attempt} of ${event.maxRetries})`;
      const wakeAt = this.now() + event.delayMs;
      this.chain(() => this.marks.waiting(wakeAt, reason, 'api'));
    } else if (this.waiting && event.kind !== 'init') {
      this.end();
    }
  }

  /** The agent has ended: a wait it left open is over. Resolves once every mark is written. */
  async settle(): Promise<void> {
    if (this.waiting) this.end();
    await this.writes;
  }

  private end(): void {
    this.waiting = false;
    this.chain(() => this.marks.awake());
  }

  private chain(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      console.error(`baton: could not record a wait for the API: ${(error as Error).message}`);
    });
  }
}
