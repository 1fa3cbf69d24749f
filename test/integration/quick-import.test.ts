/**
 * `baton import`'s quick start (src-main/cli/quick-import.ts) takes the plain case alone and leaves everything
 * else to the whole command. Shown with the built command in a folder that lacks the whole command's bundle:
 * what the quick start takes works there, and what it leaves fails for want of that bundle. Beside it the
 * real command, with both bundles, imports the same and refuses what it refuses.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, lastJsonLine, runBaton } from '../support/baton-cli';
import { MIGRATIONS } from '../../migrations';
import { openDataSource } from '../../src-main/core/store/data-source';
import { newerDatabase } from '../support/newer-database';

const ROOT = path.resolve(__dirname, '..', '..');
// Two levels below the root, as out/cli is: the bundles find node_modules and their worker from there.
const QUICK_ONLY = path.join(ROOT, 'out', `quick-only-${process.pid}`);

let root: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  mkdirSync(QUICK_ONLY, { recursive: true });
  for (const file of ['baton.js', 'baton-import.cjs', 'transcript-reader-worker.cjs']) {
    copyFileSync(path.join(ROOT, 'out', 'cli', file), path.join(QUICK_ONLY, file));
  }
});
afterAll(() => rmSync(QUICK_ONLY, { recursive: true, force: true }));

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-quick-import-'));
  const project = path.join(root, 'claude', 'projects', '-work-app');
  mkdirSync(project, { recursive: true });
  const line = (id: string, output: number) =>
    JSON.stringify({
      type: 'assistant',
      timestamp: '2026-11-02T10:00:00.000Z',
      sessionId: 's-1',
      requestId: `req-${id}`,
      message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: output } },
    });
  // Response a's partial line, then its final one; response b.
  writeFileSync(path.join(project, 's-1.jsonl'), [line('a', 1), line('a', 40), line('b', 7)].join('\n') + '\n');
  env = {
    HOME: path.join(root, 'home'),
    CLAUDE_CONFIG_DIR: path.join(root, 'claude'),
    CODEX_HOME: path.join(root, 'no-codex'),
    BATON_DB: path.join(root, 'baton.db'),
  };
  return () => rmSync(root, { recursive: true, force: true });
});

/** The built command with no whole-command bundle beside it. */
const quickOnly = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runBaton(args, { ...env, ...extraEnv }, path.join(QUICK_ONLY, 'baton.js'));

/** A store as the Baton before the last migration left it. */
async function olderDatabase(dir: string): Promise<string> {
  const file = path.join(dir, 'older.db');
  const dataSource = await openDataSource({ file, migrations: MIGRATIONS.slice(0, -1) });
  await dataSource.destroy();
  return file;
}

/** A store at this version's schema, made by the whole command. */
async function currentStore(): Promise<void> {
  expect((await runBaton(['tasks', '--json'], env)).code).toBe(0);
}

const leftToTheWholeCommand = (run: CliRun) => {
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain('baton-bundle.cjs');
};

const withoutTime = (run: CliRun) => ({ ...lastJsonLine<Record<string, unknown>>(run.stdout), durationMs: 0 });

describe('baton import, started quickly', () => {
  it('imports into a current store on its own, as the whole command does, and again finds nothing new', async () => {
    await currentStore();
    const quick = await quickOnly(['import', '--json']);
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toContain('read 3 lines from 1 file (1 new): 2 new responses in 1 session,');
    expect(lastJsonLine(quick.stdout)).toMatchObject({ files: 1, linesRead: 3, messages: 2, duplicates: 1 });

    // The whole command, made to take the import (a BATON_ variable the quick start leaves to it), agrees.
    const whole = await runBaton(['import', '--json'], {
      ...env,
      BATON_DB: path.join(root, 'whole.db'),
      BATON_ISOLATION: 'tracking',
    });
    expect(whole.code, whole.stderr).toBe(0);
    expect(withoutTime(quick)).toEqual(withoutTime(whole));
    const daily = async (db: string) =>
      lastJsonLine(
        (await runBaton(['usage', 'daily', '--json', '--timezone', 'UTC'], { ...env, BATON_DB: path.join(root, db) }))
          .stdout,
      );
    const report = await daily('baton.db');
    expect(report).toEqual(await daily('whole.db'));
    expect(report).toMatchObject({ totals: { inputTokens: 20, outputTokens: 47 } });

    const again = await quickOnly(['import', `--claude-dir=${path.join(root, 'claude')}`, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(lastJsonLine(again.stdout)).toMatchObject({ files: 1, newFiles: 0, linesRead: 0, messages: 0 });
  });

  it('creates and migrates the store itself, and leaves to the whole command other flags, variables and refusals', async () => {
    // No store yet: made with every migration, as the whole command makes it, which then opens it as its own.
    const created = await quickOnly(['import', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(lastJsonLine(created.stdout)).toMatchObject({ messages: 2 });
    expect(await runBaton(['tasks', '--json'], env)).toMatchObject({ code: 0, stdout: '[]\n' });
    leftToTheWholeCommand(await quickOnly(['import', '--help']));
    leftToTheWholeCommand(await quickOnly(['import', '--since', '2026-11-01']));
    leftToTheWholeCommand(await quickOnly(['import', '--claude-dir']));
    leftToTheWholeCommand(await quickOnly(['import', '--claude-dir', path.join(root, 'nowhere')]));
    leftToTheWholeCommand(await quickOnly(['import'], { BATON_ISOLATION: 'tracking' }));
    leftToTheWholeCommand(await quickOnly(['import'], { BATON_DB: ' ' }));

    const newer = await newerDatabase(root, { userVersion: 999 });
    leftToTheWholeCommand(await quickOnly(['import'], { BATON_DB: newer }));
    const refused = await runBaton(['import'], { ...env, BATON_DB: newer });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('a newer version of Baton wrote it');

    // A store of an older Baton, its last migration not run: migrated, then imported into.
    const older = await olderDatabase(root);
    const migrated = await quickOnly(['import', '--json'], { BATON_DB: older });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(lastJsonLine(migrated.stdout)).toMatchObject({ messages: 2 });
    const store = new Database(older);
    expect(store.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(store.prepare(`SELECT name FROM migrations ORDER BY id`).pluck().all()).toEqual(
      MIGRATIONS.map((Migration) => new Migration().name),
    );
    store.close();
  });
});
