/** The task page's totals: tokens by kind, turns, cost, iterations and time, with what the cost leaves out. */
import {
  formatDuration,
  formatTokens,
  plural,
  type SessionView,
  type TaskDetail,
  type TaskTotals,
} from '../../contract';
import { totalCostText, unknownCostCount, UNKNOWN_COST } from '../../cost';
import { hrefs } from '../../router';
import { Metric } from '../Metric';

export function TaskTotalsView({
  task,
  totals,
  durationMs,
  sessions,
}: {
  task: TaskDetail;
  totals: TaskTotals & { estimated: boolean; includesRunning: boolean };
  durationMs: number;
  sessions: readonly SessionView[];
}) {
  const t = totals;
  // A running session is priced live; of the ended ones, those without a known cost are not in the sum.
  const ended = sessions.filter((s) => s.status !== 'running');
  const unknown = unknownCostCount(ended);
  const known = sessions.length - unknown;
  const costText = (usd: number) => totalCostText(usd, unknown, known);
  // A running iteration's turns are known when it ends: what the ended ones took, and that more are coming.
  const turns = t.includesRunning && ended.length === 0 ? null : t.turns;
  const turnsText = (n: number) => (t.includesRunning ? `${formatTokens(n)} + …` : formatTokens(n));
  const rows: [string, string, number | null, (n: number) => string][] = [
    ['Input tokens', 'total-input-tokens', t.inputTokens, formatTokens],
    ['Output tokens', 'total-output-tokens', t.outputTokens, formatTokens],
    ['Cache write tokens', 'total-cache-creation-tokens', t.cacheCreationTokens, formatTokens],
    ['Cache read tokens', 'total-cache-read-tokens', t.cacheReadTokens, formatTokens],
    ['Total tokens', 'total-tokens', t.totalTokens, formatTokens],
    ['Turns', 'total-turns', turns, turnsText],
    [t.estimated ? 'Cost (estimate)' : 'Cost', 'total-cost', t.costUsd, costText],
  ];
  return (
    <>
      <dl className="totals">
        {rows.map(([label, testId, value, format]) => (
          <div key={testId} className="total">
            <dt>{label}</dt>
            <dd>
              <Metric testId={testId} value={value} format={format} />
            </dd>
          </div>
        ))}
        <div className="total">
          <dt>Iterations</dt>
          <dd data-testid="total-iterations" data-value={task.iterations}>
            {task.iterations}
          </dd>
        </div>
        <div className="total">
          <dt>Duration</dt>
          <dd data-testid="total-duration">{formatDuration(durationMs)}</dd>
        </div>
        <div className="total">
          <dt>Tokens per iteration</dt>
          <dd>
            {/* The stored iterations' average: none has ended yet while the first runs. */}
            <Metric
              testId="tokens-per-iteration"
              value={ended.length === 0 ? null : task.averageTokensPerIteration}
              format={formatTokens}
            />
          </dd>
        </div>
      </dl>
      {unknown > 0 ? (
        <p className="muted" data-testid="unknown-cost-note">
          The cost of {plural(unknown, 'iteration')} is {UNKNOWN_COST}: no price is known for the model. Add its prices
          in <a href={hrefs.settings}>Settings</a>.
        </p>
      ) : null}
      {t.includesRunning ? (
        <p className="muted">
          Includes the running iteration so far; its figures are replaced by the stored ones when it ends.
        </p>
      ) : null}
    </>
  );
}
