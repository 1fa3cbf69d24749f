/** History's charts: cost over time (stacked by model or project), tokens by model, cost by project and agent. */
import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { HistoryCharts, ProjectView } from '../../contract';
import { errorMessage } from '../../errors';
import { useAfterPaint } from '../../hooks/use-after-paint';
import { useHistoryCharts } from '../../hooks/use-history';
import type { CostBreakdown, HistoryStore } from '../../stores/history-store';
import { CostByAgentChart, CostByProjectChart, CostOverTimeChart, TokensByModelChart } from '../charts/lazy-charts';
import { Segmented } from '../Segmented';
import { ErrorState, Loading } from '../StateViews';

/**
 * Project names by id. The server's names already tell folders of the same name apart; the
 * charts' list covers every project in the filter, the project list the most recent ones.
 */
export function projectNameMap(
  projects: ProjectView[],
  costByProject: HistoryCharts['costByProject'] | undefined,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const p of projects) names.set(p.id, p.name);
  for (const p of costByProject ?? []) names.set(p.projectId, p.name);
  return names;
}

const BREAKDOWNS: { value: CostBreakdown; label: string }[] = [
  { value: 'model', label: 'Model' },
  { value: 'project', label: 'Project' },
];

function BreakdownSwitch({ store }: { store: HistoryStore }) {
  const breakdown = useStore(store, (s) => s.breakdown);
  const setBreakdown = useStore(store, (s) => s.setBreakdown);
  return <Segmented label="Stack by" value={breakdown} options={BREAKDOWNS} onChange={setBreakdown} />;
}

export function HistoryChartsSection({ store }: { store: HistoryStore }) {
  const query = useHistoryCharts(store);
  const charts = query.data;
  const breakdown = useStore(store, (s) => s.breakdown);
  const projectNames = useMemo(() => projectNameMap([], charts?.costByProject), [charts]);
  if (query.isError)
    return (
      <ErrorState
        title="Could not load the charts"
        message={errorMessage(query.error)}
        onRetry={() => void query.refetch()}
      />
    );
  if (!charts) return query.isLoading ? <Loading label="Loading charts…" /> : null;
  // Without any task there is nothing to chart; the list says why.
  if (charts.summary.tasks === 0) return null;
  return (
    <section className="charts history-charts" aria-labelledby="history-charts-heading">
      <h3 id="history-charts-heading" className="visually-hidden">
        Charts
      </h3>
      <CostOverTimeChart
        data={charts.costOverTime}
        bucket={charts.bucket}
        breakdown={breakdown}
        projectNames={projectNames}
        controls={<BreakdownSwitch store={store} />}
      />
      <SmallCharts charts={charts} />
    </section>
  );
}

/**
 * The three small charts, drawn once the cost over time is on screen: recharts renders every chart in one
 * long task, and the page's first paint need not wait for the three below the first. Until then each holds
 * its place.
 */
function SmallCharts({ charts }: { charts: HistoryCharts }) {
  const painted = useAfterPaint();
  if (!painted) {
    return ['tokens-by-model', 'cost-by-project', 'cost-by-agent'].map((name) => (
      <figure key={name} className="chart chart-loading" aria-busy="true" data-testid={`chart-${name}-pending`} />
    ));
  }
  return (
    <>
      <TokensByModelChart data={charts.tokensByModel} />
      <CostByProjectChart data={charts.costByProject} />
      <CostByAgentChart data={charts.costByAgent} />
    </>
  );
}
