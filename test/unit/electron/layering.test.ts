// The tested glue must load under plain Node: only the entry files may import electron at run time.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const glueDir = path.resolve(__dirname, '../../../src-main/electron');
const ENTRIES = ['main.ts', 'preload.ts'];
const runtimeElectronImport = /^\s*import\s+(?!type\b)[^;]*from\s+['"]electron(\/[^'"]*)?['"]/m;
const source = (file: string) => readFileSync(path.join(glueDir, file), 'utf8');

describe('the Electron glue', () => {
  it('imports electron at run time only in main.ts and preload.ts', () => {
    const files = readdirSync(glueDir).filter((file) => file.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining(ENTRIES));
    const offenders = files.filter((file) => !ENTRIES.includes(file) && runtimeElectronImport.test(source(file)));
    expect(offenders).toEqual([]);
    for (const entry of ENTRIES) expect(source(entry)).toMatch(runtimeElectronImport);
  });

  it('keeps the preload free of run-time imports other than electron and the bridge', () => {
    // A sandboxed preload can require only electron's own modules; the bridge must not pull in zod either.
    const imports = (text: string) =>
      [...text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]);
    expect(imports(source('preload.ts')).sort()).toEqual(['./bridge', 'electron']);
    expect(imports(source('bridge.ts'))).toEqual([]);
  });

  it('main loads the CommonJS preload that electron-vite builds', () => {
    expect(source('main.ts')).toContain("'../preload/index.cjs'");
  });

  it('the tested modules load under Node without electron', async () => {
    const modules = await Promise.all([
      import('../../../src-main/electron/bridge'),
      import('../../../src-main/electron/ipc'),
      import('../../../src-main/electron/lifecycle'),
      import('../../../src-main/electron/native-binding'),
      import('../../../src-main/electron/notifications'),
      import('../../../src-main/electron/security'),
      import('../../../src-main/electron/service-process'),
    ]);
    expect(modules.map((module) => Object.keys(module).length > 0)).toEqual(modules.map(() => true));
  });
});
