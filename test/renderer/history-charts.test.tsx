import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryCharts } from '../../src-main/contract/api';
import { compactCost, compactTokens, formatShare, periodLabel } from '../../src-main/contract/format';
import {
  categoryAxisWidth,
  periodTickInterval,
  TooltipBox,
  wrapLabel,
} from '../../src-renderer/components/charts/chart-kit';
import {
  agentTooltip,
  CostByAgentChart,
  CostByProjectChart,
  CostOverTimeChart,
  costTooltip,
  projectTooltip,
  stackCost,
  TokensByModelChart,
  tokensTooltip,
} from '../../src-renderer/components/charts/history-charts';
import { COST_UNKNOWN_TITLE, IterationCostDurationChart } from '../../src-renderer/components/charts/task-charts';
import { projectNameMap } from '../../src-renderer/components/history/HistoryChartsSection';
import { session } from './fixtures';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

type Point = HistoryCharts['costOverTime'][number];
const point = (period: string, byModel: Record<string, number>, byProject: Record<string, number> = {}): Point => {
  const costUsd = Object.values(byModel).reduce((a, b) => a + b, 0);
  return {
    period,
    costUsd,
    unknownCostTokens: 0,
    totalTokens: 1000,
    sessions: Object.keys(byModel).length,
    costByModel: byModel,
    costByProject: byProject,
  };
};

describe('axis ticks', () => {
  it('prints token counts compactly', () => {
    expect(
      [0, 950, 1000, 1200, 1250, 15_000, 125_000, 1_000_000, 1_200_000, 1_250_000, 7.5e6, 2e9].map(compactTokens),
    ).toEqual(['0', '950', '1k', '1.2k', '1.25k', '15k', '125k', '1M', '1.2M', '1.25M', '7.5M', '2B']);
    expect(compactTokens(Number.NaN)).toBe('');
  });

  it('prints each cost tick exactly, with as few decimals as it needs', () => {
    expect(compactCost(0.025)).toBe('$0.025');
    expect(compactCost(0.03)).toBe('$0.03');
    expect(compactCost(0.0125)).toBe('$0.0125');
    expect(compactCost(0.000025)).toBe('$0.000025');
    expect(compactCost(0.1 + 0.2)).toBe('$0.30');
    expect(compactCost(0.5)).toBe('$0.50');
    expect(compactCost(1)).toBe('$1');
    expect(compactCost(12.5)).toBe('$12.50');
    expect(compactCost(0)).toBe('$0');
    expect(compactCost(1500)).toBe('$1.5k');
    expect(compactCost(2_000_000)).toBe('$2M');
    expect(compactCost(-0.25)).toBe('-$0.25');
    // A run of nice ticks reads as a run: none collapses onto its neighbour.
    const ticks = [0, 0.005, 0.01, 0.015, 0.02, 0.025].map(compactCost);
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  it('labels periods for ticks and in full', () => {
    expect(periodLabel('2026-11-24', 'day', 'tick')).toBe('Nov 24');
    expect(periodLabel('2026-11-24', 'day', 'full')).toBe('2026-11-24');
    expect(periodLabel('2026-11-23', 'week', 'full')).toBe('Week of 2026-11-23');
    expect(periodLabel('2026-11', 'month', 'tick')).toBe('Nov 2026');
  });
});

describe('the period axis', () => {
  it('labels every period where all fit, and skips evenly where they do not', () => {
    // A label's room is 8 characters of 7.2 px and a 12 px gap, 69.6 px.
    expect(periodTickInterval(10, 800)).toBe(0);
    expect(periodTickInterval(11, 800)).toBe(0);
    expect(periodTickInterval(12, 800)).toBe(1);
    // A year of days in 728 px (800 less the value axis and margins): 10 labels fit, one every 37th day.
    expect(periodTickInterval(365, 728)).toBe(36);
    expect(Math.ceil(365 / (periodTickInterval(365, 728) + 1))).toBeLessThanOrEqual(Math.floor(728 / 69.6));
    // No room at all still labels something rather than dividing by nothing.
    expect(periodTickInterval(30, 0)).toBe(29);
  });

  it('draws the cost chart at its body’s width, labels that fit it and its legend as text', async () => {
    // happy-dom lays nothing out: the chart’s body says it is 800 px wide.
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(function (this: HTMLElement) {
      return this.classList.contains('chart-body') ? 800 : 0;
    });
    const days = Array.from({ length: 120 }, (_, i) => {
      const day = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      // A model of unknown cost adds nothing to a cost chart: no bar, and no place in the legend.
      return point(day, { 'claude-opus-4-5': 1 + (i % 3), 'claude-sonnet-4-5': 0.5, unknown: 0 });
    });
    const { container } = render(
      <CostOverTimeChart data={days} bucket="day" breakdown="model" projectNames={new Map()} />,
    );
    // Recharts draws its axes in a pass after the bars.
    const labels = await waitFor(() => {
      const ticks = container.querySelectorAll('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value');
      expect(ticks.length).toBeGreaterThan(0);
      return [...ticks].map((tick) => tick.textContent);
    });
    expect(container.querySelector('svg.recharts-surface')?.getAttribute('width')).toBe('800');
    expect(labels[0]).toBe('Jan 1');
    expect(labels.length).toBeGreaterThan(1);
    expect(labels.length).toBeLessThanOrEqual(Math.floor((800 - 72) / 69.6));
    const legend = screen.getByRole('list', { name: 'Legend' });
    expect([...legend.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'claude-opus-4-5',
      'claude-sonnet-4-5',
    ]);
    expect(container.querySelector('.recharts-legend-wrapper')).toBeNull();
  });
});

describe('shares', () => {
  it('gives a part as a percentage of the whole', () => {
    expect(formatShare(1, 8)).toBe('12.5%');
    expect(formatShare(8, 8)).toBe('100%');
    expect(formatShare(0, 8)).toBe('0%');
    expect(formatShare(1, 10_000)).toBe('<0.1%');
    expect(formatShare(9999, 10_000)).toBe('>99.9%');
    expect(formatShare(1, 0)).toBe('—');
  });

  it('says what a day cost, its share of the range, and how its models split it', () => {
    const points = [
      point('2026-11-23', { 'claude-opus-4.5': 3, 'claude-sonnet-4-5': 1 }),
      point('2026-11-24', {}),
      point('2026-11-25', { 'claude-sonnet-4-5': 4 }),
    ];
    const stacked = stackCost(points, 'model', new Map());
    expect(stacked.total).toBe(8);
    // Keys are synthetic: a model name with a dot would be read by recharts as a path.
    expect(stacked.series.map((s) => [s.key, s.name, s.total])).toEqual([
      ['s0', 'claude-sonnet-4-5', 5],
      ['s1', 'claude-opus-4.5', 3],
    ]);
    expect(stacked.data[1]).toMatchObject({ period: '2026-11-24', total: 0, s0: 0, s1: 0 });
    const tip = costTooltip(stacked.data[0]!, stacked.series, stacked.total, 'day');
    expect(tip.title).toBe('2026-11-23');
    expect(tip.lines[0]).toBe('$4.00 · 50.0% of $8.00 in this range');
    expect(tip.lines[1]).toBe('2 sessions · 1,000 tokens');
    expect(tip.rows).toEqual([
      { name: 'claude-sonnet-4-5', color: expect.any(String), value: '$1.00', share: '25.0%' },
      { name: 'claude-opus-4.5', color: expect.any(String), value: '$3.00', share: '75.0%' },
    ]);
    render(<TooltipBox {...tip} />);
    expect(screen.getByTestId('chart-tooltip').textContent).toContain('75.0%');
  });

  it('says the range’s total as the totals do, "+ unknown" where some of its tokens have no known cost', () => {
    const points = [
      point('2026-11-23', { 'claude-sonnet-4-5': 4 }),
      { ...point('2026-11-24', { 'claude-sonnet-4-5': 4 }), unknownCostTokens: 7812 },
    ];
    const stacked = stackCost(points, 'model', new Map());
    expect(stacked.unknownCostTokens).toBe(7812);
    const tip = costTooltip(stacked.data[0]!, stacked.series, stacked.total, 'day', stacked.unknownCostTokens);
    expect(tip.lines[0]).toBe('$4.00 · 50.0% of $8.00 + unknown in this range');
    const unknownDay = costTooltip(stacked.data[1]!, stacked.series, stacked.total, 'day', stacked.unknownCostTokens);
    expect(unknownDay.lines).toContain('7,812 tokens have no known cost');
  });

  it('stacks by project under the projects’ names, and sums the smallest as Other', () => {
    const points = [
      point('2026-11-24', { m: 10 }, { a: 5, b: 2, c: 1, d: 1, e: 0.5, f: 0.25, g: 0.15, h: 0.1 }),
      point('2026-11-25', { m: 1 }, { i: 1 }),
    ];
    const names = new Map([
      ['a', 'work/api'],
      ['b', 'old/api'],
    ]);
    const stacked = stackCost(points, 'project', names, 4);
    expect(stacked.series.map((s) => s.name)).toEqual(['work/api', 'old/api', 'c', 'Other (6)']);
    expect(stacked.data[0]!.other).toBeCloseTo(1 + 0.5 + 0.25 + 0.15 + 0.1, 10);
    expect(stacked.data[1]!.other).toBe(1);
    expect(stacked.series.at(-1)!.total).toBeCloseTo(3, 10);
  });

  it('gives each model its share of the tokens and of the cost', () => {
    const models: HistoryCharts['tokensByModel'] = [
      {
        model: 'claude-opus-4-5',
        inputTokens: 100,
        outputTokens: 100,
        cacheCreationTokens: 0,
        cacheReadTokens: 800,
        costUsd: 3,
        unknownCostTokens: 0,
        sessions: 2,
      },
      {
        model: 'claude-haiku-4-5',
        inputTokens: 1000,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        costUsd: 1,
        unknownCostTokens: 0,
        sessions: 1,
      },
    ];
    const tip = tokensTooltip(models[0]!, models);
    expect(tip.lines).toEqual(['1,000 tokens · 50.0% of all tokens', '$3.00 · 75.0% of the cost · 2 sessions']);
    expect(tip.rows.map((r) => [r.name, r.value, r.share])).toEqual([
      ['input', '100', '10.0%'],
      ['output', '100', '10.0%'],
      ['cache read', '800', '80.0%'],
    ]);
    const projects: HistoryCharts['costByProject'] = [
      { projectId: 'a', name: 'work/api', workingDir: '/home/me/work/api', costUsd: 1, unknownCostTokens: 0, tasks: 1 },
      { projectId: 'b', name: 'old/api', workingDir: '/home/me/old/api', costUsd: 3, unknownCostTokens: 0, tasks: 4 },
    ];
    expect(projectTooltip(projects[0]!, projects).lines).toEqual([
      '/home/me/work/api',
      '$1.00 · 25.0% of the cost',
      '1 task',
    ]);
  });
});

describe('category labels', () => {
  it('wraps long model names at their separators instead of clipping them', () => {
    expect(wrapLabel('claude-sonnet-4-5')).toEqual(['claude-sonnet-4-5']);
    const lines = wrapLabel('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(lines.join('')).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(lines.every((line) => line.length <= 30)).toBe(true);
    expect(lines[0]).toBe('us.anthropic.claude-sonnet-4-');
    expect(wrapLabel('x'.repeat(70)).map((l) => l.length)).toEqual([30, 30, 10]);
  });

  it('reserves room for the longest line', () => {
    expect(categoryAxisWidth(['a'])).toBeLessThan(categoryAxisWidth(['claude-sonnet-4-5']));
    const width = categoryAxisWidth(['claude-sonnet-4-5-20250929', 'x']);
    expect(width).toBeGreaterThanOrEqual('claude-sonnet-4-5-20250929'.length * 7);
    expect(categoryAxisWidth(['y'.repeat(200)])).toBe(categoryAxisWidth(['y'.repeat(30)]));
  });
});

describe('empty charts', () => {
  it('say there are no sessions instead of drawing empty axes', () => {
    render(
      <>
        <CostOverTimeChart
          data={[point('2026-11-24', {}), point('2026-11-25', {})].map((p) => ({ ...p, sessions: 0 }))}
          bucket="day"
          breakdown="model"
          projectNames={new Map()}
        />
        <TokensByModelChart data={[]} />
        <CostByProjectChart
          data={[{ projectId: 'a', name: 'api', workingDir: '/w/api', costUsd: 0, unknownCostTokens: 0, tasks: 1 }]}
        />
      </>,
    );
    for (const id of ['chart-cost-over-time', 'chart-tokens-by-model', 'chart-cost-by-project']) {
      const chart = screen.getByTestId(id);
      expect(chart.textContent).toContain('No sessions in this range');
      expect(chart.querySelector('svg')).toBeNull();
    }
  });

  it('say so when the sessions in range cost nothing yet, instead of drawing $0 axes', () => {
    render(
      <CostOverTimeChart
        data={[point('2026-11-24', { 'claude-sonnet-4-5': 0 }), point('2026-11-25', {})]}
        bucket="day"
        breakdown="model"
        projectNames={new Map()}
      />,
    );
    const chart = screen.getByTestId('chart-cost-over-time');
    expect(chart.textContent).toContain('No cost in this range yet');
    expect(chart.querySelector('svg')).toBeNull();
  });

  it('draw a chart when there is something to draw', () => {
    render(
      <CostOverTimeChart
        data={[point('2026-11-24', { m: 1 })]}
        bucket="day"
        breakdown="model"
        projectNames={new Map()}
      />,
    );
    expect(screen.getByTestId('chart-cost-over-time').textContent).not.toContain('No sessions');
  });
});

describe('project names in the table', () => {
  it('takes the server’s names, the charts’ over the project list’s', () => {
    const names = projectNameMap(
      [
        { id: 'a', name: 'api', workingDir: '/w/api', lastUsedAt: 1 },
        { id: 'c', name: 'web', workingDir: '/w/web', lastUsedAt: 1 },
      ],
      [{ projectId: 'a', name: 'w/api', workingDir: '/w/api', costUsd: 1, unknownCostTokens: 0, tasks: 1 }],
    );
    expect(Object.fromEntries(names)).toEqual({ a: 'w/api', c: 'web' });
  });
});

describe('the cost-by-agent chart', () => {
  const agents: HistoryCharts['costByAgent'] = [
    { agent: 'codex', costUsd: 0.75, unknownCostTokens: 0, totalTokens: 12_000, tasks: 2, sessions: 6 },
    { agent: 'claude', costUsd: 0.25, unknownCostTokens: 0, totalTokens: 3000, tasks: 1, sessions: 1 },
  ];

  it('names each agent in its tooltip, with its share, tokens, tasks and sessions', () => {
    expect(agentTooltip(agents[0]!, agents)).toEqual({
      title: 'Codex',
      lines: ['$0.75 · 75.0% of the cost', '12,000 tokens', '2 tasks, 6 sessions'],
      rows: [],
    });
    expect(agentTooltip(agents[1]!, agents).lines[2]).toBe('1 task, 1 session');
  });

  it('says there is no cost yet when the agents that ran cost nothing known, and no sessions when none ran', () => {
    const { unmount } = render(
      <CostByAgentChart
        data={[{ agent: 'gemini', costUsd: 0, unknownCostTokens: 0, totalTokens: 10, tasks: 1, sessions: 1 }]}
      />,
    );
    expect(screen.getByTestId('chart-cost-by-agent').textContent).toContain('No cost in this range yet');
    unmount();
    render(<CostByAgentChart data={[]} />);
    expect(screen.getByTestId('chart-cost-by-agent').textContent).toContain('No sessions in this range');
  });
});

describe('the cost per iteration of a task whose cost is unknown', () => {
  it('says the cost is unknown instead of drawing a $0 axis, and still draws the duration', () => {
    render(<IterationCostDurationChart sessions={[session({ iteration: 1, costSource: 'unknown', costUsd: 0 })]} />);
    const chart = screen.getByTestId('chart-iteration-cost-duration');
    expect(chart.querySelector('figcaption')!.textContent).toBe(COST_UNKNOWN_TITLE);
    expect(COST_UNKNOWN_TITLE).toBe('Duration per iteration (cost unknown)');
  });

  it('keeps the cost where one iteration’s is known', () => {
    render(
      <IterationCostDurationChart
        sessions={[
          session({ iteration: 1, costSource: 'unknown', costUsd: 0 }),
          session({ iteration: 2, costSource: 'estimated', costUsd: 0.5 }),
        ]}
      />,
    );
    const chart = screen.getByTestId('chart-iteration-cost-duration');
    expect(chart.querySelector('figcaption')!.textContent).toBe('Cost and duration per iteration');
  });
});
