/** History's usage strip: what was spent today, this week and this month, and the selection's figures. */
import { useStore } from 'zustand';
import { formatCost, formatTokens, rawValue } from '../../contract';
import { spentCostText, totalCostText, unknownCostTitle, unknownTokensTitle } from '../../cost';
import { useHistoryCharts } from '../../hooks/use-history';
import type { HistoryStore } from '../../stores/history-store';

/** One figure of the usage strip, with its exact value in data-value. */
function Figure({
  label,
  hint,
  value,
  format,
  testId,
  title,
}: {
  label: string;
  hint: string;
  value: number | null | undefined;
  format: (value: number) => string;
  testId: string;
  title?: string;
}) {
  const known = value !== null && value !== undefined;
  return (
    <div className="total usage-figure">
      <dt>{label}</dt>
      <dd data-testid={testId} data-value={known ? rawValue(value) : undefined} title={title}>
        {known ? format(value) : '—'}
      </dd>
      <dd className="usage-hint">{hint}</dd>
    </div>
  );
}

export function UsageSummary({ store }: { store: HistoryStore }) {
  const summary = useHistoryCharts(store).data?.summary;
  const filtered = useStore(store, (s) => Object.keys(s.filter).length > 0);
  const scope = filtered ? 'in this selection' : 'all tasks';
  const tasks = summary ? `${formatTokens(summary.tasks)} ${summary.tasks === 1 ? 'task' : 'tasks'}, ${scope}` : scope;
  const figures = [
    // Each with "+ unknown" where that period's sessions include some of unknown cost.
    ...(
      [
        ['Today', 'all tasks', summary?.spentTodayUsd, summary?.unknownCostTokensToday, 'usage-today'],
        [
          'This week',
          'since Monday, all tasks',
          summary?.spentThisWeekUsd,
          summary?.unknownCostTokensThisWeek,
          'usage-week',
        ],
        ['This month', 'all tasks', summary?.spentThisMonthUsd, summary?.unknownCostTokensThisMonth, 'usage-month'],
      ] as const
    ).map(([label, hint, value, unknown, testId]) => ({
      label,
      hint,
      value,
      testId,
      format: (usd: number) => spentCostText(usd, unknown),
      title: unknownTokensTitle(unknown),
    })),
    { label: 'Tokens', hint: scope, value: summary?.totalTokens, format: formatTokens, testId: 'usage-tokens' },
    {
      label: 'Cache savings',
      hint: `vs. input price, ${scope}`,
      value: summary?.cacheSavingsUsd,
      testId: 'usage-cache-savings',
    },
    {
      label: 'Average per task',
      hint: tasks,
      value: summary?.averageCostPerTaskUsd,
      testId: 'usage-average',
      // Of the known costs, and said to be short where some sessions' cost is unknown.
      ...(summary && summary.unknownCostTokens > 0
        ? {
            format: (usd: number) =>
              totalCostText(usd, summary.unknownCostTokens, summary.totalTokens - summary.unknownCostTokens),
            title: unknownCostTitle(summary),
          }
        : {}),
    },
  ];
  return (
    <section className="usage-summary" aria-labelledby="history-usage-heading">
      <h3 id="history-usage-heading" className="visually-hidden">
        Usage
      </h3>
      <dl className="totals usage-strip">
        {figures.map((figure) => (
          <Figure key={figure.testId} format={formatCost} {...figure} />
        ))}
      </dl>
    </section>
  );
}
