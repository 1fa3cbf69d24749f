/**
 * The charts as the views use them, each loaded with its view's chart module on first use: recharts (about
 * 460 kB) is not part of the window's first load, which shows Tasks. A chart's frame holds its place while its
 * module loads; once loaded (or preloaded, see preloadCharts), a chart renders at once.
 */
import { type ComponentType, lazy, Suspense } from 'react';
import type { Route } from '../../router';

interface LazyModule<M> {
  load(): Promise<M>;
  /** The module, once loaded. */
  loaded(): M | undefined;
}

function lazyModule<M>(importer: () => Promise<M>): LazyModule<M> {
  let module: M | undefined;
  let pending: Promise<M> | undefined;
  return {
    load: () => (pending ??= importer().then((loaded) => (module = loaded))),
    loaded: () => module,
  };
}

const modules = {
  task: lazyModule(() => import('./task-charts')),
  history: lazyModule(() => import('./history-charts')),
  usage: lazyModule(() => import('./usage-charts')),
};

/** The pages that draw charts: opened on one, the window loads them beside its data. */
export const chartsWantedOn = (route: Route): boolean => route.name === 'history' || route.name === 'task';

/** Loads every chart module, before a page draws one (see chartsWantedOn), or as the pointer nears History. */
export function preloadCharts(): Promise<unknown> {
  return Promise.all(Object.values(modules).map((module) => module.load()));
}

function lazyChart<M, P extends object>(
  module: LazyModule<M>,
  pick: (loaded: M) => ComponentType<P>,
): ComponentType<P> {
  const Suspended = lazy(() => module.load().then((loaded) => ({ default: pick(loaded) })));
  function LazyChart(props: P) {
    const loaded = module.loaded();
    if (loaded) {
      const Chart = pick(loaded);
      return <Chart {...props} />;
    }
    return (
      <Suspense fallback={<figure className="chart chart-loading" aria-busy="true" />}>
        <Suspended {...props} />
      </Suspense>
    );
  }
  return LazyChart;
}

export const IterationTokensChart = lazyChart(modules.task, (m) => m.IterationTokensChart);
export const IterationCostDurationChart = lazyChart(modules.task, (m) => m.IterationCostDurationChart);
export const IterationChangesChart = lazyChart(modules.task, (m) => m.IterationChangesChart);
export const CostOverTimeChart = lazyChart(modules.history, (m) => m.CostOverTimeChart);
export const TokensByModelChart = lazyChart(modules.history, (m) => m.TokensByModelChart);
export const CostByProjectChart = lazyChart(modules.history, (m) => m.CostByProjectChart);
export const CostByAgentChart = lazyChart(modules.history, (m) => m.CostByAgentChart);
export const DailyUsageChart = lazyChart(modules.usage, (m) => m.DailyUsageChart);
