/** Account-wide usage: the transcript import and the reports over it, for `baton usage` and "All usage". */
import type { BatonHandlers } from '../../contract/api';
import { timeZoneOf } from '../../core/usage/usage-reports';
import type { ServiceContext } from '../service-context';

type UsageHandlers = Pick<
  BatonHandlers,
  'getUsageReport' | 'getUsageOverview' | 'importTranscripts' | 'getImportProgress'
>;

/**
 * The most blocks the overview sends, newest first: a year of daily work is about a thousand, more than a
 * page can list usefully. The rest are counted in `olderBlocks`.
 */
const OVERVIEW_MAX_BLOCKS = 200;

export function usageHandlers({ usage, imports, core }: ServiceContext): UsageHandlers {
  // Whatever started the import (the watch, "Import now", `baton import`), views of all usage hear of what it stored.
  imports.onStored((summary) =>
    core.bus.publish({ type: 'usage.imported', messages: summary.messages, corrected: summary.corrected }),
  );
  return {
    getUsageReport: async ({ kind, filter }) => usage.report(kind, filter),
    getUsageOverview: async ({ filter }) => {
      const { periods, totals } = usage.periods(filter, 'day');
      // The blocks of the whole range, as `baton usage blocks` finds them; gaps carry no usage.
      const blocks = usage.blocks(filter).filter((block) => !block.isGap);
      const newest = blocks.slice(-OVERVIEW_MAX_BLOCKS).reverse();
      return {
        timeZone: timeZoneOf(filter),
        daily: periods,
        blocks: newest,
        olderBlocks: blocks.length - newest.length,
        projects: usage.projects(filter),
        totals,
        origin: usage.origin(imports.directories),
      };
    },
    importTranscripts: () => imports.run(),
    getImportProgress: async () => imports.progress(),
  };
}
