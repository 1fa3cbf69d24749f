/** What a running iteration has spent so far, kept on its row for crash recovery. */
import { type AgentEvent, type TokenUsage, maxUsage, zeroUsage } from '../../../contract/agent-events';
import type { ServiceSpeed } from '../../../contract/models';
import type { RetryEntry } from '../../../contract/views';
import type { Pricing } from '../../pricing';
import type { UsageSoFar } from '../../store/task-store';
import type { Clock } from '../clock';
import { costOf, plusRetries } from './cost';

/** How long usage seen on the stream may wait to be written to its running row: the most a crash loses of it. */
const USAGE_WRITE_DELAY_MS = 250;

const inputSide = (usage: TokenUsage) => usage.inputTokens + usage.cacheCreationTokens + usage.cacheReadTokens;

/**
 * Keeps what a running iteration has spent on its row, so a Baton killed before the final UPDATE leaves it for
 * recovery: while usage streams in, at most one write per USAGE_WRITE_DELAY_MS; at once for the result (with the
 * agent's cost) and when an attempt is retried. It writes what the final UPDATE would (the attempts retried so
 * far plus the current one), and recovery sets the row to it, never adds: a retried attempt counts once.
 */
export class UsageSoFarWriter {
  private retries: RetryEntry[] = [];
  private usage = zeroUsage();
  private turns = 0;
  private agentCostUsd: number | null = null;
  private speed: ServiceSpeed | undefined;
  /** The delayed write under way, stopped when an earlier write supersedes it. */
  private pending: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly write: (soFar: UsageSoFar) => void,
    private readonly model: () => string | null,
    private readonly pricing: Pricing,
    private readonly clock: Clock,
  ) {}

  seen(event: AgentEvent): void {
    if (event.kind === 'usage') {
      // A call's message_delta changes only its output: more input means a new API call, the next turn.
      if (inputSide(event.usage) > inputSide(this.usage)) this.turns++;
      this.usage = event.usage;
      this.speed = event.speed ?? this.speed;
      if (!this.pending) this.flushLater();
    } else if (event.kind === 'result') {
      const { result } = event;
      this.usage = maxUsage(result.usage, this.usage);
      this.turns = result.turns;
      this.agentCostUsd = result.costUsd;
      this.flush();
    }
  }

  /** The attempt is retried: it is in `retries` now, and the next one starts from nothing. */
  retried(retries: RetryEntry[]): void {
    this.retries = [...retries];
    this.usage = zeroUsage();
    this.turns = 0;
    this.agentCostUsd = null;
    this.flush();
  }

  /** The final UPDATE follows, and supersedes anything written here. */
  stop(): void {
    this.stopped = true;
    this.pending?.abort();
  }

  private flushLater(): void {
    const pending = new AbortController();
    this.pending = pending;
    void this.clock.sleep(USAGE_WRITE_DELAY_MS, pending.signal).then((due) => {
      if (due && this.pending === pending) this.flush();
    });
  }

  private flush(): void {
    this.pending?.abort();
    this.pending = undefined;
    if (this.stopped) return;
    const served = { speed: this.speed };
    const cost = costOf(this.agentCostUsd, this.pricing.costOf(this.model(), this.usage, served));
    try {
      const soFar = plusRetries({ ...this.usage, costUsd: cost.costUsd }, this.retries);
      this.write({
        ...soFar,
        turns: this.turns,
        costSource: cost.costSource,
        computedCostUsd:
          this.retries.length > 0 ? this.pricing.costOf(this.model(), soFar, served) : cost.computedCostUsd,
        costUnknown: cost.costUnknown,
        ...(this.retries.length > 0 ? { retries: this.retries } : {}),
      });
    } catch (error) {
      // Only what a crash would lose: the run goes on, and its final UPDATE writes the figures anyway.
      console.error(`baton: could not keep the usage of a running session: ${(error as Error).message}`);
    }
  }
}
