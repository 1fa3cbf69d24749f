/**
 * Where Baton keeps its database by default. This mirrors Electron's
 * `app.getPath('userData')` for an app named "Baton", so the CLI and the
 * desktop app share one file without the core importing Electron.
 */
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Baton';
export const DATABASE_FILE_NAME = 'baton.db';

export function userDataDir(env: NodeJS.ProcessEnv, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

export interface DatabaseChoice {
  /** `--db`. */
  explicit?: string;
  /** BATON_DB, already validated. */
  fromEnvironment?: string;
  /** The data directory: the desktop app's userData, or the environment's default. */
  dataDir: string;
}

/** `--db` wins, then BATON_DB, then the data directory: decided here only, for every front end. */
export function resolveDatabasePath(choice: DatabaseChoice): string {
  if (choice.explicit) return path.resolve(choice.explicit);
  if (choice.fromEnvironment) return path.resolve(choice.fromEnvironment);
  return path.join(choice.dataDir, DATABASE_FILE_NAME);
}
