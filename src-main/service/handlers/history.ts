/** The history views: pages of tasks, charts, projects and exports, and the subscription windows last seen. */
import type { BatonHandlers } from '../../contract/api';
import { serviceTimeZone } from '../../core/local-day';
import { exportFileName, tasksToCsv, tasksToJson } from '../../core/store/history-export';
import type { ServiceContext } from '../service-context';

type HistoryHandlers = Pick<
  BatonHandlers,
  'listTasks' | 'getHistoryCharts' | 'exportTasks' | 'listProjects' | 'getQuota'
>;

export function historyHandlers({ history, core }: ServiceContext, now: () => number = Date.now): HistoryHandlers {
  return {
    getQuota: async () => ({ windows: await core.store.quotaWindows() }),
    listTasks: (query) => history.listTasks(query),
    getHistoryCharts: ({ filter, timeZone }) => history.charts(filter, timeZone ?? serviceTimeZone()),
    listProjects: () => history.listProjects(),
    exportTasks: async ({ filter, format, timeZone = serviceTimeZone() }) => {
      const tasks = await history.allTasks(filter);
      const projectName =
        filter.projectId === undefined ? undefined : (await history.projectLabels()).get(filter.projectId);
      const fileName = exportFileName(filter, format, { projectName, timeZone, now: now() });
      return format === 'csv'
        ? { fileName, mimeType: 'text/csv', content: tasksToCsv(tasks) }
        : { fileName, mimeType: 'application/json', content: tasksToJson(tasks) };
    },
  };
}
