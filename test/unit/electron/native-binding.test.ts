import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { resolveNativeBinding } from '../../../src-main/electron/native-binding';

const appRoot = path.join('/opt', 'baton');
const electronBuild = path.join(appRoot, '.electron-native', '45.4.1', 'better_sqlite3.node');

describe('resolveNativeBinding', () => {
  it('uses the Electron build for the running Electron version when it exists', () => {
    const fileExists = vi.fn((file: string) => file === electronBuild);
    const versions = { node: '22.20.0', electron: '45.4.1' };
    expect(resolveNativeBinding({ versions, appRoot, fileExists })).toBe(electronBuild);
    expect(fileExists).toHaveBeenCalledExactlyOnceWith(electronBuild);
  });

  it("is undefined under Electron without that file, so better-sqlite3's own build is used", () => {
    const fileExists = vi.fn(() => false);
    expect(resolveNativeBinding({ versions: { electron: '45.4.1' }, appRoot, fileExists })).toBeUndefined();
    expect(fileExists).toHaveBeenCalledExactlyOnceWith(electronBuild);
  });

  it('ignores a build for another Electron version', () => {
    const fileExists = (file: string) => file === electronBuild;
    expect(resolveNativeBinding({ versions: { electron: '46.0.0' }, appRoot, fileExists })).toBeUndefined();
  });

  it('is undefined under plain Node without looking at the disk', () => {
    const fileExists = vi.fn(() => true);
    expect(resolveNativeBinding({ versions: { node: '22.20.0' }, appRoot, fileExists })).toBeUndefined();
    expect(fileExists).not.toHaveBeenCalled();
  });
});
