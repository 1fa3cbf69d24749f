import type { ReactElement, ReactNode } from 'react';
import {
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
import { agentLabel } from '../agents';
import {
  describeUnknownCostTokens,
  formatCost,
  formatCostWithUnknown,
  formatDuration,
  formatTokens,
  plural,
  USAGE_SOURCES,
  type HistoryBucket,
  type HistoryCharts,
  type SessionView,
  type UsagePeriodRow,
  type UsageSource,
  type UsageTokens,
} from '../contract';
import { UNKNOWN_COST, usageCostText } from '../cost';
import type { UsageMetric } from '../stores/usage-store';

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
/** Lines added and removed, in the colours diffs use. */
export const CHANGE_COLORS = { insertions: '#40a02b', deletions: '#d20f39' };
/** Colours of stacked series, in order; the last is for "Other". */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const OTHER_COLOR = '#9c9c9c';

export const EMPTY_RANGE_MESSAGE = 'No sessions in this range';
/** Sessions that cost nothing so far (still running, or turned away at a spent window) draw no bars either. */
export const NO_COST_MESSAGE = 'No cost in this range yet';

// ---------------------------------------------------------------------------------------------
// Axis ticks. Ticks are "nice" numbers (1, 2, 2.5, 5 × 10^n), so each is printed with as few
// decimals as show it exactly: 0.025 stays $0.025, never $0.03.

/** The fewest decimals (up to `max`) that print `value` exactly, float noise aside. */
function exactDecimals(value: number, max: number): number {
  for (let d = 0; d < max; d++) {
    const rounded = Number(value.toFixed(d));
    if (Math.abs(rounded - value) <= Math.abs(value) * 1e-9) return d;
  }
  return max;
}

function compactNumber(abs: number, maxDecimals: number): string {
  const units: Array<[string, number]> = [
    ['B', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ];
  for (const [unit, size] of units) {
    if (abs >= size) {
      const scaled = abs / size;
      return `${scaled.toFixed(exactDecimals(scaled, 3))}${unit}`;
    }
  }
  return abs.toFixed(exactDecimals(abs, maxDecimals));
}

/** Token counts on an axis: 950, 1.2k, 15k, 1.25M, 2B. */
export function compactTokens(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '0';
  return `${value < 0 ? '-' : ''}${compactNumber(Math.abs(value), 2)}`;
}

/** Costs on an axis: $0, $0.025, $0.50, $1, $12.50, $1.5k. */
export function compactCost(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '$0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1000) return `${sign}$${compactNumber(abs, 0)}`;
  let decimals = exactDecimals(abs, 6);
  // Money reads as cents: $0.50, not $0.5.
  if (decimals === 1) decimals = 2;
  return `${sign}$${abs.toFixed(decimals)}`;
}

/** A part of a whole as a percentage: "12.5%", "<0.1%", ">99.9%", "100%"; "—" for a whole of 0. */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return '—';
  const percent = (part / whole) * 100;
  if (percent <= 0) return '0%';
  if (percent < 0.1) return '<0.1%';
  if (percent >= 100) return '100%';
  if (percent > 99.9) return '>99.9%';
  return `${percent.toFixed(1)}%`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period of the cost series as an axis tick ("Nov 24", "Nov 2026") or in full ("Week of 2026-11-23"). */
export function periodLabel(period: string, bucket: HistoryBucket, form: 'tick' | 'full'): string {
  const [year, month, day] = period.split('-');
  const monthName = MONTHS[Number(month) - 1] ?? month;
  if (bucket === 'month') return `${monthName} ${year}`;
  if (form === 'tick') return `${monthName} ${Number(day)}`;
  return bucket === 'week' ? `Week of ${period}` : period;
}

// ---------------------------------------------------------------------------------------------
// Category labels of horizontal bar charts: wrapped, never clipped.

const LABEL_FONT_PX = 12;
/** A generous average glyph width at 12px, so a label fits the width reserved for it. */
const CHAR_PX = 7.2;
const MAX_LABEL_CHARS = 30;

/** Splits a label into lines of at most `maxChars`, at / - _ . or spaces where it can. */
export function wrapLabel(label: string, maxChars = MAX_LABEL_CHARS): string[] {
  if (label.length <= maxChars) return [label];
  const lines: string[] = [];
  let rest = label;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    const separator = Math.max(
      window.lastIndexOf('/'),
      window.lastIndexOf('-'),
      window.lastIndexOf('_'),
      window.lastIndexOf('.'),
      window.lastIndexOf(' '),
    );
    // Break after the last separator in reach; with none, mid-word.
    const cut = separator > 0 ? separator + 1 : maxChars;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) lines.push(rest);
  return lines;
}

/** The width a category axis needs for its longest (wrapped) label. */
export function categoryAxisWidth(labels: string[]): number {
  const longest = Math.max(0, ...labels.flatMap((label) => wrapLabel(label)).map((line) => line.length));
  return Math.ceil(Math.min(MAX_LABEL_CHARS, Math.max(4, longest)) * CHAR_PX + 16);
}

/** Pixel height of a horizontal bar chart with these labels: one band per category, taller for wrapped ones. */
function horizontalChartHeight(labels: string[]): number {
  const bands = labels.reduce((sum, label) => sum + Math.max(34, wrapLabel(label).length * 16 + 16), 0);
  return Math.max(140, bands + 48);
}

interface TickProps {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}

function CategoryTick({ x = 0, y = 0, payload }: TickProps) {
  const label = String(payload?.value ?? '');
  const lines = wrapLabel(label);
  return (
    <g transform={`translate(${Number(x)},${Number(y)})`}>
      <title>{label}</title>
      <text x={-6} y={0} textAnchor="end" fontSize={LABEL_FONT_PX} className="recharts-cartesian-axis-tick-value">
        {lines.map((line, i) => (
          <tspan key={i} x={-6} dy={i === 0 ? `${0.35 - (lines.length - 1) * 0.6}em` : '1.2em'}>
            {line}
          </tspan>
        ))}
      </text>
    </g>
  );
}

/** The hover band behind a bar: the text colour, faint, so it shows on either theme. */
const CURSOR = { fill: 'currentColor', fillOpacity: 0.08 };

const tokenTick = (v: unknown) => compactTokens(Number(v));
const costTick = (v: unknown) => compactCost(Number(v));

function ChartFrame({
  title,
  testId,
  height = 260,
  empty = false,
  controls,
  children,
}: {
  title: string;
  testId?: string;
  height?: number;
  /** Says there is nothing to draw, instead of drawing empty axes: with `true`, that there are no sessions. */
  empty?: boolean | string;
  controls?: ReactNode;
  children: ReactElement;
}) {
  return (
    <figure className="chart" data-testid={testId} data-empty={empty || undefined}>
      <figcaption>
        <span>{title}</span>
        {controls}
      </figcaption>
      {empty ? (
        <p className="chart-empty">{typeof empty === 'string' ? empty : EMPTY_RANGE_MESSAGE}</p>
      ) : (
        <div className="chart-body" style={{ height }}>
          <ResponsiveContainer width="100%" height={height}>
            {children}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

/** The tooltip box shared by the history charts. */
export function TooltipBox({ title, lines, rows }: { title: string; lines: ReactNode[]; rows: TooltipRow[] }) {
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip">
      <p className="chart-tooltip-title">{title}</p>
      {lines.map((line, i) => (
        <p key={i}>{line}</p>
      ))}
      {rows.length > 0 ? (
        <table>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td>
                  <span className="swatch" style={{ background: row.color }} aria-hidden="true" />
                  {row.name}
                </td>
                <td className="num">{row.value}</td>
                <td className="num muted">{row.share}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

export interface TooltipRow {
  name: string;
  color: string;
  value: string;
  share: string;
}

// ---------------------------------------------------------------------------------------------
// Task detail charts.

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
        <YAxis tickFormatter={tokenTick} width={56} allowDecimals={false} />
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
        <Legend />
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
    <ChartFrame title="Lines changed per iteration" testId="chart-iteration-changes" empty={empty}>
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="iteration" />
        <YAxis tickFormatter={tokenTick} width={56} allowDecimals={false} />
        <Tooltip formatter={(v) => formatTokens(Number(v))} />
        <Legend />
        <Bar isAnimationActive={false} dataKey="insertions" name="insertions" fill={CHANGE_COLORS.insertions} />
        <Bar isAnimationActive={false} dataKey="deletions" name="deletions" fill={CHANGE_COLORS.deletions} />
      </BarChart>
    </ChartFrame>
  );
}

// ---------------------------------------------------------------------------------------------
// History charts.

export type CostBreakdown = 'model' | 'project';

export interface CostSeries {
  /** The data key: s0, s1, … or "other" (model names hold dots, which recharts would read as paths). */
  key: string;
  name: string;
  color: string;
  total: number;
}

export interface CostDatum {
  period: string;
  total: number;
  sessions: number;
  totalTokens: number;
  /** Tokens of the period's sessions whose cost is unknown: `total` leaves them out. */
  unknownCostTokens: number;
  [seriesKey: string]: string | number;
}

/** FNV-1a over a name's UTF-16 units: the same number for the same name, in every chart and every session. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A colour for each name that follows from the name alone, not from its rank, so a model keeps its colour in
 * History and All usage and across reloads. Two names whose hashes meet on one colour: the one of the lower
 * hash (the name first, on a tie) keeps it, the other takes the next free one; past the palette's size they repeat.
 */
export function seriesColors(names: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  const ordered = [...new Set(names)]
    .map((name) => ({ name, hash: nameHash(name) }))
    .sort((a, b) => a.hash - b.hash || a.name.localeCompare(b.name));
  for (const { name, hash } of ordered) {
    let slot = hash % SERIES_COLORS.length;
    for (let tries = 0; taken.has(slot) && tries < SERIES_COLORS.length; tries++)
      slot = (slot + 1) % SERIES_COLORS.length;
    taken.add(slot);
    if (taken.size >= SERIES_COLORS.length) taken.clear();
    colors.set(name, SERIES_COLORS[slot] as string);
  }
  return colors;
}

/**
 * Series ranked by their totals: the biggest `maxSeries - 1` each get a key (s0, s1, …) and their name's colour,
 * the rest are summed as "Other". `keyOf` gives a part's key, "other" for those summed.
 */
function rankSeries(
  totals: ReadonlyMap<string, number>,
  maxSeries: number,
  nameOf: (part: string) => string = (part) => part,
): { series: CostSeries[]; keyOf: (part: string) => string } {
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const keys = new Map(kept.map(([name], i) => [name, `s${i}`]));
  const colors = seriesColors(kept.map(([name]) => name));
  const series: CostSeries[] = kept.map(([name, total], i) => ({
    key: `s${i}`,
    name: nameOf(name),
    color: colors.get(name) as string,
    total,
  }));
  const rest = ranked.slice(kept.length);
  if (rest.length > 0) {
    series.push({
      key: 'other',
      name: `Other (${rest.length})`,
      color: OTHER_COLOR,
      total: rest.reduce((sum, [, value]) => sum + value, 0),
    });
  }
  return { series, keyOf: (part) => keys.get(part) ?? 'other' };
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
    rows: series
      .filter((s) => Number(datum[s.key]) > 0)
      .map((s) => ({
        name: s.name,
        color: s.color,
        value: formatCost(Number(datum[s.key])),
        share: formatShare(Number(datum[s.key]), datum.total),
      })),
  };
}

/**
 * "38.2% of $0.81 in this range": a period's share of the range, with the range's total as the totals say it
 * ("$0.81 + unknown" where some of its tokens have no known cost; the share is of the known part then).
 */
function rangeShare(value: number, rangeTotal: number, totalText: string): string {
  return `${formatShare(value, rangeTotal)} of ${totalText} in this range`;
}

/** Reads the hovered datum out of recharts' tooltip payload. */
function hovered<T>(props: { active?: boolean; payload?: ReadonlyArray<{ payload?: unknown }> }): T | null {
  if (!props.active || !props.payload || props.payload.length === 0) return null;
  return (props.payload[0]?.payload as T | undefined) ?? null;
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
    <ChartFrame title={`Cost per ${bucket}`} testId="chart-cost-over-time" empty={empty} controls={controls}>
      <BarChart data={stacked.data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="period"
          tickFormatter={(v: unknown) => periodLabel(String(v), bucket, 'tick')}
          minTickGap={12}
          fontSize={LABEL_FONT_PX}
        />
        <YAxis tickFormatter={costTick} width={64} fontSize={LABEL_FONT_PX} />
        <Tooltip
          cursor={CURSOR}
          content={(props) => {
            const datum = hovered<CostDatum>(props);
            if (!datum) return null;
            const tip = costTooltip(datum, stacked.series, stacked.total, bucket, stacked.unknownCostTokens);
            return <TooltipBox {...tip} />;
          }}
        />
        <Legend />
        {stacked.series.map((s) => (
          <Bar key={s.key} isAnimationActive={false} dataKey={s.key} name={s.name} stackId="cost" fill={s.color} />
        ))}
      </BarChart>
    </ChartFrame>
  );
}

/** "12,000 tokens have no known cost": what a cost with "+ unknown" leaves out. */
const unknownTokensLine = describeUnknownCostTokens;

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
        <Legend />
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

// ---------------------------------------------------------------------------------------------
// All usage: the days of every session the agents' transcripts record, Baton's and interactive ones.

export const USAGE_SOURCE_LABELS: Record<UsageSource, string> = { baton: 'Baton', interactive: 'Interactive' };
const SOURCE_COLORS: Record<UsageSource, string> = { baton: '#4e79a7', interactive: '#f28e2b' };
export const NO_USAGE_MESSAGE = 'No usage in this range';
/** Every token in range is of a model without a price: a $0 axis would say it was free. */
export const NO_KNOWN_COST_MESSAGE = 'No known cost in this range: its tokens have no known cost';

/** What the daily bars are stacked by. */
export type UsageStack = 'source' | 'model';

export interface UsageDatum {
  period: string;
  /** The day's value in the chart's measure (dollars or tokens). */
  total: number;
  costUsd: number;
  totalTokens: number;
  unknownCostTokens: number;
  [seriesKey: string]: string | number;
}

const DAY_MS = 86_400_000;

/** Every date from `first` to `last` (YYYY-MM-DD), so a day without usage shows as a gap on the axis. */
export function daysBetween(first: string, last: string): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  const end = Date.parse(`${last}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return [];
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Ranges up to this many days draw a bar per day; up to USAGE_WEEKS_UP_TO a bar per week; longer, per month. */
export const USAGE_DAYS_UP_TO = 62;
export const USAGE_WEEKS_UP_TO = 366;

/** The grain of the daily usage bars for a range of `days` days, so a long range never draws hairline bars. */
export function usageGrain(days: number): HistoryBucket {
  if (days <= USAGE_DAYS_UP_TO) return 'day';
  if (days <= USAGE_WEEKS_UP_TO) return 'week';
  return 'month';
}

/** The period a date (YYYY-MM-DD) falls in: itself, the Monday that starts its week, or its month (YYYY-MM). */
export function usagePeriodOf(date: string, grain: HistoryBucket): string {
  if (grain === 'day') return date;
  if (grain === 'month') return date.slice(0, 7);
  const day = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(day)) return date;
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

const measure = (metric: UsageMetric) => (t: UsageTokens) => (metric === 'cost' ? t.costUsd : t.totalTokens);

/** The dates (YYYY-MM-DD) chosen for All usage, each where one is. */
export interface UsageRange {
  since?: string;
  until?: string;
}

/**
 * The daily rows (one per date and model) as stacked bars: by source (Baton, interactive), or by model with
 * "Other"; a bar per day, or per week or month where the range is long (`grain`, from its number of days: of
 * the chosen `range` where dates are chosen, of the data's span where none are).
 */
export function stackDailyUsage(
  rows: readonly UsagePeriodRow[],
  stack: UsageStack,
  metric: UsageMetric,
  maxSeries = SERIES_COLORS.length,
  range: UsageRange = {},
): { series: CostSeries[]; data: UsageDatum[]; total: number; unknownCostTokens: number; grain: HistoryBucket } {
  const valueOf = measure(metric);
  let series: CostSeries[];
  let partsOf: (row: UsagePeriodRow) => [key: string, value: number][];
  if (stack === 'source') {
    series = USAGE_SOURCES.map((source) => ({
      key: source,
      name: USAGE_SOURCE_LABELS[source],
      color: SOURCE_COLORS[source],
      total: rows.reduce((sum, row) => sum + valueOf(row.bySource[source]), 0),
    }));
    partsOf = (row) => USAGE_SOURCES.map((source) => [source, valueOf(row.bySource[source])]);
  } else {
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(row.model, (totals.get(row.model) ?? 0) + valueOf(row));
    const ranked = rankSeries(totals, maxSeries);
    series = ranked.series;
    partsOf = (row) => [[ranked.keyOf(row.model), valueOf(row)]];
  }

  const periods = rows.map((row) => row.period).sort();
  const byPeriod = new Map<string, UsageDatum>();
  const datumOf = (period: string) => {
    let datum = byPeriod.get(period);
    if (!datum) {
      datum = { period, total: 0, costUsd: 0, totalTokens: 0, unknownCostTokens: 0 };
      for (const s of series) datum[s.key] = 0;
      byPeriod.set(period, datum);
    }
    return datum;
  };
  // The chosen dates, where there are some, set the axis and its grain; else the data's own first and last day.
  const first = range.since ?? periods[0];
  const last = range.until ?? periods[periods.length - 1];
  const days = first !== undefined && last !== undefined && periods.length > 0 ? daysBetween(first, last) : [];
  const grain = usageGrain(days.length);
  for (const day of days) datumOf(usagePeriodOf(day, grain));
  for (const row of rows) {
    const datum = datumOf(usagePeriodOf(row.period, grain));
    datum.total += valueOf(row);
    datum.costUsd += row.costUsd;
    datum.totalTokens += row.totalTokens;
    datum.unknownCostTokens += row.unknownCostTokens;
    for (const [key, value] of partsOf(row)) datum[key] = (datum[key] as number) + value;
  }
  const data = [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period));
  return {
    series,
    data,
    total: rows.reduce((sum, row) => sum + valueOf(row), 0),
    unknownCostTokens: rows.reduce((sum, row) => sum + row.unknownCostTokens, 0),
    grain,
  };
}

/** A value in the chart's measure: "$1.20", or "15,100 tokens". */
const formatMeasure = (metric: UsageMetric, value: number) =>
  metric === 'cost' ? formatCost(value) : `${formatTokens(value)} tokens`;

/** What a usage chart's tooltip says about one day (or week, or month). */
export function usageTooltip(
  datum: UsageDatum,
  series: CostSeries[],
  rangeTotal: number,
  metric: UsageMetric,
  grain: HistoryBucket = 'day',
  rangeUnknownTokens = 0,
): { title: string; lines: string[]; rows: TooltipRow[] } {
  const lines = [
    `${formatMeasure(metric, datum.total)} · ${rangeShare(datum.total, rangeTotal, metric === 'cost' ? formatCostWithUnknown(rangeTotal, rangeUnknownTokens) : formatMeasure(metric, rangeTotal))}`,
    `${usageCostText(datum)} · ${formatTokens(datum.totalTokens)} tokens`,
  ];
  if (datum.unknownCostTokens > 0) lines.push(unknownTokensLine(datum.unknownCostTokens));
  return {
    title: periodLabel(datum.period, grain, 'full'),
    lines,
    rows: series
      .filter((s) => Number(datum[s.key]) > 0)
      .map((s) => ({
        name: s.name,
        color: s.color,
        value: metric === 'cost' ? formatCost(Number(datum[s.key])) : formatTokens(Number(datum[s.key])),
        share: formatShare(Number(datum[s.key]), datum.total),
      })),
  };
}

/** Cost or tokens per day, stacked by source or by model. */
export function DailyUsageChart({
  rows,
  stack,
  metric,
  range,
  controls,
}: {
  rows: readonly UsagePeriodRow[];
  stack: UsageStack;
  metric: UsageMetric;
  range?: UsageRange;
  controls?: ReactNode;
}) {
  const stacked = stackDailyUsage(rows, stack, metric, undefined, range);
  const unknown = rows.some((row) => row.unknownCostTokens > 0);
  const empty =
    rows.length === 0
      ? NO_USAGE_MESSAGE
      : metric === 'cost' && stacked.total === 0 && (unknown ? NO_KNOWN_COST_MESSAGE : NO_COST_MESSAGE);
  return (
    <ChartFrame
      title={`${metric === 'cost' ? 'Cost' : 'Tokens'} per ${stacked.grain} by ${stack}`}
      testId={`chart-usage-by-${stack}`}
      empty={empty}
      controls={controls}
    >
      <BarChart data={stacked.data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="period"
          tickFormatter={(v: unknown) => periodLabel(String(v), stacked.grain, 'tick')}
          minTickGap={12}
          fontSize={LABEL_FONT_PX}
        />
        <YAxis tickFormatter={metric === 'cost' ? costTick : tokenTick} width={64} fontSize={LABEL_FONT_PX} />
        <Tooltip
          cursor={CURSOR}
          content={(props) => {
            const datum = hovered<UsageDatum>(props);
            return datum ? (
              <TooltipBox
                {...usageTooltip(
                  datum,
                  stacked.series,
                  stacked.total,
                  metric,
                  stacked.grain,
                  stacked.unknownCostTokens,
                )}
              />
            ) : null;
          }}
        />
        <Legend />
        {stacked.series.map((s) => (
          <Bar key={s.key} isAnimationActive={false} dataKey={s.key} name={s.name} stackId="usage" fill={s.color} />
        ))}
      </BarChart>
    </ChartFrame>
  );
}
