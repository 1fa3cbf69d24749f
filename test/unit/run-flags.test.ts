import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBatchFile, resolveDir, specFromFlags } from '../../src-main/cli/run-flags';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('directories from the command line', () => {
  it('expand ~ and resolve relative paths against the given folder, never against Baton’s own', () => {
    expect(resolveDir('~', '/base')).toBe(os.homedir());
    expect(resolveDir('~/code/app', '/base')).toBe(path.join(os.homedir(), 'code', 'app'));
    expect(resolveDir('app', '/base')).toBe('/base/app');
    expect(resolveDir('../app', '/base/x')).toBe('/base/app');
    expect(resolveDir('/abs/app', '/base')).toBe('/abs/app');
    // Left for the schema to refuse with its own message.
    expect(resolveDir('  ', '/base')).toBe('  ');
    expect(resolveDir(undefined, '/base')).toBeUndefined();
  });

  it('takes --dir relative to the shell’s folder', () => {
    expect(specFromFlags({ dir: 'app', prompt: 'x' }).dir).toBe(path.resolve(process.cwd(), 'app'));
  });

  it('takes a batch entry’s dir relative to the batch file, and leaves the flags’ default as given', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-batch-'));
    const file = path.join(dir, 'tasks.json');
    writeFileSync(file, JSON.stringify([{ dir: 'api', prompt: 'a' }, { prompt: 'b' }]));
    const [first, second] = readBatchFile(file, { dir: '/from/flag' });
    expect(first?.dir).toBe(path.join(dir, 'api'));
    expect(second?.dir).toBe('/from/flag');
  });
});
