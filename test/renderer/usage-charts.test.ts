import { describe, expect, it } from 'vitest';
import type { UsagePeriodRow, UsageTokens } from '../../src-main/contract/usage';
import { SERIES_COLORS, seriesColors } from '../../src-renderer/components/charts/chart-kit';
import { stackCost } from '../../src-renderer/components/charts/history-charts';
import {
  daysBetween,
  stackDailyUsage,
  usageGrain,
  usagePeriodOf,
  usageTooltip,
} from '../../src-renderer/components/charts/usage-charts';
import { usageTokens } from './fixtures';

/** A day's row for one model, its totals the sum of the two sources. */
function row(period: string, model: string, baton: Partial<UsageTokens>, interactive: Partial<UsageTokens> = {}) {
  const b = usageTokens(baton);
  const i = usageTokens(interactive);
  const sum = (key: Exclude<keyof UsageTokens, 'costSources'>) => b[key] + i[key];
  return {
    period,
    model,
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    cacheCreationTokens: sum('cacheCreationTokens'),
    cacheWrite1hTokens: sum('cacheWrite1hTokens'),
    cacheReadTokens: sum('cacheReadTokens'),
    totalTokens: sum('totalTokens'),
    costUsd: sum('costUsd'),
    unknownCostTokens: sum('unknownCostTokens'),
    costSources: ['estimated'],
    bySource: { baton: b, interactive: i },
  } satisfies UsagePeriodRow;
}

const rows = [
  row('2026-11-29', 'claude-sonnet-4-5', { outputTokens: 100, costUsd: 1 }, { outputTokens: 300, costUsd: 3 }),
  row('2026-12-01', 'claude-opus-4-5', {}, { outputTokens: 50, costUsd: 4 }),
  row('2026-12-01', 'claude-haiku-4-5', { outputTokens: 10, costUsd: 0.5 }),
  row('2026-12-01', 'mystery', {}, { inputTokens: 40, unknownCostTokens: 40 }),
];

describe('daily usage bars', () => {
  it('lists every day of a range, across a month’s end', () => {
    expect(daysBetween('2026-11-29', '2026-12-01')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    expect(daysBetween('2026-12-01', '2026-12-01')).toEqual(['2026-12-01']);
  });

  it('stacks each day’s cost by source, the days without usage at zero', () => {
    const stacked = stackDailyUsage(rows, 'source', 'cost');
    expect(stacked.series.map((s) => [s.key, s.name, s.total])).toEqual([
      ['baton', 'Baton', 1.5],
      ['interactive', 'Interactive', 7],
    ]);
    expect(stacked.total).toBe(8.5);
    expect(stacked.data.map((d) => [d.period, d.baton, d.interactive, d.total])).toEqual([
      ['2026-11-29', 1, 3, 4],
      ['2026-11-30', 0, 0, 0],
      ['2026-12-01', 0.5, 4, 4.5],
    ]);
    expect(stacked.data[2]).toMatchObject({ totalTokens: 100, unknownCostTokens: 40 });
  });

  it('stacks tokens by model, the smallest summed as Other', () => {
    const stacked = stackDailyUsage(rows, 'model', 'tokens', 3);
    expect(stacked.series.map((s) => [s.key, s.name, s.total])).toEqual([
      ['s0', 'claude-sonnet-4-5', 400],
      ['s1', 'claude-opus-4-5', 50],
      ['other', 'Other (2)', 50],
    ]);
    expect(stacked.data[2]).toMatchObject({ s0: 0, s1: 50, other: 50, total: 100 });
  });

  it('says in the tooltip what a day cost, how the sources split it, and what has no known cost', () => {
    const stacked = stackDailyUsage(rows, 'source', 'cost');
    expect(stacked.unknownCostTokens).toBe(40);
    const tip = usageTooltip(stacked.data[2]!, stacked.series, stacked.total, 'cost', 'day', stacked.unknownCostTokens);
    expect(tip.title).toBe('2026-12-01');
    // The range's total reads as the totals above the chart read it.
    expect(tip.lines).toEqual([
      '$4.50 · 52.9% of $8.50 + unknown in this range',
      '$4.50 + unknown · 100 tokens',
      '40 tokens have no known cost',
    ]);
    expect(tip.rows.map((r) => [r.name, r.value, r.share])).toEqual([
      ['Baton', '$0.50', '11.1%'],
      ['Interactive', '$4.00', '88.9%'],
    ]);
    // Each figure once: charted by tokens, the second line is the cost; by cost with none unknown, the tokens.
    const byTokens = stackDailyUsage(rows, 'source', 'tokens');
    const tokensTip = usageTooltip(byTokens.data[2]!, byTokens.series, byTokens.total, 'tokens', 'day');
    expect(tokensTip.lines.slice(0, 2)).toEqual(['100 tokens · 20.0% of 500 tokens in this range', '$4.50 + unknown']);
    const known = stackDailyUsage(rows.slice(0, 1), 'source', 'cost');
    expect(usageTooltip(known.data[0]!, known.series, known.total, 'cost', 'day').lines[1]).toMatch(/^[\d,]+ tokens$/);
  });
});

describe('the grain of chosen dates', () => {
  const spread = [
    row('2026-10-30', 'claude-sonnet-4-5', { outputTokens: 10, costUsd: 1 }),
    row('2026-12-07', 'claude-sonnet-4-5', { outputTokens: 10, costUsd: 1 }),
  ];

  it('follows the chosen range, not only the days that have data', () => {
    // 39 days of data: a bar per day; chosen as 90 days: a bar per week, from the range's first week.
    expect(stackDailyUsage(spread, 'source', 'cost').grain).toBe('day');
    const chosen = stackDailyUsage(spread, 'source', 'cost', undefined, { since: '2026-09-09', until: '2026-12-07' });
    expect(chosen.grain).toBe('week');
    expect(chosen.data[0]!.period).toBe('2026-09-07');
    expect(chosen.data[chosen.data.length - 1]!.period).toBe('2026-12-07');
    // A short chosen range around the data stays daily, and spans the whole range.
    const week = stackDailyUsage(spread.slice(1), 'source', 'cost', undefined, {
      since: '2026-12-01',
      until: '2026-12-07',
    });
    expect(week.grain).toBe('day');
    expect(week.data.map((d) => d.period)).toHaveLength(7);
  });
});

describe('the colour of a model', () => {
  const colorOf = (series: { name: string; color: string }[], name: string) =>
    series.find((s) => s.name === name)?.color;

  it('follows from its name: the same in History and All usage, whatever its rank or the other models', () => {
    const byModel = stackDailyUsage(rows, 'model', 'cost').series;
    // History's cost per day, where claude-opus-4-5 ranks last instead of first and no sonnet ran.
    const history = stackCost(
      [
        {
          period: '2026-12-01',
          costUsd: 10.01,
          unknownCostTokens: 0,
          totalTokens: 100,
          sessions: 2,
          costByModel: { 'gpt-5': 10, 'claude-opus-4-5': 0.01 },
          costByProject: {},
        },
      ],
      'model',
      new Map(),
    ).series;
    expect(colorOf(history, 'claude-opus-4-5')).toBe(colorOf(byModel, 'claude-opus-4-5'));
    expect(colorOf(byModel, 'claude-opus-4-5')).toBe(seriesColors(['claude-opus-4-5']).get('claude-opus-4-5'));
    // And again on the next load: nothing depends on the order the rows came in.
    const reloaded = stackDailyUsage([...rows].reverse(), 'model', 'cost').series;
    expect(reloaded.map((s) => [s.name, s.color])).toEqual(byModel.map((s) => [s.name, s.color]));
  });

  it('keeps a family’s model in its colour whatever other models a view shows', () => {
    // History shows Baton's models; All usage shows those and the user's own, whose hashes may take a slot first.
    const history = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5'];
    const allUsage = [...history, 'unknown', 'gpt-5.5', 'gemini-2.5-pro', 'model-a', 'model-b'];
    for (const others of [allUsage, [...allUsage].reverse(), ['model-c', ...history]]) {
      const colors = seriesColors(others);
      for (const name of history) expect(colors.get(name), name).toBe(seriesColors(history).get(name));
    }
    // An older version of the family beside it leaves the latest its colour, whatever their hashes.
    const withOlder = seriesColors([
      'claude-sonnet-4-20250514',
      'claude-sonnet-4-5',
      'claude-opus-4-1',
      'claude-opus-4-5',
    ]);
    expect(withOlder.get('claude-sonnet-4-5')).toBe(seriesColors(history).get('claude-sonnet-4-5'));
    expect(withOlder.get('claude-opus-4-5')).toBe(seriesColors(history).get('claude-opus-4-5'));
    expect(withOlder.get('claude-sonnet-4-20250514')).not.toBe(withOlder.get('claude-sonnet-4-5'));
    // A snapshot's dated name is its alias's model, in its colour, rather than another model beside it.
    const dated = seriesColors(['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5']);
    expect(dated.get('claude-sonnet-4-5-20250929')).toBe(dated.get('claude-sonnet-4-5'));
    expect(dated.get('claude-sonnet-4-5')).toBe(seriesColors(history).get('claude-sonnet-4-5'));
    // The families apart from one another.
    const families = seriesColors([
      'claude-sonnet-4-5',
      'gpt-5.5',
      'claude-opus-4-8',
      'unknown',
      'claude-haiku-4-5',
      'gemini-3-pro',
    ]);
    expect(new Set(families.values()).size).toBe(6);
  });

  it('gives names that meet on one colour different ones, the same way each time', () => {
    const names = Array.from({ length: SERIES_COLORS.length }, (_, i) => `model-${i}`);
    const colors = seriesColors(names);
    expect(new Set(colors.values()).size).toBe(SERIES_COLORS.length);
    expect([...seriesColors([...names].reverse())].sort()).toEqual([...colors].sort());
  });
});

describe('the grain of the usage bars', () => {
  it('draws days up to two months, weeks up to a year, and months beyond', () => {
    expect(usageGrain(1)).toBe('day');
    expect(usageGrain(62)).toBe('day');
    expect(usageGrain(63)).toBe('week');
    expect(usageGrain(366)).toBe('week');
    expect(usageGrain(367)).toBe('month');
  });

  it('puts a day in the week that starts on its Monday, or in its month', () => {
    // 2026-12-03 is a Thursday; 2026-11-30 the Monday before it.
    expect(usagePeriodOf('2026-12-03', 'week')).toBe('2026-11-30');
    expect(usagePeriodOf('2026-11-30', 'week')).toBe('2026-11-30');
    expect(usagePeriodOf('2026-12-06', 'week')).toBe('2026-11-30');
    expect(usagePeriodOf('2026-12-03', 'month')).toBe('2026-12');
  });

  it('groups a long range into weeks, the weeks without usage at zero', () => {
    const long = [
      row('2026-01-05', 'claude-sonnet-4-5', { outputTokens: 100, costUsd: 1 }),
      row('2026-01-07', 'claude-sonnet-4-5', { outputTokens: 100, costUsd: 2 }),
      row('2026-04-01', 'claude-sonnet-4-5', {}, { outputTokens: 100, costUsd: 4 }),
    ];
    const stacked = stackDailyUsage(long, 'source', 'cost');
    expect(stacked.grain).toBe('week');
    expect(stacked.data[0]).toMatchObject({ period: '2026-01-05', total: 3, baton: 3, interactive: 0 });
    expect(stacked.data[1]).toMatchObject({ period: '2026-01-12', total: 0 });
    expect(stacked.data.at(-1)).toMatchObject({ period: '2026-03-30', total: 4, interactive: 4 });
    expect(stacked.data).toHaveLength(13);
    expect(usageTooltip(stacked.data[0]!, stacked.series, stacked.total, 'cost', stacked.grain).title).toBe(
      'Week of 2026-01-05',
    );
    // A year and more is drawn by month.
    const longer = stackDailyUsage([...long, row('2027-02-01', 'x', { costUsd: 1 })], 'model', 'cost');
    expect(longer.grain).toBe('month');
    expect(longer.data.map((d) => d.period).slice(0, 3)).toEqual(['2026-01', '2026-02', '2026-03']);
  });
});
