/**
 * Every front end refuses a database a newer Baton wrote, with the same words, and writes nothing to it:
 * the commands and browser mode exit 2, as for any database Baton cannot use.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { type CliRun, runBaton, startBaton } from '../support/baton-cli';
import { newerDatabase, snapshotOf } from '../support/newer-database';

const REFUSAL =
  /cannot open the database at .*: a newer version of Baton wrote it, .*It was left unchanged: open it with that newer Baton, or use another database \(--db or BATON_DB\)/;

let dir: string;
let serving: number | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-newer-it-'));
});
afterEach(() => {
  // A browser mode that opened the database after all is still serving: stop it.
  if (serving !== undefined) process.kill(-serving, 'SIGKILL');
  serving = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** `baton serve` until it exits or says it serves, whichever comes first. */
async function serve(db: string): Promise<CliRun | 'serving'> {
  // The renderer is not under test; a stub page spares building it.
  const renderer = path.join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Baton</title>');
  const baton = startBaton(['serve', '--port', '0', '--db', db], { BATON_RENDERER_DIR: renderer });
  serving = baton.pid;
  const outcome = await Promise.race([baton.exited, baton.waitFor(/serving on/).then(() => 'serving' as const)]);
  if (outcome !== 'serving') serving = undefined;
  return outcome;
}

describe('a database a newer Baton wrote', () => {
  it('is refused by reading and writing commands alike: exit 2, the reason, and no write', async () => {
    const db = await newerDatabase(dir, { userVersion: MIGRATIONS.length + 1 });
    const before = snapshotOf(db);
    const project = path.join(dir, 'project');
    mkdirSync(project);
    for (const args of [
      ['tasks', '--json'],
      ['settings', '--daily-budget-usd', '5'],
      ['run', '--dir', project, '--prompt', 'do it'],
      // The import opens the store in a quick start of its own, without the rest of the command.
      ['import'],
    ]) {
      const run = await runBaton([...args, '--db', db], {
        BATON_CLAUDE_BIN: '/bin/true',
        CLAUDE_CONFIG_DIR: path.join(dir, 'claude'),
        CODEX_HOME: path.join(dir, 'codex'),
      });
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(REFUSAL);
      expect(snapshotOf(db)).toEqual(before);
    }
  });

  it('is refused by browser mode with the same reason, before it serves anything', async () => {
    const db = await newerDatabase(dir, { userVersion: MIGRATIONS.length + 1 });
    const before = snapshotOf(db);
    const outcome = await serve(db);
    expect(outcome).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(REFUSAL) });
    expect(snapshotOf(db)).toEqual(before);
  });
});
