/**
 * `baton import` and `baton usage` as a user runs them: the documented JSON shapes, the defaults taken
 * from CLAUDE_CONFIG_DIR, and bad input refused with exit 2 and nothing imported.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonLine, runBaton } from '../support/baton-cli';

let root: string;
let env: NodeJS.ProcessEnv;
let config: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-usage-cli-'));
  config = path.join(root, 'claude');
  const project = path.join(config, 'projects', '-work-app');
  mkdirSync(project, { recursive: true });
  const line = (id: string, at: string, input: number) =>
    JSON.stringify({
      type: 'assistant',
      timestamp: at,
      sessionId: 's-1',
      cwd: '/work/app',
      requestId: `req-${id}`,
      message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: input, output_tokens: 1 } },
    });
  writeFileSync(
    path.join(project, 's-1.jsonl'),
    [
      line('a', '2026-11-01T10:00:00.000Z', 10),
      line('a', '2026-11-01T10:00:00.000Z', 10),
      line('b', '2026-11-02T10:00:00.000Z', 5),
    ].join('\n') + '\n',
  );
  env = {
    HOME: path.join(root, 'home'),
    CLAUDE_CONFIG_DIR: config,
    CODEX_HOME: path.join(root, 'no-codex'),
    BATON_DB: path.join(root, 'baton.db'),
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('baton import and baton usage', () => {
  it('imports every file it can read, and says on stderr and in --json which it could not, and why', async () => {
    const loop = path.join(config, 'projects', '-work-app', 'loop.jsonl');
    symlinkSync(loop, loop);
    // A link back to a folder above: walked once, not without end.
    symlinkSync(config, path.join(config, 'projects', '-work-app', 'up'));
    const imported = await runBaton(['import', '--json'], env);
    expect(imported.code).toBe(0);
    expect(lastJsonLine(imported.stdout)).toMatchObject({
      messages: 2,
      skipped: [{ path: loop, reason: 'ELOOP' }],
      skippedFiles: 1,
    });
    expect(imported.stderr).toContain(`skipped 1 file or folder that could not be read:\n  ${loop}: ELOOP\n`);
    // Counts in words, one file as one.
    expect(imported.stdout).toContain('read 3 lines from 1 file (1 new): 2 new responses in 1 session,');
  });

  it('imports from CLAUDE_CONFIG_DIR and reports per day and model in the documented shape', async () => {
    const imported = await runBaton(['import', '--json'], env);
    expect(imported.code).toBe(0);
    expect(lastJsonLine(imported.stdout)).toEqual({
      files: 1,
      newFiles: 1,
      linesRead: 3,
      messages: 2,
      duplicates: 1,
      corrected: 0,
      malformed: 0,
      sessions: 1,
      durationMs: expect.any(Number),
      skipped: [],
      skippedFiles: 0,
    });
    const daily = await runBaton(['usage', 'daily', '--json', '--timezone', 'UTC', '--since', '2026-11-02'], env);
    expect(daily.code).toBe(0);
    const report = JSON.parse(daily.stdout) as {
      daily: Array<Record<string, unknown>>;
      totals: Record<string, unknown>;
    };
    expect(report.daily).toEqual([
      expect.objectContaining({
        date: '2026-11-02',
        model: 'claude-sonnet-4-5',
        inputTokens: 5,
        outputTokens: 1,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        totalTokens: 6,
        costUsd: expect.any(Number),
      }),
    ]);
    expect(report.totals).toMatchObject({ inputTokens: 5, totalTokens: 6, costSources: ['estimated'] });
    const table = await runBaton(['usage', 'daily', '--timezone', 'UTC'], env);
    expect(table.stdout).toMatch(/^2026-11-01 {2}claude-sonnet-4-5 +10 +1 +0 +0 +11 +\$/m);
    expect(table.stdout).toContain('costs: estimated from the price data');
    const monthly = await runBaton(['usage', 'monthly', '--json', '--timezone', 'UTC'], env);
    expect(JSON.parse(monthly.stdout)).toMatchObject({ monthly: [{ month: '2026-11', inputTokens: 15 }] });
    const sessions = await runBaton(['usage', 'session', '--json', '--source', 'interactive'], env);
    expect(JSON.parse(sessions.stdout)).toMatchObject({
      sessions: [{ sessionId: 's-1', source: 'interactive', project: '/work/app' }],
    });
    const none = await runBaton(['usage', 'daily', '--source', 'baton'], env);
    expect(none.stdout).toContain('no usage in this range');
  });

  it('refuses bad input with exit 2, importing nothing', async () => {
    const missing = await runBaton(['import', '--claude-dir', path.join(root, 'nope')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--claude-dir .*nope: no such directory/);
    expect(existsSync(env.BATON_DB!)).toBe(false);
    for (const [args, message] of [
      [['usage', 'weekly'], /usage reports are daily, monthly, session, blocks; got "weekly"/],
      [['usage', 'daily', '--timezone', 'Mars/Olympus'], /not a time zone this system knows/],
      [['usage', 'daily', '--since', '2026-11-05', '--until', '2026-11-01'], /since must not be after until/],
      [['usage', 'daily', '--since', '20261105'], /a date is YYYY-MM-DD/],
      [['usage', 'daily', '--agent', 'gpt'], /agent/],
    ] as const) {
      const run = await runBaton([...args], env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('says how to begin when nothing was imported yet', async () => {
    const run = await runBaton(['usage', 'daily'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no usage yet: run `baton import`');
  });
});
