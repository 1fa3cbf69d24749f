/**
 * better-sqlite3's native module is built for one ABI. Under Electron, use an
 * Electron build of it when `npm start` has placed one next to the app.
 */
import path from 'node:path';

export interface NativeBindingInputs {
  /** `process.versions`; `electron` is present only under Electron. */
  versions: Partial<Record<string, string>>;
  /** The directory holding package.json and `.electron-native/`. */
  appRoot: string;
  fileExists: (file: string) => boolean;
}

/** The Electron build of better_sqlite3.node, or undefined to let better-sqlite3 find its own (already the right ABI). */
export function resolveNativeBinding({ versions, appRoot, fileExists }: NativeBindingInputs): string | undefined {
  const electron = versions.electron;
  if (!electron) return undefined;
  const candidate = path.join(appRoot, '.electron-native', electron, 'better_sqlite3.node');
  return fileExists(candidate) ? candidate : undefined;
}
