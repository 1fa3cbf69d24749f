/**
 * Many Baton processes opening a database that does not exist yet, at the
 * same moment: each must find it migrated, none may fail on a migration
 * another process is running.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBaton } from '../support/baton-cli';

const PROCESSES = 8;
const ROUNDS = 4;
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('opening a new database from several processes at once', () => {
  it(`migrates it once, whichever of ${PROCESSES} processes comes first, round after round`, async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-open-'));
    for (let round = 1; round <= ROUNDS; round++) {
      const db = path.join(dir, `round-${round}.db`);
      const runs = await Promise.all(
        Array.from({ length: PROCESSES }, () => runBaton(['tasks', '--json'], { BATON_DB: db })),
      );
      expect(
        runs.filter((run) => run.code !== 0).map((run) => run.stderr),
        `round ${round}`,
      ).toEqual([]);
      expect(runs.map((run) => run.stdout.trim())).toEqual(runs.map(() => '[]'));
    }
  });
});
