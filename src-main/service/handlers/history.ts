/** The history views: pages of tasks, charts, projects and exports. */
import type { BatonHandlers } from '../../contract/api';
import { tasksToCsv } from '../../core/store/history-queries';
import type { ServiceContext } from '../service-context';

type HistoryHandlers = Pick<BatonHandlers, 'listTasks' | 'getHistoryCharts' | 'exportTasks' | 'listProjects'>;

export function historyHandlers({ history }: ServiceContext, now: () => number = Date.now): HistoryHandlers {
  return {
    listTasks: (query) => history.listTasks(query),
    getHistoryCharts: ({ filter }) => history.charts(filter),
    listProjects: () => history.listProjects(),
    exportTasks: async ({ filter, format }) => {
      const tasks = await history.allTasks(filter);
      const stamp = new Date(now()).toISOString().slice(0, 10);
      return format === 'csv'
        ? { fileName: `baton-tasks-${stamp}.csv`, mimeType: 'text/csv', content: tasksToCsv(tasks) }
        : {
            fileName: `baton-tasks-${stamp}.json`,
            mimeType: 'application/json',
            content: JSON.stringify(tasks, null, 2),
          };
    },
  };
}
