/** Account-wide usage: the transcript import and the reports over it, for `baton usage` and "All usage". */
import type { BatonHandlers } from '../../contract/api';
import { timeZoneOf } from '../../core/usage/usage-reports';
import type { ServiceContext } from '../service-context';

type UsageHandlers = Pick<
  BatonHandlers,
  'getUsageReport' | 'getUsageOverview' | 'importTranscripts' | 'getImportProgress'
>;

/** How far back the overview's blocks go: the last week's windows are the ones a person plans around. */
const OVERVIEW_BLOCK_DAYS = 7;

export function usageHandlers({ usage, imports }: ServiceContext, now: () => number = Date.now): UsageHandlers {
  return {
    getUsageReport: async ({ kind, filter }) => usage.report(kind, filter),
    getUsageOverview: async ({ filter }) => {
      const { periods, totals } = usage.periods(filter, 'day');
      const weekAgo = new Date(now() - OVERVIEW_BLOCK_DAYS * 86_400_000).toISOString().slice(0, 10);
      const blocks = usage.blocks({
        ...filter,
        since: filter.since && filter.since > weekAgo ? filter.since : weekAgo,
      });
      return {
        timeZone: timeZoneOf(filter),
        daily: periods,
        blocks: blocks.reverse(),
        projects: usage.projects(filter),
        totals,
        origin: usage.origin(imports.directories),
      };
    },
    importTranscripts: () => imports.run(),
    getImportProgress: async () => imports.progress(),
  };
}
