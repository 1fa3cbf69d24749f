/** A task's charts: per iteration, its tokens, cost and duration, and lines changed. */
import { Bar, BarChart, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCost, formatDuration, formatTokens, type SessionView } from '../../contract';
import { TOKEN_COLORS, COST_COLOR, DURATION_COLOR, CHANGE_COLORS, tokenTick, costTick, ChartFrame } from './chart-kit';

const TOKEN_LEGEND = [
  { name: 'input', color: TOKEN_COLORS.input },
  { name: 'output', color: TOKEN_COLORS.output },
  { name: 'cache write', color: TOKEN_COLORS.cacheWrite },
  { name: 'cache read', color: TOKEN_COLORS.cacheRead },
];
const COST_ENTRY = { name: 'cost', color: COST_COLOR };
const DURATION_ENTRY = { name: 'duration', color: DURATION_COLOR };
const CHANGES_LEGEND = [
  { name: 'insertions', color: CHANGE_COLORS.insertions },
  { name: 'deletions', color: CHANGE_COLORS.deletions },
];

/** Tokens by kind per iteration, stacked. */
export function IterationTokensChart({ sessions }: { sessions: SessionView[] }) {
  const data = sessions.map((s) => ({
    iteration: `#${s.iteration}`,
    input: s.inputTokens,
    output: s.outputTokens,
    cacheWrite: s.cacheCreationTokens,
    cacheRead: s.cacheReadTokens,
  }));
  return (
    <ChartFrame title="Tokens per iteration" testId="chart-iteration-tokens" legend={TOKEN_LEGEND}>
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="iteration" />
        <YAxis tickFormatter={tokenTick} width={56} allowDecimals={false} />
        <Tooltip formatter={(v) => formatTokens(Number(v))} />
        <Bar isAnimationActive={false} dataKey="input" name="input" stackId="tokens" fill={TOKEN_COLORS.input} />
        <Bar isAnimationActive={false} dataKey="output" name="output" stackId="tokens" fill={TOKEN_COLORS.output} />
        <Bar
          isAnimationActive={false}
          dataKey="cacheWrite"
          name="cache write"
          stackId="tokens"
          fill={TOKEN_COLORS.cacheWrite}
        />
        <Bar
          isAnimationActive={false}
          dataKey="cacheRead"
          name="cache read"
          stackId="tokens"
          fill={TOKEN_COLORS.cacheRead}
        />
      </BarChart>
    </ChartFrame>
  );
}

/** The cost chart's title where no iteration's cost is known: only the duration is drawn. */
export const COST_UNKNOWN_TITLE = 'Duration per iteration (cost unknown)';

/**
 * Cost (bars, left axis) and duration (line, right axis) per iteration. An iteration of unknown cost has no bar
 * (not a $0 one); where none has a known cost, there is no cost axis either, and the title says the cost is unknown.
 */
export function IterationCostDurationChart({ sessions }: { sessions: SessionView[] }) {
  const data = sessions.map((s) => ({
    iteration: `#${s.iteration}`,
    cost: s.costSource === 'unknown' ? null : s.costUsd,
    duration: s.durationMs,
  }));
  const costKnown = data.some((d) => d.cost !== null);
  return (
    <ChartFrame
      title={costKnown ? 'Cost and duration per iteration' : COST_UNKNOWN_TITLE}
      testId="chart-iteration-cost-duration"
      legend={costKnown ? [COST_ENTRY, DURATION_ENTRY] : [DURATION_ENTRY]}
    >
      <ComposedChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="iteration" />
        {costKnown ? <YAxis yAxisId="cost" tickFormatter={costTick} width={64} /> : null}
        <YAxis
          yAxisId="duration"
          orientation="right"
          tickFormatter={(v: unknown) => formatDuration(Number(v))}
          width={60}
        />
        <Tooltip formatter={(v, name) => (name === 'duration' ? formatDuration(Number(v)) : formatCost(Number(v)))} />
        {costKnown ? (
          <Bar isAnimationActive={false} yAxisId="cost" dataKey="cost" name="cost" fill={COST_COLOR} />
        ) : null}
        <Line
          isAnimationActive={false}
          yAxisId="duration"
          dataKey="duration"
          name="duration"
          stroke={DURATION_COLOR}
          strokeWidth={2}
        />
      </ComposedChart>
    </ChartFrame>
  );
}

/** What the lines-changed chart says instead of bars: nothing recorded, or nothing changed. */
export const NO_CHANGES_RECORDED_MESSAGE = 'No changes recorded for these iterations';
export const NO_LINES_CHANGED_MESSAGE = 'No lines changed';

/** Lines inserted and deleted per iteration, side by side; an iteration git recorded nothing for has no bars. */
export function IterationChangesChart({ sessions }: { sessions: SessionView[] }) {
  const data = sessions.map((s) => ({
    iteration: `#${s.iteration}`,
    insertions: s.git ? s.git.insertions : null,
    deletions: s.git ? s.git.deletions : null,
    files: s.git ? s.git.filesChanged : null,
  }));
  const recorded = data.filter((d) => d.files !== null);
  const empty =
    recorded.length === 0
      ? NO_CHANGES_RECORDED_MESSAGE
      : recorded.every((d) => !d.insertions && !d.deletions) && NO_LINES_CHANGED_MESSAGE;
  return (
    <ChartFrame
      title="Lines changed per iteration"
      testId="chart-iteration-changes"
      empty={empty}
      legend={CHANGES_LEGEND}
    >
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="iteration" />
        <YAxis tickFormatter={tokenTick} width={56} allowDecimals={false} />
        <Tooltip formatter={(v) => formatTokens(Number(v))} />
        <Bar isAnimationActive={false} dataKey="insertions" name="insertions" fill={CHANGE_COLORS.insertions} />
        <Bar isAnimationActive={false} dataKey="deletions" name="deletions" fill={CHANGE_COLORS.deletions} />
      </BarChart>
    </ChartFrame>
  );
}
