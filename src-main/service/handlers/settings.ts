/** App-wide settings: the launch form's defaults, the daily budget and how many tasks run at once; today's spending. */
import type { BatonHandlers } from '../../contract/api';
import { budgetDayOf } from '../../core/budget-day';
import { modelPriceList } from '../../core/model-price-list';
import { modelsWithUsage } from '../../core/store/known-models';
import type { ServiceContext } from '../service-context';

type SettingsHandlers = Pick<BatonHandlers, 'getSettings' | 'updateSettings' | 'getSpending' | 'listModelPrices'>;

export function settingsHandlers({ core, history, runs, options }: ServiceContext): SettingsHandlers {
  return {
    getSettings: () => core.store.settings(),
    updateSettings: async (patch) => {
      const settings = await core.store.updateSettings(patch);
      // A host that fixed its own concurrency (`run --batch --concurrency`) keeps it.
      if (patch.maxConcurrentTasks !== undefined && options.concurrency === undefined) {
        runs.setConcurrency(settings.maxConcurrentTasks);
      }
      // Through the event log, the other processes on the database hear of it at once.
      core.bus.publish({ type: 'settings.changed' });
      return settings;
    },
    listModelPrices: async () =>
      modelPriceList((await core.store.settings()).modelPrices ?? {}, modelsWithUsage(core.dataSource)),
    // The same day and sum the orchestrator holds the daily budget against.
    getSpending: async () => {
      const settings = await core.store.settings();
      const { timeZone, start: today } = budgetDayOf(settings, Date.now());
      const unknown = await history.unknownCostTokensInPeriods({ today, week: today, month: today });
      return {
        spentTodayUsd: await core.store.spentSince(today),
        unknownCostTokensToday: unknown.today,
        dailyBudgetUsd: settings.dailyBudgetUsd,
        timeZone,
      };
    },
  };
}
