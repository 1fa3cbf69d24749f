/**
 * Where Baton keeps its database by default. This mirrors Electron's
 * `app.getPath('userData')` for an app named "Baton", so the CLI and the
 * desktop app share one file without the core importing Electron.
 */
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Baton';
export const DATABASE_FILE_NAME = 'baton.db';

export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/** `--db` wins, then BATON_DB, then the shared default. */
export function resolveDatabasePath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.BATON_DB) return path.resolve(env.BATON_DB);
  return path.join(userDataDir(env), DATABASE_FILE_NAME);
}
