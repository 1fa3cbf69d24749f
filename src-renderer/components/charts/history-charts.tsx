/** History's charts: cost over time by model or project, tokens by model, cost by project and by agent. */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { agentLabel } from '../../agents';
import {
  formatShare,
  periodLabel,
  formatCost,
  formatCostWithUnknown,
  formatTokens,
  plural,
  type HistoryBucket,
  type HistoryCharts,
} from '../../contract';
import { UNKNOWN_COST, usageCostText } from '../../cost';
import {
  type CostSeries,
  rankSeries,
  rangeShare,
  hovered,
  unknownTokensLine,
  TOKEN_COLORS,
  COST_COLOR,
  SERIES_COLORS,
  NO_COST_MESSAGE,
  LABEL_FONT_PX,
  categoryAxisWidth,
  horizontalChartHeight,
  type TickProps,
  CategoryTick,
  CURSOR,
  tokenTick,
  costTick,
  ChartFrame,
  TooltipBox,
  type TooltipRow,
  NO_KNOWN_COST_MESSAGE,
  seriesRows,
  periodAxes,
  PERIOD_CHART_MARGIN,
} from './chart-kit';

export type CostBreakdown = 'model' | 'project';

export interface CostDatum {
  period: string;
  total: number;
  sessions: number;
  totalTokens: number;
  /** Tokens of the period's sessions whose cost is unknown: `total` leaves them out. */
  unknownCostTokens: number;
  [seriesKey: string]: string | number;
}

/**
 * The cost series stacked by model or by project: the biggest `maxSeries - 1` over the range
 * each get a colour, the rest are summed as "Other".
 */
export function stackCost(
  points: HistoryCharts['costOverTime'],
  breakdown: CostBreakdown,
  projectNames: ReadonlyMap<string, string>,
  maxSeries = SERIES_COLORS.length,
): { series: CostSeries[]; data: CostDatum[]; total: number; unknownCostTokens: number } {
  const partsOf = (p: HistoryCharts['costOverTime'][number]) =>
    breakdown === 'model' ? p.costByModel : p.costByProject;
  const totals = new Map<string, number>();
  for (const point of points) {
    for (const [name, cost] of Object.entries(partsOf(point))) totals.set(name, (totals.get(name) ?? 0) + cost);
  }
  const { series, keyOf } = rankSeries(totals, maxSeries, (name) =>
    breakdown === 'project' ? (projectNames.get(name) ?? name) : name,
  );
  const data = points.map((point) => {
    const datum: CostDatum = {
      period: point.period,
      total: point.costUsd,
      sessions: point.sessions,
      totalTokens: point.totalTokens,
      unknownCostTokens: point.unknownCostTokens,
    };
    for (const s of series) datum[s.key] = 0;
    for (const [name, cost] of Object.entries(partsOf(point))) {
      const key = keyOf(name);
      datum[key] = (datum[key] as number) + cost;
    }
    return datum;
  });
  return {
    series,
    data,
    total: points.reduce((sum, p) => sum + p.costUsd, 0),
    unknownCostTokens: points.reduce((sum, p) => sum + p.unknownCostTokens, 0),
  };
}

/** What the cost chart's tooltip says about one period. */
export function costTooltip(
  datum: CostDatum,
  series: CostSeries[],
  rangeTotal: number,
  bucket: HistoryBucket,
  rangeUnknownTokens = 0,
): { title: string; lines: string[]; rows: TooltipRow[] } {
  const sessions = `${formatTokens(datum.sessions)} ${datum.sessions === 1 ? 'session' : 'sessions'}`;
  const cost = usageCostText({
    costUsd: datum.total,
    totalTokens: datum.totalTokens,
    unknownCostTokens: datum.unknownCostTokens,
  });
  const lines = [
    `${cost} · ${rangeShare(datum.total, rangeTotal, formatCostWithUnknown(rangeTotal, rangeUnknownTokens))}`,
    `${sessions} · ${formatTokens(datum.totalTokens)} tokens`,
  ];
  if (datum.unknownCostTokens > 0) lines.push(unknownTokensLine(datum.unknownCostTokens));
  return {
    title: periodLabel(datum.period, bucket, 'full'),
    lines,
    rows: seriesRows(series, datum, formatCost),
  };
}

export function CostOverTimeChart({
  data,
  bucket,
  breakdown,
  projectNames,
  controls,
}: {
  data: HistoryCharts['costOverTime'];
  bucket: HistoryBucket;
  breakdown: CostBreakdown;
  projectNames: ReadonlyMap<string, string>;
  controls?: ReactNode;
}) {
  const stacked = stackCost(data, breakdown, projectNames);
  const empty =
    data.every((p) => p.sessions === 0) ||
    (data.every((p) => p.costUsd === 0) &&
      (data.some((p) => p.unknownCostTokens > 0) ? NO_KNOWN_COST_MESSAGE : NO_COST_MESSAGE));
  return (
    <ChartFrame
      title={`Cost per ${bucket}`}
      testId="chart-cost-over-time"
      empty={empty}
      controls={controls}
      legend={stacked.series}
    >
      {(width) => (
        <BarChart data={stacked.data} margin={PERIOD_CHART_MARGIN}>
          {periodAxes(stacked.data.length, width, (period) => periodLabel(period, bucket, 'tick'), costTick)}
          <Tooltip
            cursor={CURSOR}
            content={(props) => {
              const datum = hovered<CostDatum>(props);
              if (!datum) return null;
              const tip = costTooltip(datum, stacked.series, stacked.total, bucket, stacked.unknownCostTokens);
              return <TooltipBox {...tip} />;
            }}
          />
          {stacked.series.map((s) => (
            <Bar key={s.key} isAnimationActive={false} dataKey={s.key} name={s.name} stackId="cost" fill={s.color} />
          ))}
        </BarChart>
      )}
    </ChartFrame>
  );
}

/**
 * "$1.20 · 40% of the cost": a row's cost and its share of what all the chart's rows cost; "$1.20 + unknown"
 * or "unknown" where some of its tokens have no known cost (the share is of the known costs then).
 */
function costShareLine(
  row: { costUsd: number; unknownCostTokens?: number },
  all: readonly { costUsd: number }[],
): string {
  const allCost = all.reduce((sum, r) => sum + r.costUsd, 0);
  const unknown = row.unknownCostTokens ?? 0;
  if (unknown === 0) return `${formatCost(row.costUsd)} · ${formatShare(row.costUsd, allCost)} of the cost`;
  const known = row.costUsd > 0 ? `${formatCost(row.costUsd)} + ${UNKNOWN_COST}` : UNKNOWN_COST;
  return `${known} · ${formatShare(row.costUsd, allCost)} of the known cost`;
}

const TOKEN_KINDS = [
  { key: 'inputTokens', name: 'input', color: TOKEN_COLORS.input },
  { key: 'outputTokens', name: 'output', color: TOKEN_COLORS.output },
  { key: 'cacheCreationTokens', name: 'cache write', color: TOKEN_COLORS.cacheWrite },
  { key: 'cacheReadTokens', name: 'cache read', color: TOKEN_COLORS.cacheRead },
] as const;

type ModelTokens = HistoryCharts['tokensByModel'][number];
const modelTotal = (m: ModelTokens) => m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens;

/** What the tokens chart's tooltip says about one model. */
export function tokensTooltip(
  model: ModelTokens,
  all: HistoryCharts['tokensByModel'],
): { title: string; lines: string[]; rows: TooltipRow[] } {
  const total = modelTotal(model);
  const allTokens = all.reduce((sum, m) => sum + modelTotal(m), 0);
  return {
    title: model.model,
    lines: [
      `${formatTokens(total)} tokens · ${formatShare(total, allTokens)} of all tokens`,
      `${costShareLine(model, all)} · ${plural(model.sessions, 'session')}`,
      ...(model.unknownCostTokens > 0 ? [unknownTokensLine(model.unknownCostTokens)] : []),
    ],
    rows: TOKEN_KINDS.filter((kind) => model[kind.key] > 0).map((kind) => ({
      name: kind.name,
      color: kind.color,
      value: formatTokens(model[kind.key]),
      share: formatShare(model[kind.key], total),
    })),
  };
}

/**
 * The category axis of a horizontal bar chart: every label shown, the axis as wide as the longest.
 * A function returning the element, not a component, since recharts reads its axes from its direct children.
 */
function categoryAxis(dataKey: string, labels: string[]) {
  return (
    <YAxis
      type="category"
      dataKey={dataKey}
      width={categoryAxisWidth(labels)}
      interval={0}
      tick={(props: unknown) => <CategoryTick {...(props as TickProps)} />}
    />
  );
}

export function TokensByModelChart({ data }: { data: HistoryCharts['tokensByModel'] }) {
  const rows = [...data].filter((m) => modelTotal(m) > 0).sort((a, b) => modelTotal(b) - modelTotal(a));
  const labels = rows.map((m) => m.model);
  return (
    <ChartFrame
      title="Tokens by model"
      legend={TOKEN_KINDS}
      testId="chart-tokens-by-model"
      empty={rows.length === 0}
      height={horizontalChartHeight(labels) + 24}
    >
      <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={tokenTick} allowDecimals={false} fontSize={LABEL_FONT_PX} />
        {categoryAxis('model', labels)}
        <Tooltip
          cursor={CURSOR}
          content={(props) => {
            const model = hovered<ModelTokens>(props);
            return model ? <TooltipBox {...tokensTooltip(model, data)} /> : null;
          }}
        />
        {TOKEN_KINDS.map((kind) => (
          <Bar
            key={kind.key}
            isAnimationActive={false}
            dataKey={kind.key}
            name={kind.name}
            stackId="tokens"
            fill={kind.color}
            maxBarSize={28}
          />
        ))}
      </BarChart>
    </ChartFrame>
  );
}

type ProjectCost = HistoryCharts['costByProject'][number];

/** What the project chart's tooltip says about one project. */
export function projectTooltip(
  project: ProjectCost,
  all: HistoryCharts['costByProject'],
): { title: string; lines: string[]; rows: TooltipRow[] } {
  return {
    title: project.name,
    lines: [
      project.workingDir,
      costShareLine(project, all),
      plural(project.tasks, 'task'),
      ...(project.unknownCostTokens > 0 ? [unknownTokensLine(project.unknownCostTokens)] : []),
    ],
    rows: [],
  };
}

/** One horizontal bar of cost per named row (a project, an agent), with its own tooltip. */
function CostBarsChart<Row extends { costUsd: number; label: string }>({
  title,
  testId,
  rows,
  empty,
  tooltip,
}: {
  title: string;
  testId: string;
  rows: Row[];
  empty: boolean | string;
  tooltip: (row: Row) => { title: string; lines: string[]; rows: TooltipRow[] };
}) {
  const labels = rows.map((r) => r.label);
  return (
    <ChartFrame title={title} testId={testId} empty={empty} height={horizontalChartHeight(labels)}>
      <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={costTick} fontSize={LABEL_FONT_PX} />
        {categoryAxis('label', labels)}
        <Tooltip
          cursor={CURSOR}
          content={(props) => {
            const row = hovered<Row>(props);
            return row ? <TooltipBox {...tooltip(row)} /> : null;
          }}
        />
        <Bar isAnimationActive={false} dataKey="costUsd" name="cost" fill={COST_COLOR} maxBarSize={28} />
      </BarChart>
    </ChartFrame>
  );
}

export function CostByProjectChart({ data }: { data: HistoryCharts['costByProject'] }) {
  const rows = data.filter((p) => p.costUsd > 0).map((p) => ({ ...p, label: p.name }));
  return (
    <CostBarsChart
      title="Cost by project"
      testId="chart-cost-by-project"
      rows={rows}
      empty={rows.length === 0}
      tooltip={(project) => projectTooltip(project, data)}
    />
  );
}

type AgentCost = HistoryCharts['costByAgent'][number];

/** What the agent chart's tooltip says about one agent. */
export function agentTooltip(
  agent: AgentCost,
  all: HistoryCharts['costByAgent'],
): { title: string; lines: string[]; rows: TooltipRow[] } {
  return {
    title: agentLabel(agent.agent),
    lines: [
      costShareLine(agent, all),
      `${formatTokens(agent.totalTokens)} tokens`,
      ...(agent.unknownCostTokens > 0 ? [unknownTokensLine(agent.unknownCostTokens)] : []),
      `${plural(agent.tasks, 'task')}, ${plural(agent.sessions, 'session')}`,
    ],
    rows: [],
  };
}

/** Cost by agent (Claude Code, Codex, Gemini), one bar each, most first as the service sends them. */
export function CostByAgentChart({ data }: { data: HistoryCharts['costByAgent'] }) {
  const rows = data.filter((a) => a.costUsd > 0).map((a) => ({ ...a, label: agentLabel(a.agent) }));
  return (
    <CostBarsChart
      title="Cost by agent"
      testId="chart-cost-by-agent"
      rows={rows}
      // Agents that ran but cost nothing known (an unknown model) are said to be there.
      empty={rows.length === 0 ? (data.length > 0 ? NO_COST_MESSAGE : true) : false}
      tooltip={(agent) => agentTooltip(agent, data)}
    />
  );
}
