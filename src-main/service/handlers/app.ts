/** Facts about this Baton, and what only its host can do (a native directory picker). */
import type { BatonHandlers } from '../../contract/api';
import { CallFailure } from '../dispatcher';
import type { ServiceContext } from '../service-context';

type AppHandlers = Pick<BatonHandlers, 'getAppInfo' | 'pickDirectory'>;

export function appHandlers({ options, databaseFile, version }: ServiceContext): AppHandlers {
  const { pickDirectory } = options;
  return {
    getAppInfo: async () => ({
      // The CLI serves no window; what it reports is the closest view, browser mode's.
      mode: options.mode === 'desktop' ? 'desktop' : 'browser',
      version,
      databaseFile,
      canPickDirectory: pickDirectory !== undefined,
    }),
    pickDirectory: async () => {
      if (!pickDirectory) throw new CallFailure('unavailable', 'a directory picker exists only in the desktop app');
      return { path: await pickDirectory() };
    },
  };
}
