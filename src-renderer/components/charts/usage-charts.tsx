/** All usage's chart: the days (or weeks, months) of every session the agents' transcripts record, Baton's and interactive ones. */
import type { ReactNode } from 'react';
import { Bar, BarChart, Tooltip } from 'recharts';
import {
  periodLabel,
  formatCost,
  formatCostWithUnknown,
  formatTokens,
  USAGE_SOURCE_LABELS,
  USAGE_SOURCES,
  type HistoryBucket,
  type UsagePeriodRow,
  type UsageSource,
  type UsageTokens,
} from '../../contract';
import { usageCostText } from '../../cost';
import type { UsageMetric } from '../../stores/usage-store';
import {
  type CostSeries,
  rankSeries,
  rangeShare,
  hovered,
  unknownTokensLine,
  SERIES_COLORS,
  NO_COST_MESSAGE,
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

const SOURCE_COLORS: Record<UsageSource, string> = { baton: '#4e79a7', interactive: '#f28e2b' };
export const NO_USAGE_MESSAGE = 'No usage in this range';

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
    // The other measure than the first line's: the cost where tokens are charted, the tokens where the cost is
    // (with the cost again only where some of it is unknown).
    metric === 'tokens'
      ? usageCostText(datum)
      : `${datum.unknownCostTokens > 0 ? `${usageCostText(datum)} · ` : ''}${formatTokens(datum.totalTokens)} tokens`,
  ];
  if (datum.unknownCostTokens > 0) lines.push(unknownTokensLine(datum.unknownCostTokens));
  return {
    title: periodLabel(datum.period, grain, 'full'),
    lines,
    rows: seriesRows(series, datum, metric === 'cost' ? formatCost : formatTokens),
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
      legend={stacked.series}
    >
      {(width) => (
        <BarChart data={stacked.data} margin={PERIOD_CHART_MARGIN}>
          {periodAxes(
            stacked.data.length,
            width,
            (period) => periodLabel(period, stacked.grain, 'tick'),
            metric === 'cost' ? costTick : tokenTick,
          )}
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
          {stacked.series.map((s) => (
            <Bar key={s.key} isAnimationActive={false} dataKey={s.key} name={s.name} stackId="usage" fill={s.color} />
          ))}
        </BarChart>
      )}
    </ChartFrame>
  );
}
