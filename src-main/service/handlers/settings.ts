/** App-wide settings: the daily budget and how many tasks run at once. */
import type { BatonHandlers } from '../../contract/api';
import type { ServiceContext } from '../service-context';

type SettingsHandlers = Pick<BatonHandlers, 'getSettings' | 'updateSettings'>;

export function settingsHandlers({ core, runs, options }: ServiceContext): SettingsHandlers {
  return {
    getSettings: () => core.store.settings(),
    updateSettings: async (patch) => {
      const settings = await core.store.updateSettings(patch);
      // A host that fixed its own concurrency (`run --batch --concurrency`) keeps it.
      if (patch.maxConcurrentTasks !== undefined && options.concurrency === undefined) {
        runs.setConcurrency(settings.maxConcurrentTasks);
      }
      return settings;
    },
  };
}
