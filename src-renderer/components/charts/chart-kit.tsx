/** What every chart shares: colours, the frame, wrapped category labels, the tooltip box, series colours. */
import { cloneElement, useRef, type ReactElement, type ReactNode } from 'react';
import { CartesianGrid, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { useElementWidth } from '../../hooks/use-element-width';
import { OTHER_COLOR, seriesColors } from './series-colors';
import { compactCost, compactTokens, formatShare, describeUnknownCostTokens } from '../../contract';

// Series draw without animation: charts update live, and the first paint should already show the data.

/** Mid-tone colours that read on both the light and the dark theme. */
export const TOKEN_COLORS = {
  input: '#4e79a7',
  output: '#f28e2b',
  cacheWrite: '#59a14f',
  cacheRead: '#b07aa1',
};
export const COST_COLOR = '#e15759';
export const DURATION_COLOR = '#76b7b2';
/** Lines added and removed, in the colours diffs use. */
export const CHANGE_COLORS = { insertions: '#40a02b', deletions: '#d20f39' };
export { OTHER_COLOR, SERIES_COLORS, seriesColors } from './series-colors';

export const EMPTY_RANGE_MESSAGE = 'No sessions in this range';
/** Sessions that cost nothing so far (still running, or turned away at a spent window) draw no bars either. */
export const NO_COST_MESSAGE = 'No cost in this range yet';

// Category labels of horizontal bar charts: wrapped, never clipped.

export const LABEL_FONT_PX = 12;
/** The width of a time chart's value axis (cost or tokens). */
const VALUE_AXIS_PX = 64;
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
export function horizontalChartHeight(labels: string[]): number {
  const bands = labels.reduce((sum, label) => sum + Math.max(34, wrapLabel(label).length * 16 + 16), 0);
  return Math.max(140, bands + 48);
}

export interface TickProps {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}

export function CategoryTick({ x = 0, y = 0, payload }: TickProps) {
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
export const CURSOR = { fill: 'currentColor', fillOpacity: 0.08 };

export const tokenTick = (v: unknown) => compactTokens(Number(v));
export const costTick = (v: unknown) => compactCost(Number(v));

export function ChartFrame({
  title,
  testId,
  height = 260,
  empty = false,
  controls,
  legend,
  children,
}: {
  title: string;
  testId?: string;
  height?: number;
  /** Says there is nothing to draw, instead of drawing empty axes: with `true`, that there are no sessions. */
  empty?: boolean | string;
  controls?: ReactNode;
  /**
   * The series' names and colours, drawn under the chart. Recharts' own legend measures itself once drawn and
   * then lays the whole chart out again, which doubled the time History's first chart took to appear.
   */
  legend?: readonly LegendEntry[];
  /** The chart; or, for a chart that lays its axis out by the room it has, the chart for a width in pixels. */
  children: ReactElement | ((width: number) => ReactElement);
}) {
  return (
    <figure className="chart" data-testid={testId} data-empty={empty || undefined}>
      <figcaption>
        <span>{title}</span>
        {controls}
      </figcaption>
      {empty ? (
        <p className="chart-empty">{typeof empty === 'string' ? empty : EMPTY_RANGE_MESSAGE}</p>
      ) : typeof children === 'function' ? (
        <MeasuredChart height={height} chart={children} />
      ) : (
        <div className="chart-body" style={{ height }}>
          <ResponsiveContainer width="100%" height={height}>
            {children}
          </ResponsiveContainer>
        </div>
      )}
      {!empty && legend && legend.length > 0 ? <ChartLegend entries={legend} /> : null}
    </figure>
  );
}

export interface LegendEntry {
  name: string;
  color: string;
  /** What the series adds up to over the chart; one that adds nothing draws no bar, and is left out. */
  total?: number;
}

function ChartLegend({ entries }: { entries: readonly LegendEntry[] }) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {entries
        .filter((entry) => entry.total !== 0)
        .map((entry) => (
          <li key={entry.name}>
            <span className="chart-legend-swatch" style={{ background: entry.color }} aria-hidden="true" />
            {entry.name}
          </li>
        ))}
    </ul>
  );
}

/** A chart given the width its body has, measured before the first paint and on every resize. */
function MeasuredChart({ height, chart }: { height: number; chart: (width: number) => ReactElement }) {
  const body = useRef<HTMLDivElement>(null);
  const width = useElementWidth(body);
  return (
    <div ref={body} className="chart-body" style={{ height }}>
      {width > 0 ? cloneElement(chart(width), { width, height } as object) : null}
    </div>
  );
}

/** Room for one period label at 12px (the longest, "Nov 2026") and the gap kept between two. */
const PERIOD_TICK_PX = 8 * CHAR_PX + 12;

/**
 * How many periods to skip between two labels of a time axis for its labels to keep apart in `plotWidth`
 * pixels. Left to itself, recharts measures every label in the DOM to space them, and at a year of days
 * that took longer than drawing the bars.
 */
export function periodTickInterval(periods: number, plotWidth: number): number {
  const fits = Math.max(1, Math.floor(plotWidth / PERIOD_TICK_PX));
  return Math.max(0, Math.ceil(periods / fits) - 1);
}

const NO_LINES = () => [];

/** A time chart's margin, from which its period axis's room is worked out. */
export const PERIOD_CHART_MARGIN = { top: 8, right: 8, bottom: 0, left: 0 };

/**
 * A time chart's grid and axes, for a chart `width` pixels wide over `periods` periods (recharts reads them
 * from its children, so they come as elements):
 * - the grid: lines at its values only. Without a generator for the period lines it does not draw, recharts
 *   would still work them out, measuring the period labels again;
 * - the period axis, its tick interval worked out from the plot's width: left to itself, recharts measures
 *   every label in the DOM to space them, and at a year of days that took longer than drawing the bars;
 * - the value axis, its few ticks all shown, so that recharts need not measure their labels to thin them.
 */
export function periodAxes(
  periods: number,
  width: number,
  label: (period: string) => string,
  tick: (value: unknown) => string,
): ReactElement[] {
  const plotWidth = width - VALUE_AXIS_PX - PERIOD_CHART_MARGIN.left - PERIOD_CHART_MARGIN.right;
  return [
    <CartesianGrid key="grid" strokeDasharray="3 3" vertical={false} verticalCoordinatesGenerator={NO_LINES} />,
    <XAxis
      key="period"
      dataKey="period"
      tickFormatter={(v: unknown) => label(String(v))}
      interval={periodTickInterval(periods, plotWidth)}
      fontSize={LABEL_FONT_PX}
    />,
    <YAxis key="value" tickFormatter={tick} width={VALUE_AXIS_PX} interval={0} fontSize={LABEL_FONT_PX} />,
  ];
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

/** Every token in range is of a model without a price: a $0 axis would say it was free. */
export const NO_KNOWN_COST_MESSAGE = 'No known cost in this range: its tokens have no known cost';

export interface CostSeries {
  /** The data key: s0, s1, … or "other" (model names hold dots, which recharts would read as paths). */
  key: string;
  name: string;
  color: string;
  total: number;
}

/**
 * Series ranked by their totals: the biggest `maxSeries - 1` each get a key (s0, s1, …) and their name's colour,
 * the rest are summed as "Other". `keyOf` gives a part's key, "other" for those summed.
 */
export function rankSeries(
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
 * "38.2% of $0.81 in this range": a period's share of the range, with the range's total as the totals say it
 * ("$0.81 + unknown" where some of its tokens have no known cost; the share is of the known part then).
 */
export function rangeShare(value: number, rangeTotal: number, totalText: string): string {
  return `${formatShare(value, rangeTotal)} of ${totalText} in this range`;
}

/** Reads the hovered datum out of recharts' tooltip payload. */
export function hovered<T>(props: { active?: boolean; payload?: ReadonlyArray<{ payload?: unknown }> }): T | null {
  if (!props.active || !props.payload || props.payload.length === 0) return null;
  return (props.payload[0]?.payload as T | undefined) ?? null;
}

/** "12,000 tokens have no known cost": what a cost with "+ unknown" leaves out. */
export const unknownTokensLine = describeUnknownCostTokens;

/** A stacked bar's tooltip rows: each series the bar holds, its figure and its share of the bar. */
export function seriesRows(
  series: readonly CostSeries[],
  datum: { total: number; [key: string]: string | number },
  format: (value: number) => string,
): TooltipRow[] {
  return series
    .filter((s) => Number(datum[s.key]) > 0)
    .map((s) => ({
      name: s.name,
      color: s.color,
      value: format(Number(datum[s.key])),
      share: formatShare(Number(datum[s.key]), datum.total),
    }));
}
