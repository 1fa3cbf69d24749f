import type { ReactElement } from 'react';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCost, formatDuration, formatTokens, type HistoryCharts, type SessionView } from '../contract';

// Series draw without animation: charts update live, and the first paint should already show the data.

/** Mid-tone colours that read on both the light and the dark theme. */
export const TOKEN_COLORS = {
  input: '#4e79a7',
  output: '#f28e2b',
  cacheWrite: '#59a14f',
  cacheRead: '#b07aa1',
};
const COST_COLOR = '#e15759';
const DURATION_COLOR = '#76b7b2';

const tokenTick = (v: unknown) => formatTokens(Number(v));
const costTick = (v: unknown) => formatCost(Number(v));

function ChartFrame({ title, testId, children }: { title: string; testId?: string; children: ReactElement }) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className="chart-body">
        <ResponsiveContainer width="100%" height={260}>
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

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
    <ChartFrame title="Tokens per iteration" testId="chart-iteration-tokens">
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="iteration" />
        <YAxis tickFormatter={tokenTick} width={70} />
        <Tooltip formatter={(v) => formatTokens(Number(v))} />
        <Legend />
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

/** Cost (bars, left axis) and duration (line, right axis) per iteration. */
export function IterationCostDurationChart({ sessions }: { sessions: SessionView[] }) {
  const data = sessions.map((s) => ({ iteration: `#${s.iteration}`, cost: s.costUsd, duration: s.durationMs }));
  return (
    <ChartFrame title="Cost and duration per iteration" testId="chart-iteration-cost-duration">
      <ComposedChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="iteration" />
        <YAxis yAxisId="cost" tickFormatter={costTick} width={70} />
        <YAxis
          yAxisId="duration"
          orientation="right"
          tickFormatter={(v: unknown) => formatDuration(Number(v))}
          width={60}
        />
        <Tooltip formatter={(v, name) => (name === 'duration' ? formatDuration(Number(v)) : formatCost(Number(v)))} />
        <Legend />
        <Bar isAnimationActive={false} yAxisId="cost" dataKey="cost" name="cost" fill={COST_COLOR} />
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

export function CostOverTimeChart({ data, bucket }: { data: HistoryCharts['costOverTime']; bucket: string }) {
  return (
    <ChartFrame title={`Cost per ${bucket}`} testId="chart-cost-over-time">
      <AreaChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="period" />
        <YAxis tickFormatter={costTick} width={70} />
        <Tooltip formatter={(v) => formatCost(Number(v))} />
        <Area
          isAnimationActive={false}
          dataKey="costUsd"
          name="cost"
          stroke={COST_COLOR}
          fill={COST_COLOR}
          fillOpacity={0.25}
        />
      </AreaChart>
    </ChartFrame>
  );
}

export function TokensByModelChart({ data }: { data: HistoryCharts['tokensByModel'] }) {
  return (
    <ChartFrame title="Tokens by model" testId="chart-tokens-by-model">
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="model" />
        <YAxis tickFormatter={tokenTick} width={70} />
        <Tooltip formatter={(v) => formatTokens(Number(v))} />
        <Legend />
        <Bar isAnimationActive={false} dataKey="inputTokens" name="input" stackId="tokens" fill={TOKEN_COLORS.input} />
        <Bar
          isAnimationActive={false}
          dataKey="outputTokens"
          name="output"
          stackId="tokens"
          fill={TOKEN_COLORS.output}
        />
        <Bar
          isAnimationActive={false}
          dataKey="cacheCreationTokens"
          name="cache write"
          stackId="tokens"
          fill={TOKEN_COLORS.cacheWrite}
        />
        <Bar
          isAnimationActive={false}
          dataKey="cacheReadTokens"
          name="cache read"
          stackId="tokens"
          fill={TOKEN_COLORS.cacheRead}
        />
      </BarChart>
    </ChartFrame>
  );
}

export function CostByProjectChart({ data }: { data: HistoryCharts['costByProject'] }) {
  return (
    <ChartFrame title="Cost by project" testId="chart-cost-by-project">
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" />
        <YAxis tickFormatter={costTick} width={70} />
        <Tooltip formatter={(v) => formatCost(Number(v))} />
        <Bar isAnimationActive={false} dataKey="costUsd" name="cost" fill={COST_COLOR} />
      </BarChart>
    </ChartFrame>
  );
}
